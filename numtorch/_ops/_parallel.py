"""Intra-op parallelism: a kernel's work split over ``get_num_threads()`` threads, as torch's pool splits it.

NumPy releases the GIL inside ufunc loops, ``np.copyto`` and BLAS calls, so Python threads running those
on different parts of the data do run at the same time. ``threads - 1`` workers are kept (the calling
thread runs the last part); the pool is recreated in a forked child, which inherits it but not its threads.
"""
import contextlib
import os

from .. import _blas
from .._config import get_num_threads

_POOL = {}
os.register_at_fork(after_in_child=_POOL.clear)


def _pool(workers):
    """The worker pool, sized for the intra-op thread count (a split with fewer parts leaves some idle:
    resizing per call would start threads again and again)."""
    pool = _POOL.get("pool")
    if pool is None or _POOL["workers"] != workers:
        from concurrent.futures import ThreadPoolExecutor
        if pool is not None:
            pool.shutdown(wait=False)
        pool = _POOL["pool"] = ThreadPoolExecutor(workers, thread_name_prefix="numtorch-intraop")
        _POOL["workers"] = workers
    return pool


def split(work, tasks, blas_single=False):
    """``work(part)`` over consecutive parts of ``tasks``, one part per intra-op thread (at most one per
    task); the list of the parts' results in order. ``blas_single`` makes BLAS single-threaded meanwhile
    (each part runs its own GEMMs)."""
    threads = get_num_threads()
    n = min(threads, len(tasks))
    blas = _blas.library() if blas_single or n > 1 else None
    if blas is not None and n > 1:
        # OpenBLAS's workers spin ~0.1 s after each threaded product, and a spinning worker takes a core
        # from these threads (a convolution right after a product ran 1.8x slower); its pool is stopped
        # first (~10 us; the next threaded product starts it again as fast as it wakes it)
        blas.stop_pool(threads - 1)
    with _blas.single_threaded() if blas_single else contextlib.nullcontext():
        if n < 2:
            return [work(tasks)]
        bounds = [len(tasks) * i // n for i in range(n + 1)]
        parts = [tasks[bounds[i]:bounds[i + 1]] for i in range(n)]
        pool = _pool(threads - 1)
        futures = [pool.submit(work, p) for p in parts[:-1]]
        try:
            mine = work(parts[-1])
        finally:
            theirs = [f.result() for f in futures]
    return theirs + [mine]
