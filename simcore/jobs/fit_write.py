"""Writing a fitted scenario (:mod:`simcore.jobs.fit_ballots`) as TOML with tomlkit, each
fitted value with a comment naming its source."""

from __future__ import annotations

import math
from pathlib import Path

import tomlkit

from simcore.jobs.fit_ballots import Fit


def _beta(mean: float, sd: float):
    """A fixed value, or { mean, sd } (a Beta) where the bootstrap sd makes one."""
    m, s = round(mean, 4), round(sd, 4)
    if 0 < m < 1 and 0 < s and s * s < m * (1 - m):
        t = tomlkit.inline_table()
        t.update({"mean": m, "sd": s})
        return t
    return m


def _down(x: float) -> float:
    """A share to 4 decimals, rounded down (so that the slates' shares never exceed 1)."""
    return math.floor(x * 10000) / 10000


def _commented(table, key, value, comment):
    table.add(key, value)
    table[key].comment(comment)


def scenario_document(fit: Fit, title: str, seats: int, rule: str) -> tomlkit.TOMLDocument:
    files = ", ".join(Path(f).name for f in fit.files)
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Fitted by 'simcore fit' from {files} (each file a region)."))
    doc.add(tomlkit.comment("Every value below is fitted (the comment says from what) unless"))
    doc.add(tomlkit.comment("marked 'assumption'. See docs/calibration.md for the method."))
    doc.add("title", title)
    election = tomlkit.table()
    _commented(election, "seats", seats, "sourced: the ballot files' seats")
    _commented(election, "rule", rule, "assumption")
    doc.add("election", election)
    cands = tomlkit.aot()
    for c, name in enumerate(fit.candidates):
        t = tomlkit.table()
        t.add("name", name)
        if fit.slate_of[c] >= 0:
            _commented(
                t, "slate", fit.slates[fit.slate_of[c]].id, f"sourced: party {fit.party[c]!r}"
            )
        _commented(
            t,
            "strength",
            round(float(fit.strengths[c]), 4),
            "fitted: Plackett-Luce MLE (MM) on non-aligned and post-slate preferences",
        )
        cands.append(t)
    doc.add("candidates", cands)
    slates = tomlkit.table(is_super_table=True)
    for sl in fit.slates:
        t = tomlkit.table()
        t.add("name", sl.name)
        orders = tomlkit.inline_table()
        orders.add("modal", [fit.candidates[c] for c in sl.modal])
        _commented(t, "orderings", orders, f"fitted: the modal order of {sl.supporters} ballots")
        sup = tomlkit.table()
        _commented(
            sup,
            "share",
            _down(sl.share),
            f"fitted: ballots headed by the slate, less non-aligned ones by chance "
            f"(bootstrap sd {sl.share_sd:.4f})",
        )
        if len(fit.regions) > 1:
            rs = tomlkit.inline_table()
            rs.update({r: _down(v) for r, v in sl.region_shares.items()})
            _commented(sup, "region_shares", rs, "fitted: the same, region by region")
        _commented(
            sup,
            "follow",
            _beta(sl.follow, sl.follow_sd),
            "fitted: modal order's share less its Plackett-Luce chance (sd: bootstrap)"
            if len(sl.members) > 1
            else "one candidate: no order to follow",
        )
        _mallows(sup, sl)
        _commented(
            sup,
            "stop_after_slate",
            _beta(sl.stop, sl.stop_sd),
            "fitted: share of the slate's ballots ending after it (sd: bootstrap)",
        )
        lengths = tomlkit.inline_table()
        lengths.add("probs", sl.continue_probs)
        _commented(
            sup, "continue_length", lengths, "fitted: lengths of the slate's ballots after it"
        )
        _next(sup, sl)
        t.add("supporters", sup)
        slates.add(sl.id, t)
    doc.add("slates", slates)
    na = tomlkit.table()
    lengths = tomlkit.inline_table()
    lengths.add("probs", fit.nonaligned_probs)
    _commented(na, "length", lengths, "fitted: lengths of the non-aligned ballots")
    doc.add("nonaligned", na)
    regions = tomlkit.aot()
    for name, n in fit.regions:
        t = tomlkit.table()
        t.add("name", name)
        _commented(t, "electorate", n, "sourced: valid ballots in the file")
        _commented(t, "turnout", 1.0, "assumption: the electorate is the voters")
        regions.append(t)
    doc.add("regions", regions)
    strategies = tomlkit.table(is_super_table=True)
    st = tomlkit.table()
    st.add("description", "the modal orders")
    for sl in fit.slates:
        st.add(sl.id, "modal")
    strategies.add("fitted", st)
    doc.add("strategies", strategies)
    return doc


# -- first-preference totals fitted into an existing scenario (simcore.jobs.fit_totals) ----------


def _sig(x: float) -> float:
    return float(f"{x:.6g}")


def _replaced(table, key, value, source: str) -> None:
    """Replace ``table[key]`` by ``value``, commented with ``source`` and what it was."""
    old = table.get(key)
    was = ""
    if old is not None:
        trivia = getattr(old, "trivia", None)
        note = trivia.comment.lstrip("#").strip() if trivia is not None else ""
        value_text = old.as_string().strip() if hasattr(old, "as_string") else str(old)
        was = f"; was {value_text}" + (f" ({note})" if note else "")
        if note.startswith("fitted") and "; was " in note:  # (refitted: keep the original)
            was = "; was " + note.split("; was ", 1)[1]
    table[key] = value
    table[key].comment(f"{source}{was}")


def totals_document(text: str, sc, fit, source: str) -> tomlkit.TOMLDocument:
    """The scenario file ``text`` (of ``sc``) with the strengths and bloc shares of ``fit`` (a
    :class:`simcore.jobs.fit_totals.TotalsFit`) in place of its own, each commented with
    ``source`` and the value it replaces; everything else, comments included, is kept."""
    doc = tomlkit.parse(text)
    by_name = {c.name: i for i, c in enumerate(sc.candidates)}
    for t in doc.get("candidates", []):
        c = by_name.get(" ".join(str(t.get("name", "")).split()))
        if c is not None and sc.candidates[c].strength != fit.strength[c]:
            _replaced(t, "strength", _sig(fit.strength[c]), source)
    regions = [r.name for r in sc.regions]
    voters = [r.electorate * r.turnout.expected() for r in sc.regions]
    for k, sl in enumerate(sc.slates):
        sup = doc["slates"][sl.id]["supporters"]
        col = [_down6(v) for v in fit.base[:, k]]
        national = [r for r in range(len(regions)) if regions[r] not in sl.supporters.region_shares]
        if fit.by_region:
            rs = tomlkit.inline_table()
            rs.update(dict(zip(regions, col, strict=True)))
            _replaced(sup, "region_shares", rs, f"{source}, region by region")
            mean = sum(v * w for v, w in zip(col, voters, strict=True)) / sum(voters)
            _replaced(sup, "share", _down6(mean), f"{source} (unused: regions' mean)")
            continue
        if national:
            _replaced(sup, "share", col[national[0]], source)
        if sl.supporters.region_shares:
            rs = tomlkit.inline_table()
            rs.update({regions[r]: col[r] for r in range(len(regions)) if r not in national})
            _replaced(sup, "region_shares", rs, f"{source} (the file's regional ratios kept)")
    return doc


def _down6(x: float) -> float:
    """A share to 6 decimals, rounded down (so that the slates' shares never exceed 1)."""
    return math.floor(x * 1e6) / 1e6


# -- Mallows and affinities (fit_mallows, fit_affinity) -------------------------------------------
def _mallows(sup, sl) -> None:
    """``mallows_share`` and ``phi``: fitted (slates of 3 or more), else mallows_share 0."""
    if sl.phi is None:
        _commented(sup, "mallows_share", 0.0, "assumption: non-followers rank by strength")
        return
    # (follow was fitted with them: the maximum-likelihood mixture replaces the moment estimate)
    sup["follow"].comment(
        "fitted: maximum likelihood with mallows_share and phi over the slate's orders "
        "(sd: bootstrap)"
    )
    _commented(
        sup,
        "mallows_share",
        round(sl.mallows_share, 4),
        f"fitted: maximum likelihood, of the non-followers (bootstrap sd {sl.mallows_sd:.4f})",
    )
    _commented(
        sup,
        "phi",
        _beta(sl.phi, sl.phi_sd),
        "fitted: Mallows dispersion, maximum likelihood (EM; sd: bootstrap)",
    )


def _next(sup, sl) -> None:
    """``next``: the slate's affinities, where any differs from 1."""
    if not sl.next or all(round(v, 4) == 1.0 for v in sl.next.values()):
        return
    t = tomlkit.inline_table()
    t.update({j: round(v, 4) for j, v in sl.next.items()})
    se = ", ".join(f"{j} {x:.3f}" for j, x in sl.next_se.items())
    _commented(
        sup,
        "next",
        t,
        f"fitted: maximum likelihood with the strengths on the choices after the slate "
        f"(se of log: {se})",
    )
