"""scenarios/labour-leadership-2010.toml holds what bench/fit_leadership_2010.py fits from the
published 2010 figures, and the fit reproduces them."""

from __future__ import annotations

import pytest

from bench.fit_leadership_2010 import CANDIDATES, SCENARIO, SECTIONS, STOP, fit, published
from simcore.inputs.scenario_file import read_scenario


@pytest.fixture(scope="module")
def result():
    return fit()


def test_scenario_holds_the_fitted_and_sourced_numbers(result):
    sc = read_scenario(str(SCENARIO))
    strength = {c.name: c.strength for c in sc.candidates}
    for name in CANDIDATES:
        assert strength[name] == pytest.approx(result["strength"][name], abs=5e-4)
    for slate in sc.slates:
        cand = CANDIDATES.index(slate.orderings["only"][0])
        for s, sec in enumerate(SECTIONS):
            assert slate.supporters.region_shares[sec] == result["shares"][s, cand]
        assert slate.supporters.stop_after_slate.value == pytest.approx(STOP)


def test_fit_reproduces_the_published_rounds(result):
    data = published()
    assert result["rms"] < 0.5  # points of the college
    assert abs(result["residuals"]).max() < 0.8
    # round 1 by construction: the shares are the published points, scaled per section
    for s, sec in enumerate(SECTIONS):
        total = sum(data[(1, sec, c)] for c in CANDIDATES)
        for c, name in enumerate(CANDIDATES):
            assert result["shares"][s, c] == pytest.approx(data[(1, sec, name)] / total, abs=1e-5)
    # the final round's winner is the real one
    last = result["rounds"][-1]
    assert last[:, 1].sum() > last[:, 0].sum()
