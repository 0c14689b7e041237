"""The one seam between ember and its array library.

Every module takes its array namespace from here (``from ._backend import np``), so that an
array library with NumPy's API (for example CuPy) can stand in for NumPy in one place.
"""
import sys

import numpy as np

__all__ = ["np"]


def _tune_malloc() -> None:
    """Keep freed array memory in the process (glibc only).

    A training step allocates and frees the same few-megabyte arrays every step. glibc's
    defaults hand such blocks back to the kernel (``mmap``/heap trimming) and fault them in
    again on the next step, which costs more than the arithmetic on them (cross-entropy over
    700x1000 logits: 19 ms -> 3 ms). Blocks up to 32 MiB now come from the heap, and up to
    256 MiB of free heap is kept. Peak memory is unchanged; memory freed after the peak stays
    mapped.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):   # not glibc (musl has no mallopt)
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 256 << 20)


_tune_malloc()
