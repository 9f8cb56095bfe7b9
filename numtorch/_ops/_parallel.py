"""Intra-op parallelism: a kernel's work split over two threads, as torch's thread pool splits it.

NumPy releases the GIL inside ufunc loops, ``np.copyto`` and BLAS calls, so two Python threads running
those on different halves of the data do run at the same time. One worker thread is kept (the calling
thread runs the other half); it is recreated in a forked child, which inherits the pool but not its
thread.
"""
import contextlib
import os

from .. import _blas
from .._config import get_num_threads

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
    blas = _blas.library() if blas_single else None
    with blas.one_thread() if blas is not None else contextlib.nullcontext():
        if len(tasks) < 2 or get_num_threads() < 2:
            return [work(tasks)]
        half = _pool().submit(work, tasks[:len(tasks) // 2])
        try:
            mine = work(tasks[len(tasks) // 2:])
        finally:
            theirs = half.result()
    return [theirs, mine]
