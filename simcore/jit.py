"""The one place where Numba options are set.

Every kernel is compiled with :func:`kernel` (or :func:`inline_kernel`, :func:`inlined_kernel`
and :func:`borrowing_kernel` for the small helpers of the innermost loops).  Caching is on, the
GIL is released, and ``fastmath`` is never used: counting is done in integers or fixed point, so
results do not depend on the compiler's freedom to reassociate floating-point sums.

Numba's on-disk cache only notices changes to a kernel's own file, not to the kernels it calls.
So compiled kernels are cached under a folder named by a hash of every source file that
defines kernels: any edit to one gives a fresh cache, and a stale kernel can never be loaded.  Set
``NUMBA_CACHE_DIR`` to choose the folder yourself.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

_COMMON = {"cache": True, "nogil": True, "fastmath": False, "error_model": "numpy"}


def _source_hash() -> str:
    h = hashlib.sha256(numba.__version__.encode())
    root = Path(__file__).parent
    for f in sorted(root.rglob("*.py")):
        text = f.read_bytes()
        if f.name == "jit.py" or b"simcore.jit import" in text:  # only compiled code counts
            h.update(str(f.relative_to(root)).encode())
            h.update(text)
    return h.hexdigest()[:16]


def _set_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "simcore" / f"numba-{_source_hash()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # Numba falls back to its default locations
    numba.config.CACHE_DIR = str(folder)


_set_cache_dir()


def kernel(fn):
    """Compile ``fn`` as a serial Numba kernel (no Python objects, no I/O)."""
    return numba.njit(**_COMMON)(fn)


def inline_kernel(fn):
    """A small helper kernel for the innermost loops.

    Compiled like any kernel and left to LLVM to inline.  (Numba's own IR-level inlining,
    ``inline="always"``, was measured to add reference-counting calls for every array argument
    at every inlined call site: 10x slower here.)"""
    return numba.njit(**_COMMON)(fn)


def inlined_kernel(fn):
    """A small helper of the innermost loops, inlined into its callers in Numba's IR.

    For helpers that borrow their arrays, called in hot loops of borrowing kernels (below): there
    inlining adds no reference counting.  Inlined into a reference-counting kernel, a call adds
    a reference-count update per array argument (IR-level inlining was measured 10x slower for
    that reason), so keep such callers off hot paths.  A plain call to the generator's
    alias-table pick in its per-voter loop made generation 30% slower; inlined, it costs
    nothing."""
    return numba.njit(_nrt=False, inline="always", **_COMMON)(fn)


def borrowing_kernel(fn):
    """A kernel that allocates nothing and only borrows the arrays it is given.

    Compiled without Numba's reference counting (``_nrt=False``): otherwise every array argument
    is reference-counted on entry and on every exit, which for the small, frequently called
    helpers of the generator and the counts costs more than their work.  Such a kernel must not
    create arrays (Numba refuses to compile one that does)."""
    return numba.njit(_nrt=False, **_COMMON)(fn)


def parallel_kernel(fn):
    """Compile ``fn`` as a Numba kernel whose ``prange`` loops run on all threads."""
    return numba.njit(parallel=True, **_COMMON)(fn)
