"""Rebuilding tensors and parameters from checkpoint storages (numtorch's torch._utils._rebuild_*)."""
import numpy as np

from .. import _dtype
from .._storage import TypedStorage
from .._tensor import Tensor
from ._names import TorchName


class LoadedStorage(TypedStorage):
    """A storage read from a checkpoint: a flat uint8 buffer plus the element type it was saved with."""

    def __init__(self, buf, dtype):
        self._buf = self._root = buf
        self.dtype = dtype
        self._views = {}
        self._typed = self.typed(dtype)

    @property
    def bytes(self):
        return self._buf

    def typed(self, dtype):
        """The buffer as a flat array of ``dtype`` (one shared array per dtype, so views share memory)."""
        arr = self._views.get(dtype)
        if arr is None:
            usable = self._buf.size - self._buf.size % dtype.itemsize
            arr = self._views[dtype] = self._buf[:usable].view(dtype._np)
        return arr


def _extent(size, stride):
    if any(n == 0 for n in size):
        return 0
    return 1 + sum((n - 1) * s for n, s in zip(size, stride))


def tensor_from_storage(storage, dtype, offset, size, stride):
    """A tensor viewing ``storage`` with torch's geometry (offset and strides in elements)."""
    size, stride = tuple(size), tuple(stride)
    arr = storage.typed(dtype)
    isz = dtype.itemsize
    need = _extent(size, stride)
    if len(size) != len(stride) or min(stride, default=0) < 0 or offset < 0 or (
            need and offset + need > arr.size):
        total = (offset + need) * isz
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset}, and itemsize {isz} requiring a storage size of {total} "
                           f"are out of bounds for storage of size {storage.nbytes()}")
    bstrides = tuple(s * isz for s in stride)
    if type(arr) is np.ndarray:
        start = min(offset, arr.size) * isz
        data = np.ndarray(size, arr.dtype, buffer=arr, offset=start, strides=bstrides)
    else:
        data = type(arr)(size, arr.dtype, memptr=arr.data + offset * isz, strides=bstrides)
    return Tensor._wrap(data)


def _finish(t, requires_grad, metadata):
    if metadata:
        # torch stores lazily conjugated/negated tensors with the bit in ``metadata`` and the data as is;
        # numtorch has no such bits, so the values are materialised (a copy, outside the storage)
        if metadata.get("conj"):
            t = Tensor._wrap(t._data.conj())
        if metadata.get("neg"):
            t = Tensor._wrap(-t._data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor(storage, storage_offset, size, stride):
    return tensor_from_storage(storage, storage.dtype, storage_offset, size, stride)


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    t = tensor_from_storage(storage, storage.dtype, storage_offset, size, stride)
    return _finish(t, requires_grad, metadata)


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                      metadata=None):
    if not isinstance(dtype, _dtype.dtype):
        if callable(dtype):
            dtype()
        raise RuntimeError(f"the checkpoint uses dtype {dtype!r}, which numtorch does not support")
    t = tensor_from_storage(storage, dtype, storage_offset, size, stride)
    return _finish(t, requires_grad, metadata)


def _set_state(obj, state):
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for part in (dict_state, slots_state):
        for k, v in (part or {}).items():
            setattr(obj, k, v)
    return obj


def rebuild_parameter(data, requires_grad, backward_hooks):
    from ..nn.parameter import Parameter
    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(rebuild_parameter(data, requires_grad, backward_hooks), state)


def rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if type(ret) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise RuntimeError(f"cannot rebuild a tensor as {new_type!r}, which is not a Tensor subclass")
        sub = object.__new__(new_type)
        sub._data = ret._data
        ret = _finish(sub, ret.requires_grad, None)
    setstate = getattr(type(ret), "__setstate__", None)
    if setstate is not None and setstate is not Tensor.__setstate__:
        ret.__setstate__(state)
        return ret
    return _set_state(ret, state)


def rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    return _finish(data.to(dtype=dtype, device=device), requires_grad, None)


REBUILD_TENSOR = TorchName("torch._utils", "_rebuild_tensor", rebuild_tensor)
REBUILD_TENSOR_V2 = TorchName("torch._utils", "_rebuild_tensor_v2", rebuild_tensor_v2)
REBUILD_TENSOR_V3 = TorchName("torch._utils", "_rebuild_tensor_v3", rebuild_tensor_v3)
REBUILD_PARAMETER = TorchName("torch._utils", "_rebuild_parameter", rebuild_parameter)
REBUILD_PARAMETER_STATE = TorchName("torch._utils", "_rebuild_parameter_with_state",
                                    rebuild_parameter_with_state)
REBUILD_FROM_TYPE_V2 = TorchName("torch._tensor", "_rebuild_from_type_v2", rebuild_from_type_v2)
REBUILD_DEVICE = TorchName("torch._utils", "_rebuild_device_tensor_from_cpu_tensor",
                           rebuild_device_tensor_from_cpu_tensor)
MARKS = (REBUILD_TENSOR, REBUILD_TENSOR_V2, REBUILD_TENSOR_V3, REBUILD_PARAMETER, REBUILD_PARAMETER_STATE,
         REBUILD_FROM_TYPE_V2, REBUILD_DEVICE)
