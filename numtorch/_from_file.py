"""torch.from_file: a CPU tensor whose storage is a memory-mapped file."""
import os

import numpy as np

from . import _dtype
from ._device import to_device
from ._tensor import Tensor


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=False,
              requires_grad=False):
    """Creates a CPU tensor with a storage backed by a memory-mapped file."""
    if not isinstance(filename, str):
        raise TypeError("from_file(): argument 'filename' (position 1) must be str, not "
                        f"{type(filename).__name__}")
    if not isinstance(size, int) or isinstance(size, bool):
        raise TypeError(f"from_file(): argument 'size' must be int, not {type(size).__name__}")
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if device is not None and to_device(device).type != "cpu":
        raise RuntimeError("from_file: only CPU tensors can be mapped to files")
    nbytes = size * dt.itemsize
    if nbytes < 0:
        raise RuntimeError(f"unable to mmap {nbytes} bytes from file <{filename}>: Cannot allocate memory "
                           "(12)")
    if shared:
        # A shared mapping writes through, so the file is created or grown to cover the tensor.
        with open(filename, "ab"):
            pass
        if os.path.getsize(filename) < nbytes:
            os.truncate(filename, nbytes)
    else:
        try:
            have = os.path.getsize(filename)
        except OSError as e:
            raise RuntimeError(f"unable to open file <{filename}> in read-only mode: {e.strerror} "
                               f"({e.errno})") from None
        if have < nbytes:
            raise RuntimeError(f"file <{filename}> size <{have}> is smaller than the required mapping size "
                               f"<{nbytes}>")
    if size == 0:
        arr = np.empty(0, dtype=dt._np)
    else:
        # Mode "c" is a private copy-on-write mapping: writes never reach the file, as MAP_PRIVATE.
        arr = np.memmap(filename, dtype=dt._np, mode="r+" if shared else "c", shape=(size,)).view(np.ndarray)
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t
