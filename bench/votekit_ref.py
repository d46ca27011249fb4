"""VoteKit reference timings, run in whatever Python has ``votekit`` installed.

Usage: ``python bench/votekit_ref.py count BALLOTS.npz SEATS REPEATS [WARMUP_S]`` prints JSON
with the median time of ``votekit.elections.FastSTV`` on the profile in BALLOTS.npz (``ballots``:
padded 0-based rankings, -1 padding; ``weights``; ``names``), after one warm-up count and then
counting for WARMUP_S seconds; the profile is built once and each repeat runs the count alone.
``python bench/votekit_ref.py pipeline VOTERS SEATS REPEATS`` times VoteKit's slate
Plackett-Luce generator for 42 candidates in 3 slates plus FastSTV.  Kept free of simcore
imports so that it runs in a separate environment.
"""

from __future__ import annotations

import json
import statistics
import sys
import time


def _profile(ballots, weights, names):
    import pandas as pd
    from votekit import RankProfile

    blank = frozenset("~")
    width = ballots.shape[1]
    cols = {
        f"Ranking_{j + 1}": [frozenset({names[c]}) if c >= 0 else blank for c in ballots[:, j]]
        for j in range(width)
    }
    df = pd.DataFrame(cols)
    df.index.name = "Ballot Index"
    df["Voter Set"] = [frozenset()] * len(df)
    df["Weight"] = weights.astype(float)
    return RankProfile(df=df, candidates=list(names), max_ranking_length=width)


def _version():
    from importlib.metadata import version

    return version("votekit")


def _median(fn, repeats, warmup_s=0.0):
    fn()
    until = time.perf_counter() + warmup_s
    while time.perf_counter() < until:
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def count(path, seats, repeats, warmup_s="0"):
    import numpy as np
    from votekit.elections import FastSTV

    data = np.load(path, allow_pickle=False)
    prof = _profile(data["ballots"], data["weights"], [str(n) for n in data["names"]])
    med, election = _median(lambda: FastSTV(prof, n_seats=seats), repeats, float(warmup_s))
    elected = [c for group in election.get_elected() for c in sorted(group)]
    return {"votekit": _version(), "faststv_median_s": med, "elected": elected}


def pipeline(voters, seats, repeats):
    from votekit.ballot_generator import BlocSlateConfig, slate_pl_profile_generator
    from votekit.elections import FastSTV

    slates = {s: [f"{s}{k}" for k in range(1, 15)] for s in "ABC"}
    blocs = {"X": 0.5, "Y": 0.3, "Z": 0.2}
    own = {"X": "A", "Y": "B", "Z": "C"}
    cohesion = {b: {s: (0.7 if s == own[b] else 0.15) for s in slates} for b in blocs}
    alphas = {b: {s: (1.0 if s == own[b] else 0.5) for s in slates} for b in blocs}
    gen, cnt = [], []
    for k in range(repeats):
        cfg = BlocSlateConfig(
            n_voters=voters,
            slate_to_candidates=slates,
            bloc_proportions=blocs,
            cohesion_mapping=cohesion,
            silent=True,
        )
        cfg.set_dirichlet_alphas(alphas, rng_seed=k)
        t = time.perf_counter()
        prof = slate_pl_profile_generator(cfg, rng_seed=k)
        gen.append(time.perf_counter() - t)
        t = time.perf_counter()
        FastSTV(prof, n_seats=seats, tiebreak="random")
        cnt.append(time.perf_counter() - t)
    return {
        "votekit": _version(),
        "generate_s": statistics.median(gen),
        "count_s": statistics.median(cnt),
        "total_s": statistics.median([g + c for g, c in zip(gen, cnt, strict=True)]),
    }


if __name__ == "__main__":
    try:
        if sys.argv[1] == "count":
            out = count(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:6])
        else:
            out = pipeline(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    except Exception as exc:  # report, never crash the parent benchmark
        out = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out))
