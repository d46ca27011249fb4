"""Random numbers for simulations: one independent stream per simulation.

Each simulation ``i`` of a run with seed ``S`` draws from its own xoshiro256** generator
(Blackman & Vigna 2018) whose state is derived by SplitMix64 from a 128-bit key (from
``numpy.random.SeedSequence(S)``) and ``i``.  A simulation's numbers therefore depend only on the
seed and its index: results are identical whatever the number of threads or the chunking.

The samplers are exact algorithms written here, not Numba's legacy ``np.random`` (whose binomial
is biased for large n): uniform doubles with 53 random bits, Box-Muller normals, Marsaglia-Tsang
gammas, betas as gamma ratios, and binomials by inversion (mean < 10) or Hormann's BTRS
transformed rejection (W. Hormann, "The generation of binomial random variates", J. Statist.
Comput. Simul. 46, 1993).  ``tests/test_rng.py`` checks them against scipy's distributions.
"""

from __future__ import annotations

import math

import numpy as np

from simcore.jit import borrowing_kernel, inline_kernel, inlined_kernel, kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def stream_key(seed: int) -> np.ndarray:
    """The 128-bit key of a run with this seed (two uint64)."""
    return np.random.SeedSequence(int(seed)).generate_state(2, dtype=np.uint64)


@inline_kernel
def _splitmix(x):
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31)), x + _GOLDEN


@kernel
def seed_stream(key, index, state):
    """Fill ``state`` (uint64[4]) with the stream of simulation ``index``."""
    mixed, _ = _splitmix(key[1] + np.uint64(index) * _GOLDEN)
    x = key[0] ^ mixed
    for j in range(4):
        z, x = _splitmix(x)
        state[j] = z
    if state[0] == 0 and state[1] == 0 and state[2] == 0 and state[3] == 0:
        state[0] = np.uint64(1)


@inline_kernel
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@inline_kernel
def next_u64(s):
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@inline_kernel
def uniform(s):
    """A double in [0, 1) with 53 random bits."""
    return np.float64(next_u64(s) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@borrowing_kernel
def below(s, n):
    """A uniform integer in [0, n) (Lemire's method without bias)."""
    n64 = np.uint64(n)
    threshold = (np.uint64(0) - n64) % n64
    while True:
        r = next_u64(s)
        if r >= threshold:
            return np.int64(r % n64)


@borrowing_kernel
def normal(s):
    """A standard normal deviate (Box-Muller)."""
    u1 = 1.0 - uniform(s)  # in (0, 1]
    u2 = uniform(s)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@borrowing_kernel
def gamma(s, shape):
    """A Gamma(shape, 1) deviate (Marsaglia & Tsang 2000)."""
    boost = 1.0
    if shape < 1.0:  # Gamma(a) = Gamma(a + 1) * U^(1/a)
        boost = (1.0 - uniform(s)) ** (1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = 1.0 - uniform(s)
        if u < 1.0 - 0.0331 * x * x * x * x:
            return d * v * boost
        if math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return d * v * boost


@borrowing_kernel
def beta(s, a, b):
    """A Beta(a, b) deviate."""
    x = gamma(s, a)
    y = gamma(s, b)
    return x / (x + y)


@borrowing_kernel
def _binomial_inversion(s, n, p):
    q = 1.0 - p
    ratio = p / q
    a = (n + 1) * ratio
    r = q**n
    u = uniform(s)
    x = 0
    while u > r:
        u -= r
        x += 1
        if x > n:  # rounding at the far tail: start again
            u = uniform(s)
            x = 0
            r = q**n
            continue
        r *= a / x - ratio
    return x


_LOG_FACTORIAL = np.array([math.lgamma(k + 1.0) for k in range(256)])


@borrowing_kernel
def log_factorial(k):
    """log(k!) from a table below 256, else Stirling's series (error below 1e-17 there)."""
    if k < 256:
        return _LOG_FACTORIAL[np.int64(k)]
    x = k + 1.0
    ix2 = 1.0 / (x * x)
    return (
        (x - 0.5) * math.log(x)
        - x
        + 0.91893853320467274178
        + (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0 - ix2 / 1680.0))) / x
    )


@borrowing_kernel
def _binomial_btrs(s, n, p):
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    # the exact test's constants are only needed when the quick acceptance fails (rarely)
    ready = False
    alpha = lpq = h = 0.0
    m = 0
    while True:
        u = uniform(s) - 0.5
        v = uniform(s)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return np.int64(k)
        if v <= 0.0:
            continue
        if not ready:
            alpha = (2.83 + 5.1 / b) * spq
            lpq = math.log(p / (1.0 - p))
            m = math.floor((n + 1) * p)
            h = log_factorial(m) + log_factorial(n - m)
            ready = True
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= h - log_factorial(k) - log_factorial(n - k) + (k - m) * lpq:
            return np.int64(k)


@borrowing_kernel
def binomial(s, n, p):
    """An exact Binomial(n, p) deviate."""
    if n <= 0 or p <= 0.0:
        return np.int64(0)
    if p >= 1.0:
        return np.int64(n)
    if n <= 12:  # a few Bernoulli trials are cheaper than any cleverer method
        x = np.int64(0)
        for _ in range(n):
            x += uniform(s) < p
        return x
    flip = p > 0.5
    if flip:
        p = 1.0 - p
    if n * p < 10.0:
        x = np.int64(_binomial_inversion(s, n, p))
    else:
        x = _binomial_btrs(s, n, p)
    return n - x if flip else x


@inlined_kernel
def share_of(s, left, w, mass):
    """How many of ``left`` voters take an option of weight ``w`` out of the ``mass`` left:
    one step of a multinomial split by conditional binomials (all of them when ``w`` is all
    that is left)."""
    return binomial(s, left, min(w / mass, 1.0)) if mass > w else left


@borrowing_kernel
def multinomial(s, n, probs, out):
    """Split ``n`` among categories with probabilities ``probs`` (summing to about 1) into
    ``out`` by conditional binomials."""
    left = n
    rest = 0.0
    for j in range(probs.shape[0]):
        rest += probs[j]
    for j in range(probs.shape[0]):
        if left == 0 or rest <= 0.0:
            out[j] = 0
            continue
        if j == probs.shape[0] - 1:
            out[j] = left
        else:
            x = binomial(s, left, min(probs[j] / rest, 1.0))
            out[j] = x
            left -= x
        rest -= probs[j]
