"""``simcore fit BALLOTS... --into SCENARIO``: a ballot-file fit (:mod:`simcore.jobs.fit_ballots`)
written into an existing scenario instead of a new file.

The fitted keys replace the scenario's own, each commented with its source (the comment of the
new file's key, :func:`simcore.jobs.fit_write.scenario_document`, and the files) and the value
and comment it replaces; everything else, comments included, is kept:

* replaced: each candidate's ``strength``; each slate's supporters' ``share`` (and
  ``region_shares`` with more than one region), ``follow``, ``mallows_share``, ``phi``,
  ``stop_after_slate``, ``continue_length`` and ``next``; the non-aligned ``length``;
* kept: the title, the election, the candidates' slates, the orderings and strategies (the
  user's choices: the fitted ``follow`` is the rate of following the modal order found in the
  ballots, named in its comment), the regions (electorate, turnout, weights) and everything
  else.

The scenario must describe the same election: the same candidates, each party of the files a
slate of the scenario with exactly its candidates (ids may differ), and the same regions (by
name; one region each may differ in name).  Each mismatch is one line."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from simcore.errors import InputError
from simcore.jobs.fit_ballots import Fit
from simcore.jobs.fit_write import _replaced, scenario_document

SUPPORTER_KEYS = (
    "share",
    "region_shares",
    "follow",
    "mallows_share",
    "phi",
    "stop_after_slate",
    "continue_length",
)


def _names(xs) -> str:
    return ", ".join(repr(x) for x in xs)


def slate_map(sc, fit: Fit) -> dict[str, str]:
    """The scenario's slate id for each fitted slate id (a party of the files): the slate with
    exactly the party's candidates."""
    files_only = sorted(set(fit.candidates) - set(sc.candidate_names))
    scenario_only = sorted(set(sc.candidate_names) - set(fit.candidates))
    if files_only or scenario_only:
        what = []
        if files_only:
            what.append(f"{_names(files_only)} not in the scenario")
        if scenario_only:
            what.append(f"{_names(scenario_only)} not in the ballot files")
        raise InputError(
            f"the ballot files' candidates differ from the scenario's: {'; '.join(what)}",
            path=sc.source,
        )
    members = {
        sl.id: frozenset(c.name for c in sc.candidates if c.slate == sl.id) for sl in sc.slates
    }
    found = {}
    for sl in fit.slates:
        names = frozenset(fit.candidates[c] for c in sl.members)
        match = [sid for sid, m in members.items() if m == names]
        if not match:
            raise InputError(
                f"party {sl.name!r} ({_names(sorted(names))}) is no slate of the scenario "
                "(a slate with exactly those candidates)",
                path=sc.source,
            )
        found[sl.id] = match[0]
    unmatched = [sid for sid in members if sid not in found.values()]
    if unmatched:
        raise InputError(
            f"slate {unmatched[0]!r} of the scenario is no party in the ballot files",
            path=sc.source,
        )
    return found


def region_map(sc, fit: Fit) -> dict[str, str]:
    """The scenario's region for each file (region) of the fit."""
    files = [name for name, _ in fit.regions]
    mine = [r.name for r in sc.regions]
    if len(files) == 1 and len(mine) == 1:
        return {files[0]: mine[0]}
    if set(files) != set(mine):
        raise InputError(
            f"the ballot files are regions {_names(files)}; the scenario's are {_names(mine)} "
            "(name the files, or the scenario's regions, alike)",
            path=sc.source,
        )
    return {r: r for r in files}


def _value(item):
    """A plain copy of a tomlkit value (inline tables stay inline)."""
    v = item.unwrap() if hasattr(item, "unwrap") else item
    if isinstance(v, dict):
        t = tomlkit.inline_table()
        t.update(v)
        return t
    return v


def _replace(table, key, value, note: str) -> None:
    """``table[key] = value`` commented ``note``, and with the value and comment it replaces
    (:func:`simcore.jobs.fit_write._replaced`) where they differ from the new ones."""
    old = table.get(key)
    if old is not None and old.as_string().strip() == tomlkit.item(value).as_string().strip():
        if _note(old) == note:
            return
        table[key] = value
        table[key].comment(f"{note} (unchanged)")
        return
    _replaced(table, key, value, note)


def _note(item) -> str:
    trivia = getattr(item, "trivia", None)
    return trivia.comment.lstrip("#").strip() if trivia is not None else ""


def ballots_into_document(text: str, sc, fit: Fit) -> tomlkit.TOMLDocument:
    """The scenario file ``text`` (of ``sc``) with the keys fitted in ``fit`` replaced."""
    slates = slate_map(sc, fit)
    regions = region_map(sc, fit)
    files = ", ".join(Path(f).name for f in fit.files)
    tag = f" [simcore fit {files}]"
    fresh = scenario_document(fit, sc.title, sc.seats, sc.rule)
    doc = tomlkit.parse(text)
    new_strength = {t["name"]: t["strength"] for t in fresh["candidates"]}
    for t in doc.get("candidates", []):
        name = " ".join(str(t.get("name", "")).split())
        if name in new_strength:
            item = new_strength[name]
            _replace(t, "strength", _value(item), _note(item) + tag)
    for sl in fit.slates:
        sup = doc["slates"][slates[sl.id]]["supporters"]
        new = fresh["slates"][sl.id]["supporters"]
        for key in SUPPORTER_KEYS:
            if key not in new:
                continue
            value, note = _value(new[key]), _note(new[key])
            if key == "region_shares":
                value = tomlkit.inline_table()
                value.update({regions[r]: v for r, v in new[key].unwrap().items()})
            if key == "follow" and len(sl.members) > 1:
                modal = ", ".join(fit.candidates[c] for c in sl.modal)
                note = f"{note}; of the modal order {modal}"
            _replace(sup, key, value, note + tag)
        nxt = {slates[j]: round(v, 4) for j, v in sl.next.items()}
        if nxt:
            value = tomlkit.inline_table()
            value.update(nxt)
            se = ", ".join(f"{slates[j]} {x:.3f}" for j, x in sl.next_se.items())
            note = (
                "fitted: maximum likelihood with the strengths on the choices after the slate"
                + (f" (se of log: {se})" if se else "")
            )
            _replace(sup, "next", value, note + tag)
    na = doc.get("nonaligned")
    if na is None:
        na = tomlkit.table()
        doc.add("nonaligned", na)
    item = fresh["nonaligned"]["length"]
    _replace(na, "length", _value(item), _note(item) + tag)
    return doc
