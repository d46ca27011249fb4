"""Counting benchmarks: nec20 under each rule, the Scottish corpus, compile and start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench import votekit_runner as votekit
from bench.calibration import GATE_REPEATS, paired_cost
from bench.common import benchmark, gate_figures, timeit
from bench.datasets import nec20, scot_elex

WARMUP_S = 2.0


@benchmark(
    "count-nec20",
    "one count of nec20.blt (100,000 ballots, 20 candidates, 9 seats), one core, after warm-up",
)
def count_nec20(quick: bool) -> dict:
    import simcore
    from simcore.counting.api import prepare_count
    from simcore.kernels.trie import build_trie

    prof = simcore.read_ballots(nec20())
    out: dict = {"distinct_ballots": prof.n_distinct, "tree_nodes": int(prof.trie[0].shape[0])}
    build = timeit(
        lambda: build_trie(prof.ballots, prof.weights, prof.n_candidates), 10 if quick else 50
    )
    # the ballot tree is built once per profile and reused by every count of it
    out["tree_build_ms"] = round(build["median_s"] * 1e3, 4)
    # every count is timed after WARMUP_S seconds of the same count (see timeit)
    for rule, reps in (("scottish", 1000), ("meek", 60), ("ers97", 300)):
        reps = max(reps // 20, 3) if quick else reps
        job = prepare_count(prof, rule, seed=1)
        if rule == "scottish":
            # the first counts of the process, before the machine's ramp (see timeit)
            cold = timeit(job.run, reps, warmup=2)
            out["scottish_count_unwarmed_ms"] = round(cold["median_s"] * 1e3, 4)
        kernel = timeit(job.run, reps, warmup_s=0.0 if quick else WARMUP_S)
        api = timeit(lambda r=rule: simcore.count(prof, r, seed=1), max(reps // 5, 3))
        out[f"{rule}_count_ms"] = round(kernel["median_s"] * 1e3, 4)
        out[f"{rule}_count_min_ms"] = round(kernel["min_s"] * 1e3, 4)
        out[f"{rule}_api_ms"] = round(api["median_s"] * 1e3, 4)
        out[f"{rule}_elected"] = list(simcore.count(prof, rule, seed=1).elected)
    ref = votekit.faststv(prof, 9, 3 if quick else 15, 0.0 if quick else WARMUP_S)
    if "faststv_median_s" in ref:
        out["votekit_version"] = ref["votekit"]
        out["votekit_faststv_ms"] = round(ref["faststv_median_s"] * 1e3, 3)
        out["speedup_vs_votekit"] = round(
            ref["faststv_median_s"] * 1e3 / out["scottish_count_ms"], 1
        )
        out["speedup_vs_votekit_unwarmed"] = round(
            ref["faststv_median_s"] * 1e3 / out["scottish_count_unwarmed_ms"], 1
        )
        out["votekit_elected"] = ref["elected"]
    else:
        out["votekit"] = ref
    return out


def _count_cost(bench: str, path, rule: str, batch: int) -> dict:
    """One count of the ballot file ``path`` under ``rule``, in calibration loops (timed in
    batches of ``batch`` counts, about 10 ms), after 1 s of the same count (see ``timeit``)."""
    import simcore
    from simcore.counting.api import prepare_count

    job = prepare_count(simcore.read_ballots(path), rule, seed=1)

    def work():
        for _ in range(batch):
            job.run()

    return paired_cost(bench, work, GATE_REPEATS, batch, warmup_s=1.0)


@gate_figures("count-nec20")
def count_nec20_gate(quick: bool) -> dict:
    # (the Scottish and ERS97 counts of nec20, 0.15-0.2 ms each, are memory-bound, and their
    # gate figures moved by up to 2.1x between runs on the loaded development machine: they are
    # gated on a council election instead, see the corpus benchmark)
    return {"meek_count": _count_cost("count-nec20", nec20(), "meek", 3)}


GATE_WARD = "csv/10_cands/edinburgh_2017_ward12.csv"  # 10,649 ballots, 10 candidates, 4 seats


@benchmark("corpus", "read and count (Scottish rules) all 1,070 scot-elex CSV elections")
def corpus(quick: bool) -> dict:
    import simcore

    files = sorted((scot_elex() / "csv").rglob("*.csv"))
    if quick:
        files = files[:100]
    simcore.count(simcore.read_ballots(files[0]), seed=0)  # compile outside the timing
    t = time.perf_counter()
    profiles = [simcore.read_ballots(f) for f in files]
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    for p in profiles:
        simcore.count(p, seed=0)
    count_s = time.perf_counter() - t
    return {
        "elections": len(files),
        "read_s": round(read_s, 3),
        "count_s": round(count_s, 3),
        "total_s": round(read_s + count_s, 3),
        "ballots": sum(p.n_ballots for p in profiles),
    }


@gate_figures("corpus")
def corpus_gate(quick: bool) -> dict:
    """One count of a council ward (Edinburgh 2017 ward 12) under the Scottish and ERS97 rules."""
    ward = scot_elex() / GATE_WARD
    return {
        "scottish_count": _count_cost("corpus", ward, "scottish", 400),
        "ers97_count": _count_cost("corpus", ward, "ers97", 400),
    }


_START = (
    "import time; t=time.perf_counter(); import simcore; "
    "p=simcore.read_ballots({path!r}); simcore.count(p, seed=1); "
    "print(time.perf_counter()-t)"
)


@benchmark("startup", "a fresh process reading and counting nec20: cold compile vs cached")
def startup(quick: bool) -> dict:
    code = _START.format(path=str(nec20()))
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)

        def once():
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-P", "-c", code],  # -P: not from the current folder
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return time.perf_counter() - t, float(proc.stdout.strip())

        cold_wall, cold_inner = once()
        cached = [once() for _ in range(1 if quick else 3)]
    cached.sort()
    mid = cached[len(cached) // 2]
    return {
        "cold_process_s": round(cold_wall, 3),
        "cold_import_read_count_s": round(cold_inner, 3),
        "cached_process_s": round(mid[0], 3),
        "cached_import_read_count_s": round(mid[1], 3),
    }
