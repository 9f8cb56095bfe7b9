"""Storages: the flat buffer behind a tensor and its views."""
import numpy as np

from . import _dtype


def _root(arr):
    while isinstance(arr.base, type(arr)):
        arr = arr.base
    return arr


class UntypedStorage:
    """A flat byte buffer shared by a tensor and its views."""

    def __init__(self, size=0, *, device=None):
        self._buf = np.zeros(int(size), np.uint8)

    @classmethod
    def _over(cls, buf):
        """A storage over the flat buffer ``buf`` (NumPy or CuPy) itself."""
        s = cls.__new__(cls)
        s._buf = s._root = buf
        return s

    @classmethod
    def _of(cls, t):
        s = cls.__new__(cls)
        root = _root(t._data)
        s._buf = root.reshape(-1).view(np.uint8) if root.flags.c_contiguous else root
        s._root = root
        return s

    def data_ptr(self):
        return self._buf.__array_interface__["data"][0]

    def nbytes(self):
        return self._buf.nbytes

    def size(self):
        return self._buf.nbytes

    def __len__(self):
        return self._buf.nbytes

    def element_size(self):
        return 1

    @property
    def device(self):
        from ._device import CPU, device
        if type(self._buf) is np.ndarray:
            return CPU
        return device("cuda", self._buf.device.id)

    def tolist(self):
        return self._buf.reshape(-1).view(np.uint8).tolist()

    def __getitem__(self, i):
        return int(self._buf.reshape(-1).view(np.uint8)[i])

    def __repr__(self):
        vals = "\n".join(f" {v}" for v in self.tolist())
        return f"{vals}\n[torch.storage.UntypedStorage(device=cpu) of size {self.nbytes()}]"


class TypedStorage(UntypedStorage):
    """Legacy typed view of a storage (``tensor.storage()``)."""

    @classmethod
    def _of(cls, t):
        s = super()._of(t)
        s.dtype = t.dtype
        s._typed = s._root.reshape(-1) if s._root.flags.c_contiguous else s._root
        return s

    def size(self):
        return self._typed.size

    def __len__(self):
        return self._typed.size

    def element_size(self):
        return self.dtype.itemsize

    def tolist(self):
        return self._typed.tolist()

    def __getitem__(self, i):
        return self._typed[i].item()

    def __repr__(self):
        vals = "\n".join(f" {v}" for v in self.tolist())
        return f"{vals}\n[torch.storage.TypedStorage(dtype={self.dtype}, device=cpu) of size {self.size()}]"
