"""The one place where Numba options are set.

Every kernel is compiled with :func:`kernel` (single-threaded) or :func:`parallel_kernel`
(``prange`` loops).  Caching is on, the GIL is released, and ``fastmath`` is never used: counting
is done in integers or fixed point, and simulation reductions are made in chunk order, so results
do not depend on the compiler's freedom to reassociate floating-point sums.
"""

from __future__ import annotations

import numba

_COMMON = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


def kernel(fn):
    """Compile ``fn`` as a serial Numba kernel (no Python objects, no I/O)."""
    return numba.njit(**_COMMON)(fn)


def parallel_kernel(fn):
    """Compile ``fn`` as a Numba kernel whose ``prange`` loops run on all threads."""
    return numba.njit(parallel=True, **_COMMON)(fn)
