"""College simulation benchmarks: the 2010 Labour leadership college and a US-shaped block
college, end to end (draws, generation, count, writing)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.bench_simulate import _run_process, chunk_cost, parallel_efficiency
from bench.common import ROOT, benchmark, gate_figures


def _bench(name: str, quick: bool) -> dict:
    scenario = ROOT / "scenarios" / name
    sims = 200 if quick else 50_000
    out: dict = {"scenario": name, "simulations": sims}
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 2):
            r = _run_process(sims, threads, Path(tmp) / f"t{threads}", scenario)
            out[f"threads_{threads}_sims_per_s"] = r["sims_per_s"]
            out[f"threads_{threads}_peak_rss_mib"] = r["peak_rss_mib"]
            out[f"threads_{threads}_cpu_utilisation"] = r["cpu_utilisation"]
    out["parallel_efficiency"] = parallel_efficiency(
        out["threads_1_sims_per_s"], out["threads_2_sims_per_s"]
    )
    return out


@benchmark(
    "college-2010",
    "Labour leadership 2010 college (5 candidates, 3 weighted sections, "
    "~340,000 voters) end to end; target 20,000 simulations/s on 2 threads",
)
def college_2010(quick: bool) -> dict:
    return _bench("labour-leadership-2010.toml", quick)


@gate_figures("college-2010")
def college_2010_gate(quick: bool) -> dict:
    scenario = ROOT / "scenarios" / "labour-leadership-2010.toml"
    return {"sim": chunk_cost("college-2010", scenario, 200)}


@benchmark(
    "college-block",
    "US-shaped block-vote college (51 units, 3 candidates, ~80 million voters) end to end",
)
def college_block(quick: bool) -> dict:
    return _bench("block-college.toml", quick)


@gate_figures("college-block")
def college_block_gate(quick: bool) -> dict:
    return {"sim": chunk_cost("college-block", ROOT / "scenarios" / "block-college.toml", 200)}
