"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), ranges, eye."""
import builtins
import copy
import math
import warnings

import numpy as np

from .. import _dtype
from .._device import CPU, cupy_module, to_device, xp_for
from .._dtype import NP2DT, to_dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from .fromdata import array_dtype, cast, from_data

_wrap = Tensor._wrap


def _size_args(size):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(torch.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(arr, requires_grad=False):
    t = _wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fcV":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or _dtype.get_default_dtype())._np
    return to_dtype(dtype)._np


def _copy_layout(arr, np_dtype):
    # torch copies keep a dense input's memory layout (strides), like NumPy's order="K".
    xp = np if type(arr) is np.ndarray else cupy_module()
    out = xp.empty_like(arr, dtype=np_dtype, order="K")
    out[...] = cast(arr, np_dtype)
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Constructs a tensor by copying ``data`` (a number, nested sequence, array or tensor)."""
    dt = to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = _copy_layout(data._data, (dt or data.dtype)._np)
    elif isinstance(data, np.ndarray):
        src = array_dtype(data, wide_uint=dt is not None)
        arr = _copy_layout(data, (dt or src)._np)
    else:
        arr = from_data(data, dt)
    return _finish(_place(arr, device), requires_grad)


def _place(arr, device):
    dev = to_device(device)
    if dev is None:
        return arr
    if dev.type == "cpu":
        return arr if type(arr) is np.ndarray else arr.get()
    return xp_for(dev).asarray(arr)


def as_tensor(data, dtype=None, device=None):
    """Converts ``data`` to a tensor, sharing memory with NumPy arrays and tensors when possible."""
    if isinstance(data, Tensor):
        if (dtype is None or to_dtype(dtype) is data.dtype) and (device is None or to_device(device) ==
                                                                 data.device):
            return data
        return data.to(dtype=dtype, device=device)
    if isinstance(data, np.ndarray) and (device is None or to_device(device).type == "cpu"):
        t = from_numpy(data)
        return t if dtype is None or to_dtype(dtype) is t.dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """Creates a tensor that shares memory with the NumPy array ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype not in NP2DT:
        raise TypeError(f"can't convert np.ndarray of type {ndarray.dtype}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
                        "and bool.")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making "
                         "a copy of your array  with array.copy().) ")
    return _wrap(ndarray)


def _filled(fill, size, dtype, device, requires_grad, default=None):
    shape = _size_args(size)
    npdt = _np_dtype(dtype, default)
    xp = xp_for(to_device(device))
    if fill is None:
        arr = xp.empty(shape, npdt)
    elif fill == 0:
        arr = xp.zeros(shape, npdt)
    else:
        arr = xp.full(shape, fill, npdt)
    return _finish(arr, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Returns a tensor filled with 0, of shape ``size``."""
    return _out(_filled(0, size, dtype, device, requires_grad), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Returns a tensor filled with 1, of shape ``size``."""
    return _out(_filled(1, size, dtype, device, requires_grad), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    """Returns an uninitialised tensor of shape ``size``."""
    return _out(_filled(None, size, dtype, device, requires_grad), out)


def _out(t, out):
    if out is None:
        return t
    from ._registry import _copy_into_out
    _copy_into_out(out, t)
    return out


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    return _dtype.scalar_dtype(fill_value)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Returns a tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = to_dtype(dtype) if dtype is not None else _fill_dtype(fill_value)
    return _out(_filled(fill_value, (size,), dt, device, requires_grad), out)


def _like(input, dtype, device):
    return (to_dtype(dtype) if dtype is not None else input.dtype,
            to_device(device) if device is not None else input.device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """A tensor of zeros with the shape (and by default dtype and device) of ``input``."""
    dt, dev = _like(input, dtype, device)
    return _filled(0, (input.shape,), dt, dev, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """A tensor of ones with the shape (and by default dtype and device) of ``input``."""
    dt, dev = _like(input, dtype, device)
    return _filled(1, (input.shape,), dt, dev, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor with the shape of ``input``."""
    dt, dev = _like(input, dtype, device)
    return _filled(None, (input.shape,), dt, dev, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """A tensor with the shape of ``input`` filled with ``fill_value``."""
    dt, dev = _like(input, dtype, device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(fill_value, (input.shape,), dt, dev, requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False):
    """Values from ``start`` to ``end`` (exclusive) with spacing ``step``."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dt = _dtype.int64 if is_int else _dtype.get_default_dtype()
    else:
        dt = to_dtype(dtype)
    n = math.ceil((end - start) / step)
    # torch computes start + i * step in double (or int64) and casts, not cumulative steps.
    base = np.arange(n, dtype=np.int64 if dt._cat <= _dtype.INT else np.float64)
    vals = start + base * step
    arr = vals.astype(dt._np)
    return _out(_finish(_place(arr, device), requires_grad), out)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated: values from ``start`` to ``end`` inclusive."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior "
                  "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    dt = to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    vals = start + np.arange(n, dtype=np.float64) * step
    return _out(_finish(_place(vals.astype(dt._np), device), requires_grad), out)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = to_dtype(dtype) if dtype is not None else (
        _dtype.default_complex() if isinstance(start, complex) or isinstance(end, complex)
        else _dtype.get_default_dtype())
    work = np.complex128 if dt.is_complex else np.float64
    # torch fills the first half from start and the second half from end, symmetric in rounding.
    i = np.arange(steps)
    step = (end - start) / (steps - 1) if steps > 1 else 0
    half = steps // 2
    vals = np.where(i < half, start + step * i, end - step * (steps - i - 1)).astype(work)
    if dt._cat <= _dtype.INT:
        vals = np.trunc(vals.real)
    return _out(_finish(_place(vals.astype(dt._np), device), requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values spaced evenly on a log scale from ``base**start`` to ``base**end``."""
    dt = to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    exps = linspace(start, end, steps, dtype=_dtype.float64)._data
    vals = np.power(float(base), exps)
    return _out(_finish(_place(vals.astype(dt._np), device), requires_grad), out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 2-D tensor with ones on the diagonal."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    arr = xp_for(to_device(device)).eye(n, n if m is None else m, dtype=_np_dtype(dtype))
    return _out(_finish(arr, requires_grad), out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given size and strides (in elements)."""
    npdt = _np_dtype(dtype)
    size, stride = tuple(size), tuple(stride)
    extent = 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    buf = xp_for(to_device(device)).empty(extent, npdt)
    itemsize = buf.itemsize
    arr = np.lib.stride_tricks.as_strided(buf, size, tuple(s * itemsize for s in stride))
    return _finish(arr, requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding ``s`` (default float dtype)."""
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad)


# ---------------------------------------------------------------------------------- legacy constructors

def legacy_new(cls, dt, args, device):
    """``torch.Tensor(...)`` / ``torch.FloatTensor(...)``: sizes, a sequence, an array or a tensor."""
    if device is not None and to_device(device).type != "cpu":
        raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                           f"{to_device(device).type} was passed")
    if not args:
        arr = np.empty((0,), dt._np)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src.dtype is not dt:
            raise TypeError(f"expected {dt} (got {src.dtype})")
        t = src.detach()
        return _as_cls(cls, t) if cls is not Tensor else t
    elif builtins.all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and type(args[0]).__name__ == "Size"):
        arr = np.empty(_size_args(args), dt._np)
        if dt._cat == _dtype.INT or dt is _dtype.bool:
            arr[...] = 0
        else:
            arr[...] = 0.0
    elif len(args) == 1 and isinstance(args[0], np.ndarray):
        arr = np.array(args[0], dtype=dt._np)
    elif len(args) == 1 and isinstance(args[0], (list, tuple)):
        arr = _to_array(args[0], dt)
    else:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)}, )")
    t = _wrap(arr)
    return _as_cls(cls, t) if cls is not Tensor else t


def _as_cls(cls, t):
    if cls is Tensor or getattr(cls, "_legacy_dtype", None) is not None:
        return t
    obj = object.__new__(cls)
    obj._data = t._data
    return obj


# ---------------------------------------------------------------------------------- copy / pickle

def deepcopy_tensor(t, memo):
    if id(t) in memo:
        return memo[id(t)]
    if t._grad_fn is not None:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                           "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                           "be because of a torch.nn.utils.weight_norm usage, see "
                           "https://github.com/pytorch/pytorch/pull/103001")
    new = object.__new__(type(t))
    new._data = t._data.copy()
    memo[id(t)] = new
    if t._requires_grad:
        new._requires_grad = True
    if t._grad is not None:
        new._grad = copy.deepcopy(t._grad, memo)
    for k, v in t.__dict__.items():
        if k not in _AUTOGRAD_KEYS:
            new.__dict__[k] = copy.deepcopy(v, memo)
    return new


_AUTOGRAD_KEYS = {"_vc", "_requires_grad", "_grad_fn", "_output_nr", "_grad", "_base", "_view_src", "_hooks",
                  "_retains_grad", "_accum", "_view_ver", "_post_acc_hooks"}


def _rebuild(data, requires_grad, extra):
    t = _wrap(data)
    if requires_grad:
        t._requires_grad = True
    t.__dict__.update(extra)
    return t


def reduce_tensor(t):
    d = t._data
    if type(d) is not np.ndarray:
        d = d.get()
    extra = {k: v for k, v in t.__dict__.items() if k not in _AUTOGRAD_KEYS}
    return (_rebuild, (np.array(d), t._requires_grad, extra))


def setstate_tensor(t, state):
    if isinstance(state, tuple) and len(state) == 4:
        t._data = state[0]._data if isinstance(state[0], Tensor) else state[0]
        t._requires_grad = state[1]
