"""Conversions to and from the float8 dtypes, bit for bit as torch's c10 conversions make them.

torch converts every value through float32: to float8 by rounding to nearest even (as ml_dtypes does), where
float8_e4m3fn saturates at +-448 (infinities included) instead of giving NaN, and a NaN becomes float8_e5m2's
all-ones pattern; from float8 by its own bit formulas, whose NaNs carry payloads ml_dtypes does not give.
"""
import ml_dtypes
import numpy as np

_E4M3FN = np.dtype(ml_dtypes.float8_e4m3fn)
_E5M2 = np.dtype(ml_dtypes.float8_e5m2)
_FNUZ = (np.dtype(ml_dtypes.float8_e4m3fnuz), np.dtype(ml_dtypes.float8_e5m2fnuz))
FLOAT8 = frozenset((_E4M3FN, _E5M2) + _FNUZ)


def is_float8(np_dtype):
    """Whether ``np_dtype`` is one of the float8 dtypes (a cheap test first: their items are one byte)."""
    return np_dtype.itemsize == 1 and np_dtype in FLOAT8


def _float32_table(np_dtype):
    table = np.arange(256, dtype=np.uint8).view(np_dtype).astype(np.float32).view(np.uint32)
    nan = table[:128] & 0x7FFFFFFF > 0x7F800000
    if np_dtype == _E4M3FN:
        payload = np.where(nan, 0x7FF00000, 0)
    elif np_dtype == _E5M2:
        # float8_e5m2 widens like half (its top byte); the signalling pattern comes back quieted
        payload = np.where(nan, (np.arange(128, dtype=np.uint32) << 21 | 0x7FC00000) & 0x7FE00000, 0)
    else:
        table[128] = 0x7F800001  # c10's NaN for the fnuz types
        return table.view(np.float32)
    table[:128] = np.where(nan, payload, table[:128])
    table[128:] = np.where(nan, payload | 0x80000000, table[128:])
    return table.view(np.float32)


_TO_FLOAT32 = {d: _float32_table(d) for d in FLOAT8}


def to_float32(arr):
    """The float32 values of the float8 array ``arr``."""
    return _TO_FLOAT32[arr.dtype][arr.view(np.uint8)]


def wide(arr):
    """The float64 values of the float8 array ``arr`` (exact), for products torch sums in float."""
    return to_float32(arr).astype(np.float64)


def from_float32(x, np_dtype):
    """The float32 array ``x`` rounded to the float8 dtype ``np_dtype``."""
    x = np.asarray(x)
    with np.errstate(invalid="ignore", over="ignore"):
        r = np.asarray(x.astype(np_dtype))
    if np_dtype == _E4M3FN or np_dtype == _E5M2:
        bits = r.view(np.uint8)
        nan = x != x
        if np_dtype == _E4M3FN:
            fix = (bits & 0x7F == 0x7F) & ~nan
            bits[fix] = (bits[fix] & 0x80) | 0x7E
        else:
            bits[nan] |= 0x7F
    return r


# What torch's scalar casts make of a float8 NaN where NumPy's casts of its float32 bits differ: bfloat16 gets
# the canonical NaN, and the fnuz NaN (float32 bits 0x7F800001) half's canonical NaN and integer zero.
_NAN_BITS = {np.dtype(ml_dtypes.bfloat16): (0x7FC0, 0x7FC0), np.dtype(np.float16): (None, 0x7E00),
             np.dtype(np.int32): (None, 0), np.dtype(np.int64): (None, 0), np.dtype(np.uint64): (None, 0)}


def _from_float8(arr, np_dtype):
    x = to_float32(arr)
    if np_dtype == np.float32:
        return x
    with np.errstate(invalid="ignore", over="ignore"):
        # C's float -> uint32 goes through int64 and keeps the low 32 bits (NaN and infinities give 0)
        r = x.astype(np.int64).astype(np_dtype) if np_dtype == np.uint32 else x.astype(np_dtype)
    fix = _NAN_BITS.get(np_dtype)
    if fix is not None and fix[arr.dtype in _FNUZ] is not None:
        nan = x != x
        if nan.any():
            bits = r.view(np.uint16) if np_dtype.itemsize == 2 else r
            bits[nan] = fix[arr.dtype in _FNUZ]
    return r


def astype(arr, np_dtype):
    """``arr.astype(np_dtype)``, through ``convert`` when either side is float8."""
    if is_float8(np_dtype) or is_float8(arr.dtype):
        return convert(arr, np_dtype)
    return arr.astype(np_dtype)


def convert(arr, np_dtype):
    """``arr.astype(np_dtype)`` where one side is float8, through float32 as torch converts."""
    if is_float8(arr.dtype):
        if not is_float8(np_dtype):
            return _from_float8(arr, np_dtype)
        arr = to_float32(arr)
    if arr.dtype != np.float32:
        if arr.dtype.kind == "c":
            arr = arr.real
        with np.errstate(invalid="ignore", over="ignore"):
            arr = arr.astype(np.float32)
    return from_float32(arr, np_dtype)
