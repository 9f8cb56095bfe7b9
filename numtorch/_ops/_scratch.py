"""Per-thread scratch arrays for temporaries inside op kernels.

A fresh multi-megabyte NumPy array page-faults on first touch (glibc maps big blocks fresh and unmaps
them on free), which cost more than the arithmetic in element-wise kernels; temporaries that never
leave a kernel are taken from here instead.
"""
import math
import threading

import numpy as np

_local = threading.local()
# kept per thread and slot at most (bytes): larger temporaries are allocated each time
MAX_BYTES = 16 << 20


def scratch(slot, shape, dtype):
    """An uninitialised array of ``shape`` and ``dtype`` for a temporary; valid until the next call with
    the same ``slot`` on this thread."""
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if n * dtype.itemsize > MAX_BYTES:
        return np.empty(shape, dtype)
    bufs = _local.__dict__.setdefault("bufs", {})
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < n * dtype.itemsize:
        buf = bufs[slot] = np.empty(n * dtype.itemsize, np.uint8)
    return buf[:n * dtype.itemsize].view(dtype).reshape(shape)
