"""Rarely used Tensor methods (element callbacks, storage re-pointing, DLPack, dim order, subclassing)."""
import enum
import numbers
import warnings
import weakref

import numpy as np

from .. import _dtype
from .._tensor import Tensor, bump
from .._storage import TypedStorage, UntypedStorage
from ..random import Generator
from ._registry import FUNCTIONS, call, register
from .layouts import sort_dims


def _no_grad_inplace(self, name):
    if self.requires_grad and self.grad_fn is None:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. "
                           f"Use var.detach().{name}() instead.")


def _unpacker(dtype):
    """Python-side conversion of a callback's result, with torch's TypeError for a wrong kind."""
    kind = numbers.Complex if dtype.is_complex else numbers.Real

    def unpack(v):
        if not isinstance(v, kind):
            raise TypeError(f"must be real number, not {type(v).__name__}")
        return v
    return unpack


def _store(self, values):
    # torch writes through the raw data pointer here, so the version counter does not move.
    self._data[...] = np.asarray(values, dtype=object).astype(self._data.dtype)
    return self


def apply_(self, callable):
    """Applies the Python function ``callable`` to each element in place (CPU only)."""
    _no_grad_inplace(self, "apply_")
    unpack = _unpacker(self.dtype)
    # A per-element Python callback is the contract of apply_; frompyfunc keeps the loop in C.
    out = np.frompyfunc(lambda v: unpack(callable(v)), 1, 1)(self._data.astype(object))
    return _store(self, out)


def map_(self, tensor, callable):
    """Applies ``callable(self_elem, tensor_elem)`` element-wise in place, broadcasting ``tensor``."""
    _no_grad_inplace(self, "map_")
    if not isinstance(tensor, Tensor) or tensor.dtype != self.dtype:
        got = tensor.type() if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"map_: expected {self.type()} for 'other' (got {got})")
    other = tensor.expand(self.shape)._data
    unpack = _unpacker(self.dtype)
    out = np.frompyfunc(lambda a, b: unpack(callable(a, b)), 2, 1)(self._data.astype(object),
                                                                    other.astype(object))
    return _store(self, out)


_CTYPES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
           "complex128": "c10::complex<double>"}


def _ctype(dtype):
    name = str(dtype).split(".")[-1]
    return _CTYPES.get(name, name)


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Makes this tensor use ``source``'s memory (a tensor or a storage) with the given geometry."""
    if self.requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if source is None:
        self._data = self._data[:0].reshape(0) if self._data.size else np.empty(0, self._data.dtype)
    elif isinstance(source, Tensor):
        if source.dtype != self.dtype:
            raise RuntimeError(f"Could not set tensor of type {_ctype(source.dtype)} to a tensor of type "
                               f"{_ctype(self.dtype)}")
        # the memory is shared but, as in torch, the version counter stays this tensor's own
        self._data = source._data
    elif isinstance(source, UntypedStorage):
        self._data = _storage_view(source, self._data.dtype, storage_offset, size, stride)
    else:
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not {type(source).__name__}")
    bump(self)
    return self


def _storage_view(storage, np_dtype, offset, size, stride):
    flat = storage._buf.reshape(-1).view(np.uint8)
    item = np.dtype(np_dtype).itemsize
    n = flat.size // item
    flat = flat[:n * item].view(np_dtype)
    size = (n - offset,) if size is None else tuple(size)
    if stride is None:
        stride, acc = [], 1
        for s in reversed(size):
            stride.insert(0, acc)
            acc *= s
    stride = tuple(stride)
    need = offset + 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    if offset < 0 or need > n:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, "
                           f"storage offset {offset}, "
                           f"and itemsize {item} requiring a storage size of {need * item} are out of "
                           f"bounds for storage of size {n * item}")
    # ndarray over the flat buffer (not as_strided) keeps the base chain, so storage_offset() still works.
    byte_strides = tuple(st * item for st in stride)
    return np.ndarray(size, np_dtype, buffer=flat, offset=offset * item, strides=byte_strides)


# Shared-memory marks live on the storage root, so every view of a shared tensor reports it.
_SHARED = weakref.WeakValueDictionary()


def share_memory_(self):
    """Marks the storage as shared between processes (CPU memory already is, for forked workers)."""
    root = self._root()
    _SHARED[id(root)] = root
    return self


def is_shared(self):
    """Whether ``share_memory_`` was called on this tensor's storage."""
    root = self._root()
    return _SHARED.get(id(root)) is root


def _resize_function():
    from ..autograd import Function

    class Resize(Function):
        """Reshape with autograd's legacy element-count check (``ResizeBackward``)."""

        @staticmethod
        def forward(ctx, tensor, sizes):
            ctx.input_sizes = tensor.shape
            return tensor.contiguous().view(sizes)

        @staticmethod
        def backward(ctx, grad):
            return grad.contiguous().view(ctx.input_sizes), None
    return Resize


_RESIZE = []


def resize_as(self, tensor):
    """Out-of-place (deprecated) resize to ``tensor``'s shape; the element count must not change."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    sizes = tensor.shape
    numel = int(np.prod(sizes, dtype=np.int64))
    if numel != self.numel():
        raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), "
                           "but "
                           f"the given tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} "
                           "elements). autograd's resize can only change the shape of a given tensor, while "
                           "preserving the number of elements. ")
    if not _RESIZE:
        _RESIZE.append(_resize_function())
    return _RESIZE[0].apply(self, sizes)


def __reversed__(self):
    """Reverses the tensor along dimension 0."""
    return self if self.dim() == 0 else self.flip(0)


def __delitem__(self, key):
    raise TypeError("Tensor does not support deleting items")


class DLDeviceType(enum.IntEnum):
    """DLPack device codes (the subset numtorch can report)."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3


def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule sharing this tensor's memory."""
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if self.is_conj():
        raise BufferError("Can't export tensors with the conjugate bit set")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    if self.device.type == "cpu":
        if stream is not None and stream != -1:
            raise AssertionError("stream should be None on cpu.")
        stream = None
    return self._data.__dlpack__(stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)


def __dlpack_device__(self):
    """The DLPack ``(device_type, index)`` of this tensor."""
    dev = self.device
    kind = DLDeviceType.kDLCPU if dev.type == "cpu" else DLDeviceType.kDLCUDA
    return kind, dev.index if dev.index is not None else 0


_LEGACY_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
                 "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
                 "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
                 "bool": "BoolStorage",
                 "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage"}


def _legacy_storage(name, dtype):
    def __init__(self, size=0):
        from .creation import zeros
        state = TypedStorage._of(zeros(int(size), dtype=dtype))
        self.__dict__.update(state.__dict__)

    return type(name, (TypedStorage,), {"__init__": __init__, "__module__": "torch",
                                        "__doc__": f"Legacy typed storage of {dtype}."})


LEGACY_STORAGES = {}
for _name, _cls_name in _LEGACY_NAMES.items():
    LEGACY_STORAGES[_name] = _legacy_storage(_cls_name, getattr(_dtype, _name))


def storage_type(self):
    """The legacy storage class of this tensor's dtype (e.g. ``torch.FloatStorage``); None for the dtypes
    torch has no such class for (uint16/32/64, the float8s)."""
    return LEGACY_STORAGES.get(self.dtype._name)


def _should_swap(shape, strides, a, b):
    """torch's ambiguity-aware comparison of two dims for the physical order (1: swap, -1: keep, 0: tie)."""
    def ge(x, y):
        return True if y == 0 else False if x == 0 else x >= y or x % y == 0

    sa, sb = strides[a], strides[b]
    if sa == 0 or sb == 0:
        return 0
    if sa == sb:
        return 0 if ge(shape[b], shape[a]) else 1
    return -1 if ge(sb, sa) else 1 if ge(sa, sb) else 0


def dim_order(self, *, ambiguity_check=False):
    """The order of dimensions from outermost to innermost in memory."""
    from .. import memory_format
    bad = "The ambiguity_check argument must be a bool or a list of memory formats."
    if not isinstance(ambiguity_check, bool):
        formats_ok = isinstance(ambiguity_check, list) and all(isinstance(f, memory_format)
                                                              for f in ambiguity_check)
        if not formats_ok:
            raise TypeError(bad)
    shape, strides = tuple(self.shape), self.stride()
    formats = ambiguity_check if isinstance(ambiguity_check, list) else []
    check = ambiguity_check if isinstance(ambiguity_check, bool) else True
    multiple = any(x == y for x, y in zip(strides, strides[1:])) or any(s == 1 for s in shape)
    if check and multiple and sum(self.is_contiguous(memory_format=f) for f in formats) != 1:
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact one of the "
                           "given "
                           "memory formats.")
    return tuple(_logical_to_physical(self, shape, strides, ambiguity_check))


def _logical_to_physical(self, shape, strides, ambiguity_check):
    from .. import channels_last
    nd = len(shape)
    if nd <= 1:
        return list(range(nd))
    contiguous = self.is_contiguous()
    last = self.is_contiguous(memory_format=channels_last)
    if contiguous and not last:
        return list(range(nd))
    if last and not contiguous:
        return [0, *range(2, nd), 1]
    # torch's insertion sort, which leaves ambiguous pairs where they are
    perm = sort_dims(nd, lambda d0, d1: _should_swap(shape, strides, d0, d1))
    strict = all(_should_swap(shape, strides, perm[i], perm[i + 1]) == -1 for i in range(nd - 1))
    if ambiguity_check and not strict:
        raise RuntimeError("The tensor does not have unique dim order.")
    return list(reversed(perm))


def _alias(xp, a):
    return a.view()


_ALIAS = register("_subclass_alias", _alias, lambda grad, a, out: (grad,), node="AliasBackward0", view=True,
                  method=False, function=False)


def as_subclass(self, cls):
    """This tensor's data and autograd history viewed as an instance of the Tensor subclass ``cls``."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                        "possible. Make sure your class inherits from Tensor.")
    out = call(_ALIAS, (self,), {}) if self.requires_grad else self.detach()
    out.__class__ = cls
    return out


def _generator_device(gen):
    d = gen.__dict__
    return d["_device"] if "_device" in d else d["device"]


def _set_generator_device(gen, value):
    # Generator.__init__ assigns once; torch's attribute is read-only afterwards.
    if "_device" in gen.__dict__:
        raise AttributeError("attribute 'device' of 'torch._C.Generator' objects is not writable")
    gen.__dict__["_device"] = value


def _install():
    for fn in (apply_, map_, set_, share_memory_, is_shared, resize_as, __reversed__, __delitem__, __dlpack__,
               __dlpack_device__, storage_type, dim_order, as_subclass):
        setattr(Tensor, fn.__name__, fn)
    Generator.device = property(_generator_device, _set_generator_device, doc="The device of the generator.")
    for cls in LEGACY_STORAGES.values():
        FUNCTIONS.setdefault(cls.__name__, cls)


_install()
