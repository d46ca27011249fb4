"""``simcore optimize``: find the best regional recommendation for one slate.

Three phases, each on simulations of its own stream (:func:`strategy_eval.phase_key`):

1. **Search** on a fixed set of training simulations (sample-average approximation: every
   recommendation is scored on the same electorates, so comparisons are paired).  When the
   whole space fits the search budget, every recommendation is scored (exhaustive); otherwise
   a local search climbs from the scenario's own strategies, then from random starts: at each
   step the neighbours (:mod:`strategy_space`) are scored in random batches and the search
   moves to the best of the first batch that improves on the current one, until no neighbour
   does (a local optimum), then restarts.
2. **Selection** among the search's best few and the scenario's strategies, on fresh
   simulations, by the Kim-Nelson fully sequential procedure (KN, Kim & Nelson 2001): with
   probability at least 95% it keeps the best whenever the best is at least ``precision``
   better than the others.
3. **Final estimate** of the selected strategy, the runners-up and the scenario's strategies on
   another fresh set of simulations, until every paired difference from the selected one has
   a 95% half-width within ``precision`` (or the budget is spent).  The reported estimate is
   this one: no simulation that helped choose the strategy is reused (no winner's curse).

Everything depends on the seed and the options only: scores are integers, sums are exact, and
every decision is a function of them, so threads and chunking never change the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simcore.jobs.strategy_eval import Evaluator, phase_key
from simcore.jobs.strategy_space import Recommendation, StrategySpace

Z95 = 1.959963984540054
KN_FIRST_STAGE = 20  # KN's first-stage sample size n0
KN_ALPHA = 0.05
FINAL_BATCH = 100  # simulations added per look in the final phase
MIN_FINAL = 100  # the fewest fresh simulations behind a reported estimate


@dataclass
class Tally:
    """Exact sums of one strategy's scores on one phase's simulations."""

    n: int = 0
    total: int = 0
    squares: int = 0

    def add(self, values: np.ndarray) -> None:
        self.n += int(values.shape[0])
        self.total += int(values.sum())
        self.squares += int((values * values).sum())

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan

    @property
    def std_error(self) -> float:
        if self.n < 2:
            return math.nan
        var = (self.squares - self.total * self.total / self.n) / (self.n - 1)
        return math.sqrt(max(var, 0.0) / self.n)


@dataclass(eq=False)
class Entry:
    """A strategy the optimizer has scored."""

    rec: Recommendation
    strategy: np.ndarray  # full orderings
    origin: str  # "search", or the scenario's strategy name
    restart: int = -1
    step: int = -1
    train: Tally = field(default_factory=Tally)
    train_values: np.ndarray | None = None  # per training simulation (for paired screening)
    selection: Tally = field(default_factory=Tally)
    final: Tally = field(default_factory=Tally)
    stage: str = "search"


@dataclass
class Comparison:
    """The final phase: paired differences from the selected strategy."""

    names: list[str]
    entries: list[Entry]
    diff: list[Tally]  # best minus each entry, per simulation
    n: int
    widest: float  # the widest 95% half-width of those differences


@dataclass
class Outcome:
    best: Entry
    entries: list[Entry]  # every strategy scored, in the order first scored
    comparison: Comparison
    method: str  # exhaustive or local
    train_sims: int
    counted: int
    kn_survivors: int
    space_size: int
    selection_sims: int


@dataclass
class Settings:
    budget: int
    precision: float
    train_sims: int
    search: str  # auto, exhaustive or local
    finalists: int
    seed: int


class Pool:
    """Every strategy scored, by its full orderings, in the order first met."""

    def __init__(self, ev: Evaluator) -> None:
        self.ev = ev
        self.by_key: dict[bytes, Entry] = {}
        self.order: list[Entry] = []

    def get(self, rec: Recommendation, origin: str, strategy: np.ndarray | None = None) -> Entry:
        arr = self.ev.strategy(rec) if strategy is None else strategy
        k = arr.tobytes()
        if k not in self.by_key:
            self.by_key[k] = Entry(rec, arr, origin)
            self.order.append(self.by_key[k])
        return self.by_key[k]

    def rank(self, e: Entry) -> int:
        return self.order.index(e)


def optimize(
    space: StrategySpace,
    ev: Evaluator,
    file_strategies: Sequence[tuple[str, int]],
    settings: Settings,
    phase: Callable[[str], None] | None = None,
) -> Outcome:
    """Search, select and estimate; ``file_strategies``: (name, index) of the scenario's."""
    note = phase or (lambda _text: None)
    seed = settings.seed
    pool = Pool(ev)
    own = [
        pool.get(ev.recommendation(i), name, ev.plan.orderings[i]) for name, i in file_strategies
    ]
    search_budget = settings.budget // 2
    n_train = settings.train_sims
    size = space.count()
    exhaustive = settings.search == "exhaustive" or (
        settings.search == "auto" and size * n_train <= search_budget
    )
    note("search (exhaustive)" if exhaustive else "search (local)")
    train_key = phase_key(seed, "search")

    def score(batch: list[Entry]) -> None:
        todo = [e for e in batch if e.train.n == 0]
        if todo:
            values = ev.scores([e.strategy for e in todo], train_key, 0, n_train)
            for j, e in enumerate(todo):
                e.train.add(values[:, j])
                e.train_values = values[:, j].astype(np.int32)

    if exhaustive:
        batch: list[Entry] = []
        for rec in space.enumerate():
            batch.append(pool.get(rec, "search"))
            if len(batch) == 256:
                score(batch)
                batch = []
        score(batch + own)
    else:
        score(own)
        _local_search(space, pool, score, own, search_budget, n_train, seed)

    # selection: the search's best few and the scenario's strategies, on fresh simulations
    # (only strategies in the space searched can be chosen: a file strategy outside it -- more
    # distinct orders than allowed, a pinned candidate elsewhere, other slates' orders changed
    # -- is still estimated in the final phase, for comparison)
    eligible = [e for e in own if _in_space(space, ev, e)]
    finalists = _unique(_screen(pool, settings.finalists, space, ev) + eligible)
    if not finalists:  # (minimum_budget leaves room for at least one strategy of the space)
        raise RuntimeError("the search scored no strategy of the space")
    note(f"selection among {len(finalists)}")
    for e in finalists:
        e.stage = "selection"
    limit = settings.budget - _final_reserve(settings, len(finalists))
    best, survivors, sel_n = _select(
        ev, finalists, phase_key(seed, "selection"), settings.precision, limit
    )
    # the final estimate: the selected one, the runners-up and the scenario's strategies
    runners = sorted(
        (e for e in finalists if e is not best and e.origin == "search"),
        key=lambda e: (-e.selection.mean, pool.rank(e)),
    )
    shown = _unique([best] + runners[: max(settings.finalists - 1, 0)] + own)
    note(f"final estimate of {len(shown)}")
    comparison = _final(ev, shown, phase_key(seed, "final"), settings)
    for e in shown:
        e.stage = "final"
    return Outcome(
        best=best,
        entries=pool.order,
        comparison=comparison,
        method="exhaustive" if exhaustive else "local",
        train_sims=n_train,
        counted=ev.counted,
        kn_survivors=survivors,
        space_size=size,
        selection_sims=sel_n,
    )


def _in_space(space: StrategySpace, ev: Evaluator, e: Entry) -> bool:
    """Whether ``e`` is one of the strategies searched (the base's other slates, the slate's
    orders within the constraints)."""
    return space.valid(e.rec) and np.array_equal(e.strategy, ev.strategy(e.rec))


def _screen(pool: Pool, most: int, space: StrategySpace, ev: Evaluator) -> list[Entry]:
    """The search's leader and the strategies its training simulations cannot tell from it
    (paired difference within two standard errors), best first, at most ``most``: among the
    strategies of the space searched."""
    searched = sorted(
        (e for e in pool.order if e.train.n and _in_space(space, ev, e)),
        key=lambda e: (-e.train.total, pool.rank(e)),
    )
    if not searched:
        return []
    lead = searched[0]
    keep = [lead]
    for e in searched[1:]:
        if len(keep) >= most:
            break
        d = (lead.train_values - e.train_values).astype(np.float64)
        se = d.std(ddof=1) / math.sqrt(d.size) if d.size > 1 else math.inf
        if d.mean() <= 2 * se:
            keep.append(e)
    return keep


def _unique(items: list[Entry]) -> list[Entry]:
    out: list[Entry] = []
    for e in items:
        if all(e is not o for o in out):
            out.append(e)
    return out


def _final_reserve(settings: Settings, n: int) -> int:
    """Budget kept for the final phase: at least MIN_FINAL simulations of each strategy shown,
    and a quarter of the budget."""
    return max(settings.budget // 4, MIN_FINAL * n)


def minimum_budget(n_train: int, n_file: int, finalists: int) -> int:
    """The smallest budget that says anything: the scenario's strategies and a first batch of
    neighbours on the training simulations, KN's first stage and the final minimum."""
    shown = finalists + n_file
    return 2 * (n_train * (n_file + 1)) + KN_FIRST_STAGE * shown + MIN_FINAL * shown


def _local_search(space, pool, score, own, budget, n_train, seed) -> None:
    ev = pool.ev
    rng = np.random.default_rng([int(seed), 4])
    starts: list[Recommendation] = [e.rec for e in own if space.valid(e.rec)]
    restart = 0
    idle = 0  # restarts in a row that scored nothing new
    total = space.count()
    while ev.counted + n_train <= budget and idle < 50 and len(pool.order) < total:
        before = ev.counted
        rec = starts[restart] if restart < len(starts) else space.random(rng)
        current = pool.get(rec, "search")
        if current.restart < 0:
            current.restart, current.step = restart, 0
        score([current])
        step = 0
        while True:
            nbrs = space.neighbours(current.rec)
            moved = False
            for a in range(0, len(nbrs), 64):
                room = (budget - ev.counted) // n_train
                pick = [nbrs[i] for i in rng.permutation(len(nbrs))[a : a + 64]]
                batch = [pool.get(r, "search") for r in pick]
                new = [e for e in batch if e.train.n == 0][: max(room, 0)]
                if len(new) < sum(1 for e in batch if e.train.n == 0):
                    return  # the search budget is spent
                for e in new:
                    e.restart, e.step = restart, step + 1
                score(new)
                top = max(batch, key=lambda e: e.train.total)
                if top.train.total > current.train.total:
                    current, moved = top, True
                    break
            if not moved:
                break
            step += 1
        restart += 1
        idle = idle + 1 if ev.counted == before else 0


def _select(ev, finalists, key, precision, limit) -> tuple[Entry, int, int]:
    """KN's fully sequential selection with common random numbers (Kim & Nelson 2001, with
    indifference zone ``precision``), spending at most up to ``limit`` strategy-simulations
    in all: the selected entry, how many were left when it stopped (1: KN's guarantee holds;
    more: the budget ran out first, or the rest tie on every simulation) and the simulations
    used."""
    k = len(finalists)
    if k == 1:
        return finalists[0], 1, 0
    n0 = KN_FIRST_STAGE
    eta = 0.5 * ((2 * KN_ALPHA / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    h2 = 2 * eta * (n0 - 1)
    alive = list(range(k))
    values = np.zeros((0, k), np.int64)
    r = 0
    s2 = np.zeros((k, k))
    while len(alive) > 1:
        # KN needs no more than h2 S2 / delta^2 observations of any pair still in
        horizon = max(h2 * s2[i, j] / precision**2 for i in alive for j in alive if i != j)
        n = values.shape[0]
        if n >= n0 and horizon < r:
            break  # every pair's continuation region has closed: the rest tie exactly
        batch = n0 if n == 0 else max(min(n, 400, int(horizon) + 1 - n), 1)
        if n >= n0 and ev.counted + batch * len(alive) > limit:
            break
        got = ev.scores([finalists[i].strategy for i in alive], key, n, batch)
        new = np.zeros((batch, k), np.int64)
        new[:, alive] = got
        values = np.concatenate([values, new])
        for j, i in enumerate(alive):
            finalists[i].selection.add(got[:, j])
        if n == 0:  # variances of the pairwise differences, from the first stage
            d = values[:n0, :, None] - values[:n0, None, :]
            s2 = d.var(axis=0, ddof=1)
        # screen after each observation, as the procedure takes them one at a time
        sums = values[:r].sum(axis=0).astype(np.float64)
        while r < values.shape[0] and len(alive) > 1:
            sums += values[r]
            r += 1
            if r < n0:
                continue
            means = sums / r
            old = list(alive)
            alive = [
                i
                for i in old
                if all(
                    means[i] >= means[j] - _kn_w(precision, h2, s2[i, j], r) for j in old if j != i
                )
            ]
    means = values[:r].sum(axis=0) / max(r, 1)
    pick = max(alive, key=lambda i: (means[i], -i))
    return finalists[pick], len(alive), values.shape[0]


def _kn_w(delta: float, h2: float, s2: float, r: int) -> float:
    return max(0.0, delta / (2 * r) * (h2 * s2 / delta**2 - r))


def _final(ev, shown: list[Entry], key, settings: Settings) -> Comparison:
    n = 0
    diffs = [Tally() for _ in shown]
    widest = math.inf
    while True:
        room = (settings.budget - ev.counted) // len(shown)
        if n >= MIN_FINAL and room < FINAL_BATCH:
            break
        step = FINAL_BATCH if n >= MIN_FINAL or room >= MIN_FINAL else MIN_FINAL
        values = ev.scores([e.strategy for e in shown], key, n, step)
        n += step
        for j, e in enumerate(shown):
            e.final.add(values[:, j])
            diffs[j].add(values[:, 0] - values[:, j])
        widest = max(
            (Z95 * d.std_error for d in diffs[1:] if d.n > 1 and d.std_error == d.std_error),
            default=0.0,
        )
        if n >= MIN_FINAL and widest <= settings.precision:
            break
    names = [e.origin if e.origin != "search" else "" for e in shown]
    return Comparison(names, shown, diffs, n, widest)
