"""The terminal summary of a run fits the terminal: strategy and slate columns wrap into blocks."""

from __future__ import annotations

import pytest

from simcore.results.sim_table import blocks, render_summary


def _rows(strategies, slates, candidates):
    rows = []
    for s in strategies:
        for g in slates:
            rows.append(
                dict(
                    strategy=s,
                    measure="mean seats",
                    slate=g,
                    candidate="",
                    estimate=1.25,
                    std_error=0.01,
                    difference_from_first=0.125,
                    difference_std_error=0.01,
                )
            )
        for c in candidates:
            rows.append(
                dict(
                    strategy=s,
                    measure="P(elected)",
                    slate=slates[0],
                    candidate=c,
                    estimate=0.5,
                    std_error=0.01,
                )
            )
    return rows


META = dict(scenario="t", simulations=100, seed=1, rule="scottish", seats=3, threads=1)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_many_strategies_and_slates_fit_the_width(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    strategies = [f"strategy number {i}" for i in range(12)]
    slates = [f"Slate {i}" for i in range(9)]
    text = render_summary(_rows(strategies, slates, ["Ann", "Bob"]), META)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    for name in strategies + slates:
        assert name in text
    # every strategy's P(elected) is shown for each candidate: 12 values per candidate row set
    assert sum(line.count("0.500") for line in lines if line.startswith("Ann")) == 12


def test_blocks_split_columns_and_keep_one_per_block_at_least():
    assert [list(b) for b in blocks(10, [20, 20, 20], 55)] == [[0, 1], [2]]
    assert [list(b) for b in blocks(10, [80, 20], 50)] == [[0], [1]]
    assert [list(b) for b in blocks(10, [5, 5], 100)] == [[0, 1]]
