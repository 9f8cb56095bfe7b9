"""Python data -> arrays, read the way ``torch.tensor`` reads it (sizes, dtype inference, per-value rules)."""
import operator
import warnings
from collections.abc import Sequence

import ml_dtypes
import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from . import float8

_PLAIN = frozenset((int, float, bool, complex))
_NDARRAY_LIST = ("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
                 "converting the list to a single numpy.ndarray with numpy.array() before converting to a "
                 "tensor. "
                 "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)")
_NP_TYPES = ("float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
             "uint16, uint8, and bool")
COMPLEX_TO_REAL = "Casting complex values to real discards the imaginary part"
_warned_complex = []


def warn_complex_to_real(stacklevel):
    """torch's warning for a complex -> real copy, given once per process."""
    if not _warned_complex:
        _warned_complex.append(True)
        warnings.warn(COMPLEX_TO_REAL + " (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                      "Copy.cpp:307.)", UserWarning, stacklevel=stacklevel + 1)


# C++ names torch uses in its overflow message.
_CNAME = {"float64": "double", "float32": "float", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def cast(arr, np_dtype):
    """``arr.astype(np_dtype)`` with torch's rounding: double -> half/bfloat16 goes through float."""
    np_dtype = np.dtype(np_dtype)
    if arr.dtype == np_dtype:
        return arr.copy()
    if float8.is_float8(np_dtype) or float8.is_float8(arr.dtype):
        return float8.convert(arr, np_dtype)
    if arr.dtype.kind == "c" and np_dtype.kind != "c":
        arr = arr.real
    if arr.dtype.itemsize == 8 and arr.dtype.kind == "f" and np_dtype.itemsize == 2:
        arr = arr.astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(np_dtype)


def array_dtype(arr):
    """The torch dtype of a NumPy array torch accepts; torch's errors for the others."""
    dt = NP2DT.get(arr.dtype) if arr.dtype.isnative or arr.dtype.itemsize == 1 else None
    if dt is None and arr.dtype.kind in "biufc" and not arr.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    if dt is None or float8.is_float8(arr.dtype):
        kind = arr.dtype.type
        raise TypeError(f"can't convert np.ndarray of type {kind.__module__}.{kind.__name__}. The only "
                        f"supported types are: {_NP_TYPES}.")
    if any(s < 0 for s in arr.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around this "
                         "by making a copy of your array  with array.copy().) ")
    return dt


_warned = []


def _is_seq(x):
    return isinstance(x, (Sequence, np.ndarray)) and not isinstance(x, Tensor)


def _sizes(data):
    # torch reads each dimension's length from the first element only; the rest must agree.
    sizes = []
    x = data
    while _is_seq(x):
        if isinstance(x, (str, bytes)):
            raise ValueError(f"too many dimensions '{type(x).__name__}'")
        n = len(x)
        sizes.append(n)
        if n == 0:
            break
        x = x[0]
    return sizes


def _flatten(data, sizes):
    level = [data]
    for d, n in enumerate(sizes):
        nxt = []
        for x in level:
            if not _is_seq(x):
                raise TypeError("not a sequence")
            if len(x) != n:
                raise ValueError(f"expected sequence of length {n} at dim {d} (got {len(x)})")
            nxt.extend(x)
        level = nxt
    return level


def _leaf_dtype(x):
    t = type(x)
    if t is bool:
        return _dtype.bool
    if t is int:
        return _dtype.int64
    if t is float:
        return _dtype.get_default_dtype()
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.generic):
        return NP2DT.get(x.dtype) or _dtype.to_dtype(x.dtype)
    if isinstance(x, np.ndarray):
        return array_dtype(x)
    if isinstance(x, complex):
        if _dtype.get_default_dtype() is _dtype.bfloat16:
            raise RuntimeError("invalid default scalar type for complex")
        return _dtype.default_complex()
    if isinstance(x, float):
        return _dtype.get_default_dtype()
    if isinstance(x, int):
        return _dtype.int64
    if isinstance(x, str):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def infer_dtype(data):
    """The dtype torch.tensor gives ``data``: its values' dtypes promoted together (default if empty)."""
    found = None
    stack = [data]
    while stack:
        x = stack.pop()
        if _is_seq(x) and not isinstance(x, (str, np.ndarray)):
            types = set(map(type, x))
            if types and types <= _PLAIN:
                x = tuple(next(v for v in x if type(v) is t) for t in types)
                d = _promote_all(map(_leaf_dtype, x))
            else:
                stack.extend(x)
                continue
        else:
            d = _leaf_dtype(x)
        found = d if found is None else _dtype.promote_types(found, d)
    return found if found is not None else _dtype.get_default_dtype()


def _promote_all(dts):
    out = None
    for d in dts:
        out = d if out is None else _dtype.promote_types(out, d)
    return out


def _to_int(x):
    if isinstance(x, Tensor) or not isinstance(x, float):
        return operator.index(x)
    return float(x)


def _to_bool(x):
    if isinstance(x, (float, complex, np.bool_)) and not isinstance(x, Tensor):
        return bool(x)
    return bool(operator.index(x))


def _one_element(x):
    if x.numel() != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return x.item()


def _to_float(x):
    if isinstance(x, Tensor):
        if x.dtype.is_complex:
            raise RuntimeError("value cannot be converted to type double without overflow")
        return float(_one_element(x))
    if isinstance(x, np.complexfloating):
        warnings.warn(COMPLEX_TO_REAL, UserWarning, stacklevel=5)
        return float(x.real)
    if isinstance(x, (np.number, np.bool_, int, float)) and not isinstance(x, complex):
        return float(x)
    raise TypeError(f"must be real number, not {type(x).__name__}")


def _to_complex(x):
    if isinstance(x, Tensor):
        return complex(_one_element(x))
    if isinstance(x, (np.number, np.bool_, int, float, complex)):
        return complex(x)
    raise TypeError(f"must be real number, not {type(x).__name__}")


_LEAF = {_dtype.BOOL: _to_bool, _dtype.INT: _to_int, _dtype.FLOAT: _to_float, _dtype.COMPLEX: _to_complex}


def _overflow(dt):
    return RuntimeError(f"value cannot be converted to type {_CNAME.get(dt._name, dt._name)} without "
                        f"overflow")


def _ints(vals, dt):
    try:
        a = np.array(vals, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if dt is _dtype.bool or dt is _dtype.int64 or not a.size:
        return a
    info = np.iinfo(dt._np)
    # Unsigned targets accept negative values that wrap around (two's complement), as torch does.
    lo = -info.max if info.min == 0 else info.min
    if a.min() < lo or a.max() > info.max:
        raise _overflow(dt)
    return a


def _floats_to_int(vals, dt):
    f = np.array(vals, dtype=np.float64)
    if dt is not _dtype.bool and f.size:
        info = np.iinfo(dt._np)
        if np.isnan(f).any() or f.min() < info.min or f.max() > info.max:
            raise _overflow(dt)
    return np.trunc(f)


def _int_array(flat, dt, types):
    if complex in types:
        raise TypeError("'complex' object cannot be interpreted as an integer")
    if float not in types:
        return _ints(flat, dt).astype(dt._np)
    isf = np.fromiter((type(x) is float for x in flat), bool, len(flat))
    out = np.empty(len(flat), dt._np)
    with np.errstate(invalid="ignore"):
        out[isf] = _floats_to_int([x for x in flat if type(x) is float], dt).astype(dt._np)
        out[~isf] = _ints([x for x in flat if type(x) is not float], dt).astype(dt._np)
    return out


def _uint64s(flat):
    # torch reads uint64 values as C unsigned long long: Python ints (and bools) only, without wrapping
    for x in flat:
        if type(x) is not int and type(x) is not bool:
            raise TypeError("an integer is required")
        if x < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if x >> 64:
            raise OverflowError("int too big to convert")
    return np.array(flat, dtype=np.uint64)


def _values(flat, dt):
    """A 1-D array of dtype ``dt`` from a flat list of values, each read by torch's per-value rules."""
    if dt is _dtype.uint64:
        return _uint64s(flat)
    types = set(map(type, flat))
    if not types <= _PLAIN:
        flat = list(map(_LEAF[dt._cat], flat))
        types = set(map(type, flat))
    if dt is _dtype.bool:
        kind = np.complex128 if complex in types else np.float64
        return np.array(flat, dtype=kind) != 0
    if dt._cat == _dtype.INT:
        return _int_array(flat, dt, types)
    if dt._cat == _dtype.FLOAT and complex in types:
        raise TypeError("must be real number, not complex")
    wide = np.complex128 if dt.is_complex else np.float64
    return cast(np.array(flat, dtype=wide), dt._np)


def from_data(data, dt):
    """The array torch.tensor(data, dtype=dt) holds (``dt`` None: inferred) for Python data."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    sizes = _sizes(data)
    if dt is None:
        dt = infer_dtype(data)
    if isinstance(data, (list, tuple)) and data and isinstance(data[0], np.ndarray) and not _warned:
        # torch gives this warning once per process.
        _warned.append(True)
        warnings.warn(_NDARRAY_LIST, UserWarning, stacklevel=4)
    flat = _flatten(data, sizes)
    return _values(flat, dt).reshape(sizes)


# C++ names in torch's message when a fill value does not fit its dtype.
_FILL_CNAME = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
               "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
               "float32": "float", "complex64": "c10::complex<float>"}
_F32_MAX = float(np.finfo(np.float32).max)


def _fill_overflow(dt, name=None):
    return RuntimeError(f"value cannot be converted to type {name or _FILL_CNAME[dt._name]} without overflow")


_HALVES = (_dtype.float16, _dtype.bfloat16) + _dtype.FLOAT8S
_HALF_MAX = {d._name: float(ml_dtypes.finfo(d._np).max) for d in _HALVES}
_HALF_CNAME = {d._name: f"c10::{d._legacy}" for d in _HALVES}
_HALF_CNAME["float16"] = "c10::Half"
# the reduced types without infinities, to which an infinite fill value overflows
_NO_INF = frozenset(d._name for d in _dtype.FLOAT8S if d is not _dtype.float8_e5m2)


def fill_value(v, dt, many=False):
    """The Python number ``v`` checked for dtype ``dt`` as torch's fill/full do (overflow -> RuntimeError).

    many: more than one element is filled; torch then also range-checks half and bfloat16 values.
    """
    if many and dt._name in _HALF_MAX and not isinstance(v, (complex, np.complexfloating)):
        if abs(float(v)) > _HALF_MAX[dt._name] and (np.isfinite(v) or dt._name in _NO_INF):
            raise _fill_overflow(dt, _HALF_CNAME[dt._name])
    if dt is _dtype.bool:
        return bool(v)
    if isinstance(v, (complex, np.complexfloating)):
        if v.imag != 0 and not dt.is_complex:
            raise _fill_overflow(dt, None if dt._cat == _dtype.INT or dt is _dtype.float32 else "double")
        v = v if dt.is_complex else v.real
    if dt._cat == _dtype.INT:
        return _fill_int(v, dt)
    if dt is _dtype.float32 or dt is _dtype.complex64:
        parts = (v.real, v.imag) if isinstance(v, (complex, np.complexfloating)) else (v,)
        if any(np.isfinite(p) and abs(p) > _F32_MAX for p in parts):
            raise _fill_overflow(dt)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        v = float(v)
    return cast(np.array(v), dt._np)[()]


def _fill_int(v, dt):
    info = np.iinfo(dt._np)
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v) or v < info.min or v > info.max:
            raise _fill_overflow(dt)
        return int(v)
    v = int(v)
    lo = -info.max if info.min == 0 else info.min
    if v < lo or v > info.max:
        raise _fill_overflow(dt)
    return np.array(v).astype(dt._np)[()]
