"""``report.html``: one self-contained page (inline CSS and SVG, no script, no request), from
the jinja2 template shipped beside this module."""

from __future__ import annotations

import math
from pathlib import Path

import jinja2
from markupsafe import Markup

from simcore.results.report.folder_data import NA, FolderData
from simcore.results.report.parameters import parameter_rows
from simcore.results.report.workbook import run_rows

TEMPLATES = Path(__file__).resolve().parent / "templates"


def pct(x, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{100 * x:.{digits}f}%"


def num(x, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def headline(data: FolderData) -> list[dict]:
    """Per slate (or, for a college, per candidate): each strategy's estimate with its interval
    and its paired difference from the first strategy."""
    measure = "P(win)" if data.college else "mean seats"
    rows = data.measure(measure)
    out = []
    key = "candidate" if data.college else "slate"
    for who in dict.fromkeys(r[key] for r in rows):
        mine = {r["strategy"]: r for r in rows if r[key] == who}
        if all(r["estimate"] == 0 for r in mine.values()):
            continue
        cells = []
        for s in data.strategies:
            r = mine[s]
            f = pct if data.college else num
            cell = {
                "value": f(r["estimate"]),
                "interval": f"{f(r['ci_low'])} to {f(r['ci_high'])}",
                "diff": "",
                "resolved": False,
            }
            d = r["difference_from_first"]
            if s != data.strategies[0] and not math.isnan(d):
                g = (
                    (lambda x: f"{100 * x:+.1f} points")
                    if data.college
                    else (lambda x: f"{x:+.2f}")
                )
                cell["diff"] = (
                    f"{g(d)} (95%: {g(r['difference_ci_low'])} to {g(r['difference_ci_high'])})"
                )
                cell["resolved"] = r["difference_ci_low"] > 0 or r["difference_ci_high"] < 0
            cells.append(cell)
        out.append({"who": who, "cells": cells})
    return out


def render_page(data: FolderData, charts) -> str:
    from simcore.results.report.page_kinds import (
        optimize_context,
        scenario_descriptions,
        sweep_context,
    )

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["num"] = num
    params = parameter_rows(data.scenario) if data.scenario is not None else []
    m = data.meta
    context = {
        "title": m.get("scenario", "simcore results"),
        "description": getattr(data.scenario, "description", ""),
        "meta": m,
        "college": data.college,
        "strategies": data.strategies,
        "descriptions": scenario_descriptions(data),
        "charts": charts,
        "markup": Markup,
        "params": params,
        "overrides": m.get("overrides") or [],
        "scenario_note": data.scenario_note,
        "run": run_rows(data),
        "NA": NA,
    }
    if data.kind == "sweep":
        context["sweep"] = sweep_context(data)
    elif data.kind == "optimize":
        context["opt"] = optimize_context(data)
    else:
        from simcore.results.report.predictive import college_tables, first_preference_tables

        context["headline"] = headline(data)
        context["first_prefs"] = first_preference_tables(data)
        context["college_shares"] = college_tables(data)
    return env.get_template(f"{data.kind}.html.j2").render(**context)
