"""The ``forecast-scotland`` calibration benchmark (docs/validation.md): party behaviour fitted
on the 2017 Scottish council ballots; every 2022 ward forecast from its first preferences alone
and scored against the winners counted from its 2022 ballots. Not a gate figure."""

from __future__ import annotations

import time

import numpy as np

from bench.common import benchmark
from bench.datasets import scot_elex
from simcore.inputs.scotcsv import read_scot_csv
from simcore.jobs.forecast import fit_parties, p_elected, ward_of, ward_scenario
from simcore.jobs.forecast_score import fp_baseline, score, winners

SEED = 2022


def _read(year: int):
    paths = sorted((scot_elex() / "csv").glob(f"*/*_{year}_*.csv"))
    out = []
    for p in paths:
        prof = read_scot_csv(p)
        out.append((ward_of(prof, p.stem), prof))
    return out


def run_forecast(quick: bool, wards: int | None = None, sims: int | None = None) -> dict:
    t0 = time.perf_counter()
    model = fit_parties([w for w, _ in _read(2017)])
    data = _read(2022)
    truth = [winners(w, prof) for w, prof in data]
    # the first-preference baseline over every 2022 ward (a check of the scoring: DOMAIN.md)
    fp_all = score(
        [(fp_baseline(w), y, w.seats, w.fp) for (w, _), y in zip(data, truth, strict=True)]
    )
    n = wards if wards is not None else (50 if quick else len(data))
    sims = sims if sims is not None else (100 if quick else 500)
    step = max(len(data) // n, 1)
    chosen = list(range(0, len(data), step))[:n]
    model_f, pl_f, fp_f = [], [], []
    for i in chosen:
        w, y = data[i][0], truth[i]
        for party, out in ((True, model_f), (False, pl_f)):
            doc = ward_scenario(w, model, sims=sims, seed=SEED + i, party=party)
            pe = p_elected(doc)
            out.append((np.array([pe[c] for c in w.candidates]), y, w.seats, w.fp))
        fp_f.append((fp_baseline(w), y, w.seats, w.fp))
    figures = {
        "wards": len(chosen),
        "candidates": int(sum(len(f[0]) for f in model_f)),
        "sims_per_ward": sims,
        "parties_fitted": sorted(model.parties),
        "fp_baseline_all_2022": {k: v for k, v in fp_all.items() if k != "reliability"}
        | {"wards": len(data), "candidates": int(sum(len(y) for y in truth))},
    }
    for name, f in (("model", model_f), ("pl_baseline", pl_f), ("fp_baseline", fp_f)):
        s = score(f)
        figures[name] = {k: v for k, v in s.items() if k != "reliability"}
        figures[f"{name}_reliability"] = s["reliability"]
    figures["wall_s"] = round(time.perf_counter() - t0, 1)
    return figures


@benchmark(
    "forecast-scotland",
    "Calibration: 2022 Scottish council wards forecast from first preferences with party "
    "behaviour fitted on 2017 (Brier, log loss, wards right; two baselines)",
)
def forecast_scotland(quick: bool) -> dict:
    return run_forecast(quick)
