"""Exact integer arithmetic for fixed-point counting.

Vote values are integers in units of ``10**-decimals`` of a vote.  ``muldiv_floor(a, b, c)`` is
``floor(a * b / c)`` computed exactly for non-negative int64 operands even when ``a * b``
overflows 64 bits (it then falls back to 128-bit long division).

Unsigned 128-bit values (the wide Meek count, :mod:`simcore.kernels.meek_wide`) are pairs
``(hi, lo)`` of uint64 meaning ``hi * 2**64 + lo``; the ``*_u128`` helpers add, subtract,
compare, multiply and divide them exactly.  Every operand must be uint64: Numba turns a mix of
uint64 and int64 into float64.
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
    return _divmod_u128(hi, lo, c)[0]


@kernel
def _divmod_u128(hi, lo, c):
    """``(q, r)``: quotient and remainder of (hi * 2**64 + lo) / c for ``hi < c`` (so that the
    quotient fits in 64 bits), by bitwise long division."""
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
    return q, r


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


# -- unsigned 128-bit values as (hi, lo) --------------------------------------------------------


@kernel
def add_u128(ah, al, bh, bl):
    """a + b (the sum must stay below 2**128)."""
    lo = al + bl
    carry = np.uint64(1) if lo < al else np.uint64(0)
    return ah + bh + carry, lo


@kernel
def sub_u128(ah, al, bh, bl):
    """a - b for a >= b."""
    borrow = np.uint64(1) if al < bl else np.uint64(0)
    return ah - bh - borrow, al - bl


@kernel
def less_u128(ah, al, bh, bl):
    """a < b."""
    return ah < bh or (ah == bh and al < bl)


@kernel
def mul_u128_u64(h, lo, m):
    """(h, lo) x m for a uint64 ``m`` (the product must stay below 2**128)."""
    ph, pl = _mul_u128(lo, m)
    return h * m + ph, pl


@kernel
def divmod_u128_u64(h, lo, d):
    """``(qh, ql, r)``: the quotient (128 bits) and remainder of (h, lo) / d for uint64 d > 0."""
    qh = h // d
    rh = h - qh * d
    if rh == 0:
        return qh, lo // d, lo % d
    ql, r = _divmod_u128(rh, lo, d)
    return qh, ql, r


@kernel
def divmod_u128(nh, nl, dh, dl):
    """``(qh, ql, rh, rl)``: quotient and remainder of n / d for 0 < d < 2**127 (bitwise long
    division: the remainder, below d, never overflows when doubled)."""
    if dh == 0:
        qh, ql, r = divmod_u128_u64(nh, nl, dl)
        return qh, ql, np.uint64(0), r
    one = np.uint64(1)
    qh = np.uint64(0)
    ql = np.uint64(0)
    rh = np.uint64(0)
    rl = np.uint64(0)
    for k in range(127, -1, -1):
        if k >= 64:
            bit = (nh >> np.uint64(k - 64)) & one
        else:
            bit = (nl >> np.uint64(k)) & one
        rh = (rh << one) | (rl >> np.uint64(63))
        rl = (rl << one) | bit
        if not less_u128(rh, rl, dh, dl):
            rh, rl = sub_u128(rh, rl, dh, dl)
            if k >= 64:
                qh = qh | (one << np.uint64(k - 64))
            else:
                ql = ql | (one << np.uint64(k))
    return qh, ql, rh, rl
