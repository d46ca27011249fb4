"""Exact integer arithmetic for fixed-point counting.

Vote values are integers in units of ``10**-decimals`` of a vote.  ``muldiv_floor(a, b, c)`` is
``floor(a * b / c)`` computed exactly for non-negative int64 operands even when ``a * b``
overflows 64 bits (it then falls back to 128-bit long division).
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel

INT64_MAX = np.int64(np.iinfo(np.int64).max)


@kernel
def _mul_u128(a, b):
    """Full 128-bit product of two unsigned 64-bit numbers as (hi, lo)."""
    mask = np.uint64(0xFFFFFFFF)
    s32 = np.uint64(32)
    a_lo = a & mask
    a_hi = a >> s32
    b_lo = b & mask
    b_hi = b >> s32
    p0 = a_lo * b_lo
    p1 = a_lo * b_hi
    p2 = a_hi * b_lo
    p3 = a_hi * b_hi
    mid = (p0 >> s32) + (p1 & mask) + (p2 & mask)
    lo = (p0 & mask) | ((mid & mask) << s32)
    hi = p3 + (p1 >> s32) + (p2 >> s32) + (mid >> s32)
    return hi, lo


@kernel
def _div_u128(hi, lo, c):
    """floor((hi * 2**64 + lo) / c) for a quotient that fits in 63 bits (bitwise long division)."""
    one = np.uint64(1)
    q = np.uint64(0)
    r = np.uint64(0)
    for k in range(127, -1, -1):
        top = (r >> np.uint64(63)) & one
        if k >= 64:
            bit = (hi >> np.uint64(k - 64)) & one
        else:
            bit = (lo >> np.uint64(k)) & one
        r = (r << one) | bit
        if top == one or r >= c:
            r = r - c
            if k < 64:
                q = q | (one << np.uint64(k))
    return q


@kernel
def muldiv_floor(a, b, c):
    """floor(a * b / c) for 0 <= a, b and 0 < c, exactly, assuming the result fits in int64."""
    a = np.int64(a)
    b = np.int64(b)
    c = np.int64(c)
    if a == 0 or b == 0:
        return np.int64(0)
    if a <= INT64_MAX // b:
        return (a * b) // c
    hi, lo = _mul_u128(np.uint64(a), np.uint64(b))
    return np.int64(_div_u128(hi, lo, np.uint64(c)))


@kernel
def muldiv_ceil(a, b, c):
    """ceil(a * b / c) for 0 <= a, b and 0 < c, exactly."""
    f = muldiv_floor(a, b, c)
    hi1, lo1 = _mul_u128(np.uint64(a), np.uint64(b))
    hi2, lo2 = _mul_u128(np.uint64(f), np.uint64(c))
    if hi1 != hi2 or lo1 != lo2:
        return f + 1
    return f
