"""The forecast-scotland calibration pieces: scoring against hand-computed values, the
first-preference baseline against DOMAIN.md's figures, and a ward scenario built from first
preferences simulating those first preferences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.datasets import scot_elex
from simcore.inputs.scenario_file import parse_scenario
from simcore.inputs.scotcsv import read_scot_csv
from simcore.jobs.forecast import fit_parties, scenario_text, ward_of, ward_scenario
from simcore.jobs.forecast_score import (
    brier,
    fp_baseline,
    log_loss,
    reliability,
    score,
    top_k_right,
    winners,
)
from simcore.jobs.run import run_scenario
from simcore.results.first_pref_outputs import PREDICTIVE


def test_brier_and_log_loss_by_hand():
    p, y = [0.9, 0.2, 0.0, 1.0], [1, 0, 1, 1]
    assert brier(p, y) == pytest.approx((0.01 + 0.04 + 1 + 0) / 4)
    want = -(math.log(0.9) + math.log(0.8) + math.log(1e-3) + math.log(1 - 1e-3)) / 4
    assert log_loss(p, y) == pytest.approx(want)


def test_reliability_bins_by_hand():
    rows = reliability([0.05, 0.08, 0.95, 1.0, 0.55], [0, 1, 1, 1, 0])
    assert rows == [
        {"bin": "0.0-0.1", "mean_p": 0.065, "share_elected": 0.5, "count": 2},
        {"bin": "0.5-0.6", "mean_p": 0.55, "share_elected": 0.0, "count": 1},
        {"bin": "0.9-1.0", "mean_p": 0.975, "share_elected": 1.0, "count": 2},
    ]


def test_top_k_right_uses_the_tiebreak():
    y = np.array([1, 0, 1])
    assert top_k_right([1.0, 0.5, 0.5], y, 2, tiebreak=[0, 10, 20])
    assert not top_k_right([1.0, 0.5, 0.5], y, 2, tiebreak=[0, 20, 10])
    s = score([(np.array([1.0, 0.5, 0.5]), y, 2, np.array([0, 10, 20]))])
    assert s["wards_right"] == 1 and s["brier"] == pytest.approx(0.25 / 3 * 2, abs=1e-5)


def _files(year):
    return sorted((scot_elex() / "csv").glob(f"*/*_{year}_*.csv"))


@pytest.mark.slow
def test_fp_baseline_reproduces_domain_figures():
    """DOMAIN.md: over all 2,519 candidates of the 345 wards of 2022, 'most first preferences
    win' has Brier 0.081 and gets 244 wards fully right (winners counted by simcore)."""
    rows = []
    for path in _files(2022):
        prof = read_scot_csv(path)
        w = ward_of(prof, path.stem)
        rows.append((fp_baseline(w), winners(w, prof), w.seats, w.fp))
    s = score(rows)
    assert len(rows) == 345 and sum(len(r[0]) for r in rows) == 2519
    assert round(s["brier"], 3) == 0.081
    assert s["wards_right"] == 244


def test_ward_scenario_simulates_its_first_preferences():
    wards = [ward_of(read_scot_csv(p), p.stem) for p in _files(2017)[:40]]
    model = fit_parties(wards, min_supporters=2000)
    assert {"SNP", "Con", "ind", "other"} <= set(model.parties)
    snp = model.parties["SNP"]
    assert 0.5 < snp.consecutive < 1 and 0 < snp.stop < 1
    assert snp.next["Gr"] > 1 > snp.next["Con"]  # SNP voters go on to the Greens
    path = next(p for p in _files(2022) if "aberdeen_2022_ward12" in p.name)
    ward = ward_of(read_scot_csv(path), path.stem)
    doc = ward_scenario(ward, model, sims=300, seed=5)
    sc = parse_scenario(scenario_text(doc))
    summary = run_scenario(sc, threads=1, precision=None)
    sim = {
        r["candidate"]: (r["estimate"], r["std_error"])
        for r in summary.rows
        if r["measure"] == PREDICTIVE and r["candidate"] and r["section"] == ""
    }
    fp = ward.fp / ward.valid
    for c, name in enumerate(ward.candidates):
        mean, sd = sim[name]
        # Monte Carlo error of the mean over 300 simulations, plus a little rounding slack
        assert abs(mean - fp[c]) < 4 * sd / math.sqrt(300) + 2e-3, name
