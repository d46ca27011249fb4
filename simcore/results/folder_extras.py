"""What a results folder holds besides the raw outputs, so that it explains itself: a copy of
the scenario file (``scenario.toml``), the summary as one row per strategy (``summary_wide.csv``)
and a key to every file and column (``README.txt``).  None of these needs more than the core
install; the report (``report.html``, ``summary.xlsx``, ``plots/``) is in
:mod:`simcore.results.report`.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

from simcore.results.run_folder import writing
from simcore.results.sim_outputs import NO_SLATE_ID, NOT_APPLICABLE

SCENARIO_COPY = "scenario.toml"


def measure_label(row: dict) -> str:
    """A row's measure in words a spreadsheet header can hold: ``P(seats >= 3): Hilltop``."""
    measure = row["measure"]
    if row.get("seats") is not None:
        measure = measure.replace("k)", f"{row['seats']})")
    subject = [row.get(c) for c in ("candidate", "slate", "section")]
    subject = [x for x in subject if x not in ("", None, NOT_APPLICABLE)]
    return f"{measure}: {subject[0]}" if subject else measure


def wide_rows(rows: list[dict], descriptions: dict[str, str]) -> tuple[list[str], list[list]]:
    """One row per strategy, one column per measure (its estimate), in the summary's order."""
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    labels = list(dict.fromkeys(measure_label(r) for r in rows))
    value = {(r["strategy"], measure_label(r)): r["estimate"] for r in rows}
    sims = {r["strategy"]: r["simulations"] for r in rows}
    header = ["strategy", "description", "simulations", *labels]
    body = [
        [s, descriptions.get(s, ""), sims[s], *(_num(value.get((s, label))) for label in labels)]
        for s in strategies
    ]
    return header, body


def _num(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:.6g}"


def copy_scenario(stage: Path, source: str | None) -> None:
    """Copy the scenario file ``source`` (when it is one) into ``stage`` as ``scenario.toml``."""
    if source and Path(source).is_file():
        with writing(stage):
            shutil.copyfile(source, stage / SCENARIO_COPY)


def write_report_if_possible(stage: Path) -> None:
    """Build the report into ``stage`` when the report extra is installed (else nothing: the
    command prints :func:`simcore.cli.report_cmd.report_note`)."""
    from simcore.results.report import missing_modules, write_report

    if not missing_modules():
        write_report(stage)


def write_extras(stage: Path, source: str | None, rows: list[dict], meta: dict) -> None:
    """Write the scenario copy, ``summary_wide.csv`` and ``README.txt`` into ``stage``."""
    copy_scenario(stage, source)
    with writing(stage):
        header, body = wide_rows(rows, meta.get("strategy_descriptions", {}))
        with open(stage / "summary_wide.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
        (stage / "README.txt").write_text(readme_text(meta), encoding="utf-8")


def readme_text(meta: dict) -> str:
    slates = meta.get("slates") or {}
    college = str(meta.get("rule", "")).startswith("college")
    ids = ", ".join(f"{k} = {v}" for k, v in slates.items()) or "(none)"
    strategies = "\n".join(
        f"  - {name}: {desc or '(no description)'}"
        for name, desc in (meta.get("strategy_descriptions") or {}).items()
    )
    seats_cols = (
        "  winner, runner_up, rounds, decisive_section (weighted IRV college) or winner,\n"
        "  no_majority, weight_<candidate> (block college)"
        if college
        else "  seats_<slate id>     seats won by each slate's candidates\n"
        f"  seats_{NO_SLATE_ID:<13} seats won by candidates with no slate\n"
        "  elected              the elected candidates' names, in order of election (a list)"
    )
    return f"""Results of a simcore run: {meta.get("scenario", "")}
{"=" * 60}

Made by: {meta.get("command", "simcore")}
Seed {meta.get("seed")}, {meta.get("simulations")} simulations, rule {meta.get("rule")}.
Run it again with the same seed (and scenario.toml) to get identical files.

Slate ids and names: {ids}
Strategies compared (on the same simulated voters):
{strategies or "  (none)"}

FILES
-----
report.html       The report: charts and tables with explanations, one file that opens in any
                  browser offline and prints well. (Needs simcore's report extra:
                  pip install 'simcore[report]'; rebuild with `simcore report FOLDER`.)
summary.xlsx      The summary as a workbook: sheets Seats, Candidates, Differences,
                  Predictive (simulated first preferences and, for a weighted college,
                  round-1 and final-round shares by section), Parameters, Run (with the
                  report).
plots/            The report's charts as PNG (for slides) and SVG (for print) files.
summary.csv       The summary, one row per strategy and measure (a long table; pivot it).
summary.parquet   The same, as Parquet (seats is an integer column there, null where it does
                  not apply).
summary_wide.csv  The estimates again, one row per strategy and one column per measure.
simulations.parquet  One row per simulation and strategy (the raw outcomes).
scenario.toml     A copy of the scenario file that was run.
run.json          How the run was made: scenario hash, seed, simulations, threads, versions,
                  timings, slate ids and names, strategy descriptions.
README.txt        This key.

summary.csv / summary.parquet COLUMNS
-------------------------------------
Key columns (never empty: "{NOT_APPLICABLE}" means "does not apply to this measure", so that a
pivot table keeps every row):
  strategy     the strategy (a choice of recommended orderings), as named in the scenario
  measure      what is measured: "mean seats", "P(seats = k)", "P(seats >= k)",
               "P(elected)", "first preferences" (the mean first-preference share, with
               its Monte Carlo error) and "first preferences (predictive)" (the share's
               spread across simulations: std_error holds its sd and ci_low/ci_high mean
               -/+ 1.96 sd, the range the share itself is expected in); colleges: "P(win)",
               "P(no majority)", "mean weight won", "mean rounds", "P(decisive section)"
  slate        the slate's display name ("no slate" for candidates without one)
  slate_id     the slate's id, as in the column names of simulations.parquet
               ("{NO_SLATE_ID}" for candidates without a slate)
  candidate    the candidate, for per-candidate measures
  section      the college section, for "P(decisive section)" and "final round"; the
               region, for first preferences by region
  seats        k, for "P(seats = k)" and "P(seats >= k)"
Values:
  estimate     the mean over simulations (a probability for the P(...) measures)
  std_error    its Monte Carlo standard error
  ci_low, ci_high   its 95% interval (Wilson's for probabilities)
  difference_from_first   this strategy's estimate minus the first strategy's, measured on
               the same simulated elections (paired); empty for the first strategy
  difference_std_error, difference_ci_low, difference_ci_high   its standard error and 95%
               interval: an interval that excludes 0 is a difference the simulations resolve
  simulations  the number of simulations

summary_wide.csv COLUMNS
------------------------
  strategy, description, simulations, then one column per measure named
  "MEASURE: SUBJECT" (e.g. "P(seats >= 3): Hilltop", "P(elected): Ben Hill"), holding the
  estimate (the intervals are in summary.csv).

simulations.parquet COLUMNS
---------------------------
  simulation           the simulation's number (0, 1, ...); each strategy has one row per
                       simulation, counted on the same simulated voters
  strategy             the strategy
{seats_cols}
  voters, turnout      the voters who voted, and their share of the electorate
  share_<slate id>, follow_<slate id>, phi_<slate id>, stop_after_slate_<slate id>
                       the drawn support share, the share following the recommended order
                       exactly, the Mallows dispersion of the others, and the share ranking
                       only the slate (national figures of that simulation)
  fp_candidate_<name>, fp_slate_<slate id>, fp_no_slate
                       first-preference shares of that simulation (of all valid ballots):
                       each candidate's (under that strategy), each slate's and the rest's
  fp_slate_<slate id>@<region>, fp_no_slate@<region>
                       the same by region (with more than one region; a college's sections)
  final_<name>, final_<name>@<section>, final_winner, r1_<name>
                       weighted colleges: each candidate's final-round share of the college
                       (0 if excluded earlier) and of each section's non-exhausted ballots,
                       the winner's final share, and each candidate's weighted round-1 share
  The file's metadata (key "simcore") holds run.json's fields, slate ids and names included.
"""
