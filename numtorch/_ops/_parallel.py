"""Intra-op parallelism: a kernel's work split over two threads, as torch's thread pool splits it.

NumPy releases the GIL inside ufunc loops, ``np.copyto`` and BLAS calls, so two Python threads running
those on different halves of the data do run at the same time. One worker thread is kept (the calling
thread runs the other half); it is recreated in a forked child, which inherits the pool but not its
thread.
"""
import os

import numpy as np

from .. import _blas
from .._config import get_num_threads

# below this many bytes of data a second thread costs more (hand-off ~20-40 us) than it saves
MIN_BYTES = 1 << 20

_POOL = []
os.register_at_fork(after_in_child=_POOL.clear)


def _pool():
    if not _POOL:
        from concurrent.futures import ThreadPoolExecutor
        _POOL.append(ThreadPoolExecutor(1, thread_name_prefix="numtorch-intraop"))
    return _POOL[0]


def split(work, tasks, blas_single=False):
    """``work(part)`` on the first and second half of ``tasks``, on two threads when the intra-op thread
    count allows; a list of the results. ``blas_single`` makes BLAS single-threaded meanwhile (each half
    runs its own GEMMs)."""
    threads = get_num_threads()
    if len(tasks) < 2 or threads < 2:
        return [work(tasks)]
    blas = _blas.library() if blas_single else None
    if blas is not None:
        blas.setter(1)
    try:
        half = _pool().submit(work, tasks[:len(tasks) // 2])
        try:
            mine = work(tasks[len(tasks) // 2:])
        finally:
            theirs = half.result()
    finally:
        if blas is not None:
            blas.setter(threads)
    return [theirs, mine]


def halves(n, fn, nbytes):
    """``fn(sl)`` for the two halves of ``range(n)`` (slices along a leading axis) on two threads when
    ``nbytes`` of data make it worth it, else ``fn(slice(0, n))``; a list of the results."""
    if n < 2 or nbytes < MIN_BYTES or get_num_threads() < 2:
        return [fn(slice(0, n))]
    return split(lambda part: fn(part[0]), [slice(0, n // 2), slice(n // 2, n)])


def is_big(a):
    """Whether ``a`` is a NumPy array worth splitting along its first axis."""
    return type(a) is np.ndarray and a.ndim > 0 and a.shape[0] > 1 and a.nbytes >= MIN_BYTES
