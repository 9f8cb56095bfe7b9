"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty (+ _like), ranges, eye."""
import builtins
import copy
import math
import warnings
from collections.abc import Sequence

import numpy as np

from .. import _dtype
from .._device import CPU, cupy_module, to_device, xp_for
from .._dtype import NP2DT, to_dtype
from .._tensor import Tensor, bump
from ..autograd import grad_mode
from . import limited
from .fromdata import array_dtype, cast, fill_value, from_data, warn_complex_to_real
from ._registry import FUNCTIONS as _FUNCTIONS

_wrap = Tensor._wrap
_NO_SIZE = object()


def _type_name(x):
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


def _int_like(v, in_tuple):
    if isinstance(v, Tensor):
        return v.dim() == 0 and v.dtype._cat == _dtype.INT
    if isinstance(v, builtins.bool):
        return in_tuple
    return isinstance(v, (builtins.int, np.integer))


def _size_args(size, name="empty", size_kw=_NO_SIZE):
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(torch.Size(...))`` and ``size=``, as torch."""
    if size_kw is not _NO_SIZE:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        if not isinstance(size_kw, (tuple, list)):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {_type_name(size_kw)}")
        size = (size_kw,)
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    single = len(size) == 1 and isinstance(size[0], (tuple, list))
    vals = size[0] if single else size
    for i, v in enumerate(vals):
        if _int_like(v, single or len(size) > 1):
            continue
        if single:
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, but found "
                            f"element of type {_type_name(v)} at pos {i}")
        if len(size) == 1:
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{_type_name(v)}")
        raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                        f"\"type must be tuple of ints,but got {_type_name(v)}\"")
    shape = tuple(builtins.int(v) for v in vals)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _finish(arr, requires_grad=False):
    t = _wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fcV":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _result(arr, out, requires_grad=False):
    """Wrap ``arr``, or write it into ``out`` (resized without warning, as torch's factories do)."""
    if out is None:
        return _finish(arr, requires_grad)
    if out._data.shape != arr.shape:
        out._data = arr.astype(out._data.dtype)
    else:
        out._data[...] = arr
    bump(out)
    return out


def _out(t, out):
    """Copy the finished tensor ``t`` into ``out`` (as ops with ``out=`` do) and return ``out``."""
    if out is None:
        return t
    from ._registry import _copy_into_out
    _copy_into_out(out, t)
    return out


def _out_dtype(dtype, out, default):
    """The dtype a factory makes: ``dtype``, else ``out``'s, else ``default``; they must agree."""
    if out is None:
        return to_dtype(dtype) if dtype is not None else default
    if dtype is not None and to_dtype(dtype) is not out.dtype:
        raise RuntimeError(f"dtype {to_dtype(dtype)._legacy} does not match dtype of out parameter "
                           f"({out.dtype._legacy})")
    return out.dtype


def _place(arr, device):
    dev = to_device(device)
    if dev is None:
        return arr
    if dev.type == "cpu":
        return arr if type(arr) is np.ndarray else arr.get()
    return xp_for(dev).asarray(arr)


def _copy_layout(arr, np_dtype):
    # torch copies keep a dense input's memory layout (strides), like NumPy's order="K".
    xp = np if type(arr) is np.ndarray else cupy_module()
    out = xp.empty_like(arr, dtype=np_dtype, order="K")
    if arr.dtype.kind == "c" and np.dtype(np_dtype).kind != "c":
        warn_complex_to_real(3)
    out[...] = cast(arr, np_dtype)
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Constructs a tensor by copying ``data`` (a number, nested sequence, array or tensor)."""
    if isinstance(dtype, str):
        raise TypeError("tensor(): argument 'dtype' must be torch.dtype, not str")
    dtype = to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
                      "rather than torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = _copy_layout(data._data, (dtype or data.dtype)._np)
    elif isinstance(data, np.ndarray):
        src = array_dtype(data)
        arr = _copy_layout(data, (dtype or src)._np)
    else:
        arr = from_data(data, dtype)
    return _finish(_place(arr, device), requires_grad)


def _convert_shared(t, dtype, device):
    same_dt = dtype is None or to_dtype(dtype) is t.dtype
    same_dev = device is None or to_device(device) == t.device
    return t if same_dt and same_dev else t.to(dtype=dtype, device=device)


def as_tensor(data, dtype=None, device=None):
    """Converts ``data`` to a tensor, sharing memory with NumPy arrays and tensors when possible."""
    if isinstance(data, Tensor):
        return _convert_shared(data, dtype, device)
    if isinstance(data, np.ndarray):
        return _convert_shared(from_numpy(data), dtype, device)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Converts ``obj`` to a tensor, sharing memory unless ``copy=True`` or a conversion is needed."""
    if isinstance(obj, (Tensor, np.ndarray)):
        t = as_tensor(obj, dtype=dtype, device=device)
        shared = t is obj or isinstance(obj, np.ndarray) and np.shares_memory(t._data, obj)
        if copy and shared:
            t = t.clone() if t is not obj else obj.detach().clone()
        elif copy is False and not shared:
            raise ValueError("can't alias tensor from device 'cpu' to a different dtype or device without "
                             "copying")
    else:
        t = tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(True) if requires_grad else t


def from_numpy(ndarray):
    """Creates a tensor that shares memory with the NumPy array ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    array_dtype(ndarray)
    if not ndarray.flags.writeable:
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support non-writable "
                      "tensors. This means writing to this tensor will result in undefined behavior. You may "
                      "want to copy the array to protect its data or make it writable before converting it "
                      "to a tensor. This type of warning will be suppressed for the rest of this program. "
                      "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:209.)",
                      UserWarning, stacklevel=2)
    return _wrap(ndarray)


# ---------------------------------------------------------------------------------------------- fills

def _filled(name, value, shape, dt, device, requires_grad, out):
    xp = xp_for(to_device(device))
    if value is None or value == 0:
        arr = (xp.empty if value is None else xp.zeros)(shape, dt._np)
    else:
        arr = xp.full(shape, fill_value(value, dt, math.prod(shape) > 1), dt._np)
    return _result(arr, out, requires_grad)


def _no_other(kw, name):
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw))}'")


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          **kw):
    """Returns a tensor filled with 0, of shape ``size``."""
    shape = _size_args(size, "zeros", kw.pop("size", _NO_SIZE))
    _no_other(kw, "zeros")
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    return _filled("zeros", 0, shape, dt, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw):
    """Returns a tensor filled with 1, of shape ``size``."""
    shape = _size_args(size, "ones", kw.pop("size", _NO_SIZE))
    _no_other(kw, "ones")
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    return _filled("ones", 1, shape, dt, device, requires_grad, out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None, **kw):
    """Returns an uninitialised tensor of shape ``size``."""
    shape = _size_args(size, "empty", kw.pop("size", _NO_SIZE))
    _no_other(kw, "empty")
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    if memory_format is None:
        return _filled("empty", None, shape, dt, device, requires_grad, out)
    from .layouts import check_format, empty_format
    check_format("empty", memory_format)
    if out is not None:
        raise RuntimeError("'memory_format' argument is incompatible with 'out' tensor argument")
    arr = empty_format(xp_for(to_device(device)), shape, dt._np, memory_format.name)
    return _finish(arr, requires_grad)


def _number(name, arg, pos, value):
    if isinstance(value, Tensor):
        if value.numel() != 1 or value.dim():
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Number, not Tensor")
        return value.item()
    if not isinstance(value, (builtins.int, builtins.float, builtins.complex, np.number, np.bool_)):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Number, not "
                        f"{type(value).__name__}")
    return value


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Returns a tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {_type_name(size)}")
    shape = _size_args((size,), "full")
    value = _number("full", "fill_value", 2, fill_value)
    dt = _out_dtype(dtype, out, _dtype.scalar_dtype(value))
    return _filled("full", value, shape, dt, device, requires_grad, out)


def _like(name, input, dtype, device, memory_format):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dt = to_dtype(dtype) if dtype is not None else input.dtype
    dev = to_device(device) if device is not None else input.device
    xp = xp_for(dev)
    src = input._data
    if type(src) is not np.ndarray and xp is np:
        src = src.get()
    from .layouts import check_format, like_format
    if memory_format is not None:
        check_format(name, memory_format)
    return like_format(xp, src, memory_format, dt._np), dt


def _fill_like(name, input, value, dtype, device, requires_grad, memory_format):
    arr, dt = _like(name, input, dtype, device, memory_format)
    if value is not None:
        arr[...] = fill_value(value, dt)
    return _finish(arr, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """A tensor of zeros with the shape (and by default dtype and device) of ``input``."""
    return _fill_like("zeros_like", input, 0, dtype, device, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """A tensor of ones with the shape (and by default dtype and device) of ``input``."""
    return _fill_like("ones_like", input, 1, dtype, device, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """An uninitialised tensor with the shape of ``input``."""
    return _fill_like("empty_like", input, None, dtype, device, requires_grad, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """A tensor with the shape of ``input`` filled with ``fill_value``."""
    value = _number("full_like", "fill_value", 2, fill_value)
    return _fill_like("full_like", input, value, dtype, device, requires_grad, memory_format)


# ---------------------------------------------------------------------------------------------- ranges

# torch's arange kernel fills 32-byte vectors (two at a time), then the tail element by element; the values
# depend on that split (see _arange_values).
_VBYTES = 32


def _fma64(a, b, c):
    """a * b + c rounded once (torch's kernels are compiled with fused multiply-add), in float64."""
    p = a * b
    split = 134217729.0
    ah = a * split
    ah = ah - (ah - a)
    bh = b * split
    bh = bh - (bh - b)
    err = ((ah * bh - p) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
    s = p + c
    bb = s - p
    return s + (((p - (s - bb)) + (c - bb)) + err)


def _fma(a, b, c, acc):
    if acc == np.float32:
        # the float64 product of two float32 values is exact: one rounding to float32 remains.
        return (np.float64(a) * b + np.float64(c)).astype(np.float32)
    return _fma64(np.float64(a), np.asarray(b, np.float64), np.float64(c))


def _arange_values(start, step, n, dt):
    idx = np.arange(n, dtype=np.int64)
    if dt._cat <= _dtype.INT:
        return (np.int64(start) + np.int64(step) * idx).astype(dt._np)
    acc = np.float32 if dt.itemsize == 2 else np.float64
    start, step = acc(start), acc(step)
    lanes = _VBYTES // dt.itemsize
    # Whole pairs of vectors start at a base rounded to the dtype, then add i * step; the tail is scalar.
    nvec = n // (2 * lanes) * (2 * lanes)
    vals = _fma(step, idx.astype(acc), start, acc)
    base = cast(np.asarray(_fma(step, (idx[:nvec] // lanes * lanes).astype(acc), start, acc)), dt._np)
    vals[:nvec] = _fma(step, (idx[:nvec] % lanes).astype(acc), base.astype(acc), acc)
    return cast(np.asarray(vals), dt._np)


def _range_scalars(name, values):
    out = []
    for arg, pos, v in values:
        v = _number(name, arg, pos, v)
        if isinstance(v, (builtins.complex, np.complexfloating)):
            raise RuntimeError("value cannot be converted to type double without overflow")
        out.append(v)
    return out


def _range_checks(start, end, step, acc):
    xs, xe, xt = (acc(v) for v in (start, end, step))
    if xt == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(xs) and math.isfinite(xe)):
        raise RuntimeError(f"unsupported range: {xs:g} -> {xe:g}")
    if not (xt > 0 and xe >= xs or xt < 0 and xe <= xs):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return xs, xe, xt


def _not_for(name, dt):
    if dt is _dtype.bool or dt.is_complex:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt._legacy}'")
    limited.check(f"{name}_cpu", dt)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False):
    """Values from ``start`` to ``end`` (exclusive) with spacing ``step``."""
    if end is None:
        start, end = 0, start
    start, end, step = _range_scalars("arange", (("start", 1, start), ("end", 2, end), ("step", 3, step)))
    is_float = any(isinstance(v, (builtins.float, np.floating)) for v in (start, end, step))
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype() if is_float else _dtype.int64)
    _not_for("arange", dt)
    if dt is _dtype.int64:
        _range_checks(start, end, step or 1, builtins.float)
        if step and not builtins.int(step):
            raise ValueError("step must be nonzero")
        xs, xe, xt = _range_checks(start, end, step, builtins.int)
        sgn = (xt > 0) - (xt < 0)
        num = xe - xs + xt - sgn
        # C++ integer division: truncates toward zero
        n = abs(num) // abs(xt) * (1 if (num >= 0) == (xt > 0) else -1)
    else:
        _range_checks(start, end, step, builtins.float)
        xs, xt = (builtins.int(v) if dt._cat == _dtype.INT else v for v in (start, step))
        n = math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))
    n = builtins.int(n)
    if out is not None and out.numel() not in (0, n):
        warnings.warn(f"The number of elements in the out tensor of shape {list(out.shape)} is {out.numel()} "
                      f"which does not match the computed number of elements {n}. Note that this may occur "
                      f"as a result of rounding error. The out tensor will be resized to a tensor of shape "
                      f"({n},). (Triggered "
                      "internally at /__w/pytorch/pytorch/aten/src/ATen/native/RangeFactories.cpp:199.)",
                      UserWarning, stacklevel=2)
    arr = _arange_values(xs, xt, n, dt)
    return _result(_place(arr, device), out, requires_grad)


def range(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated: values from ``start`` to ``end`` inclusive."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    start, end, step = _range_scalars("range", (("start", 1, start), ("end", 2, end), ("step", 3, step)))
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    _not_for("range", dt)
    acc = builtins.int if dt._cat == _dtype.INT else builtins.float
    xs, xe, xt = _range_checks(start, end, step, acc)
    n = builtins.int(math.floor((xe - xs) / xt)) + 1
    idx = np.arange(n)
    if acc is builtins.int:
        arr = (xs + xt * idx).astype(dt._np)
    else:
        # unlike arange, range's kernel is neither vectorised nor fused
        arr = cast(np.float64(xs) + np.float64(xt) * idx, dt._np)
    return _result(_place(arr, device), out, requires_grad)


def _steps(name, steps):
    if isinstance(steps, Tensor) and steps.dim() == 0 and steps.dtype._cat == _dtype.INT:
        steps = steps.item()
    if not isinstance(steps, (builtins.int, np.integer)) or isinstance(steps, builtins.bool):
        raise TypeError(f"{name}() received an invalid combination of arguments - got steps of type "
                        f"{type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return builtins.int(steps)


def _linspace_values(start, end, steps, dt):
    if steps == 0:
        return np.empty(0, dt._np)
    if steps == 1:
        return np.full(1, fill_value(start, dt) if dt._cat != _dtype.INT else builtins.int(start), dt._np)
    if dt.itemsize == 2:
        return _linspace_half(start, end, steps, dt._np)
    if dt._cat == _dtype.INT:
        # integer dtypes step in double from the integer-cast ends
        s, e = np.float64(builtins.int(start.real)), np.float64(builtins.int(end.real))
        step = (e - s) / (steps - 1)
        work = np.float64
    else:
        work = dt._np.type if dt.is_complex else (np.float32 if dt.itemsize <= 4 else np.float64)
        s, e = (cast(np.array(v), dt._np).astype(work)[()] for v in (start, end))
        step = work((e - s) / work(steps - 1))
    idx = np.arange(steps)
    half = steps // 2
    if dt.is_complex:
        lo, hi = s + step * idx, e - step * (steps - idx - 1)
    else:
        lo = _fma(step, idx.astype(work), s, work)
        hi = _fma(-step, (steps - idx - 1).astype(work), e, work)
    vals = np.where(idx < half, lo, hi)
    return np.trunc(vals).astype(dt._np) if dt._cat == _dtype.INT else cast(vals, dt._np)


def _linspace_half(start, end, steps, npdt):
    # c10::Half/BFloat16 arithmetic: every operation is done in float and rounded back to the 16-bit type.
    def r(x):
        return np.asarray(x, np.float32).astype(npdt).astype(np.float32)
    s, e = r(np.float32(start)), r(np.float32(end))
    step = r((e - s) / r(steps - 1))
    idx = np.arange(steps)
    lo = r(s + r(step * r(idx)))
    hi = r(e - r(step * r(steps - idx - 1)))
    return np.where(idx < steps // 2, lo, hi).astype(npdt)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start = _number("linspace", "start", 1, start)
    end = _number("linspace", "end", 2, end)
    steps = _steps("linspace", steps)
    is_complex = any(isinstance(v, (builtins.complex, np.complexfloating)) for v in (start, end))
    dt = _out_dtype(dtype, out, _dtype.default_complex() if is_complex else _dtype.get_default_dtype())
    if is_complex and not dt.is_complex:
        raise RuntimeError(f"torch.linspace(): inferred dtype {_dtype.default_complex()} can't be safely "
                           f"cast to passed dtype {dt._legacy}")
    if steps > 1:
        limited.check("linspace_cpu", dt)
    if not is_complex:
        # torch converts both ends to the result dtype first, with its overflow errors.
        fill_value(start, dt, many=steps > 1)
        fill_value(end, dt, many=steps > 1)
    return _result(_place(_linspace_values(start, end, steps, dt), device), out, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` values spaced evenly on a log scale from ``base**start`` to ``base**end``."""
    start = _number("logspace", "start", 1, start)
    end = _number("logspace", "end", 2, end)
    steps = _steps("logspace", steps)
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    if steps > 1:
        limited.check("logspace_cpu", dt)
    work = _dtype.float64 if dt._cat == _dtype.INT else dt
    if dt._cat == _dtype.INT:
        start, end = builtins.int(start), builtins.int(end)
    exps = _linspace_values(start, end, steps, work).astype(np.float64)
    with np.errstate(over="ignore"):
        vals = np.power(builtins.float(base), exps)
    arr = np.trunc(vals).astype(dt._np) if dt._cat == _dtype.INT else cast(vals, dt._np)
    return _result(_place(arr, device), out, requires_grad)


# ---------------------------------------------------------------------------------------------- others

def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 2-D tensor with ones on the diagonal."""
    for arg, pos, v in (("n", 1, n), ("m", 2, m)):
        if v is not None and (not isinstance(v, (builtins.int, np.integer)) or isinstance(v, builtins.bool)):
            raise TypeError(f"eye(): argument '{arg}' (position {pos}) must be int, not {type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{arg} must be greater or equal to 0, got {v}")
    dt = _out_dtype(dtype, out, _dtype.get_default_dtype())
    limited.check("eye", dt)
    arr = xp_for(to_device(device)).eye(n, n if m is None else m, dtype=dt._np)
    return _result(arr, out, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given size and strides (in elements)."""
    size = _size_args((size,), "empty_strided")
    stride = tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    dt = to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    extent = 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    xp = xp_for(to_device(device))
    buf = xp.empty(extent, dt._np)
    byte_strides = tuple(s * buf.itemsize for s in stride)
    if xp is np:
        # a plain ndarray over buf (not as_strided's wrapper) so that storage() finds the buffer
        arr = np.ndarray(size, dt._np, buffer=buf, strides=byte_strides)
    else:
        arr = xp.lib.stride_tricks.as_strided(buf, size, byte_strides)
    return _finish(arr, requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding ``s`` (default float dtype)."""
    s = _number("scalar_tensor", "s", 1, s)
    dt = to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    arr = xp_for(to_device(device)).asarray(fill_value(s, dt), dtype=dt._np).reshape(())
    return _finish(arr, requires_grad)


# ---------------------------------------------------------------------------------- legacy constructors

def legacy_new(cls, dt, args, device, check_dtype=True):
    """``torch.Tensor(...)`` / ``torch.FloatTensor(...)``: sizes, a sequence, an array or a tensor."""
    if device is not None and to_device(device).type != "cpu":
        raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                           f"{to_device(device).type} was passed")
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if check_dtype and src.dtype is not dt:
            raise TypeError(f"expected {dt} (got {src.dtype})")
        return _as_cls(cls, src.detach())
    if not args:
        arr = np.empty((0,), dt._np)
    elif len(args) > 1 or _int_like(args[0], False) or type(args[0]).__name__ == "Size":
        # zeros where torch leaves memory uninitialised
        arr = np.zeros(_size_args(args, "new"), dt._np)
    elif isinstance(args[0], np.ndarray):
        # torch shares the array's memory when its dtype is already the right one
        same = array_dtype(args[0]) is dt
        arr = args[0] if same else _copy_layout(args[0], dt._np)
    elif isinstance(args[0], (str, bytes)) or not isinstance(args[0], Sequence):
        what = args[0]
        if isinstance(what, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(what).__name__}'")
        raise TypeError(f"new(): data must be a sequence (got {_type_name(what)})")
    else:
        arr = from_data(args[0], dt)
    return _as_cls(cls, _wrap(arr))


def _as_cls(cls, t):
    if cls is Tensor or getattr(cls, "_legacy_dtype", None) is not None:
        return t
    obj = object.__new__(cls)
    obj._data = t._data
    return obj


# ---------------------------------------------------------------------------------- copy / pickle

def _deepcopy_data(d, memo):
    """A copy of ``d``; arrays over one buffer stay views of one new buffer within a deepcopy (memo)."""
    root = d
    while isinstance(root.base, np.ndarray):
        root = root.base
    if type(d) is not np.ndarray or not (root.flags.c_contiguous or root.flags.f_contiguous):
        return d.copy()
    key = ("numtorch.storage", id(root))
    if key not in memo:
        memo[key] = (root, np.array(root, order="K"))
    flat = memo[key][1].reshape(-1, order="A")
    offset = d.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return np.ndarray(d.shape, d.dtype, buffer=flat, offset=offset, strides=d.strides)


def deepcopy_tensor(t, memo):
    if id(t) in memo:
        return memo[id(t)]
    if t._grad_fn is not None:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                           "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                           "be because of a torch.nn.utils.weight_norm usage, see "
                           "https://github.com/pytorch/pytorch/pull/103001")
    new = object.__new__(type(t))
    new._data = _deepcopy_data(t._data, memo)
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
    # the array itself: pickling copies it, while copy.copy shares it as torch's shallow copy does
    return (_rebuild, (d, t._requires_grad, extra))


def setstate_tensor(t, state):
    if isinstance(state, tuple) and len(state) == 4:
        t._data = state[0]._data if isinstance(state[0], Tensor) else state[0]
        t._requires_grad = state[1]


def is_inference(input):
    """Returns True if ``input`` is an inference tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{_type_name(input)}")
    return input.is_inference()


_FUNCTIONS["is_inference"] = is_inference
