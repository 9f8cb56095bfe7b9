"""Whole-tensor comparisons: isclose, allclose, equal."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._registry import register
from .pointwise import public


def _isclose(xp, a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    if a.dtype != b.dtype:
        from .._dtype import NP2DT
        raise RuntimeError(f"{NP2DT[a.dtype]._legacy} did not match {NP2DT[b.dtype]._legacy}")
    if a.dtype == np.bool_ or a.dtype.kind in "iu":
        a, b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = (a == b) | (xp.abs(a - b) <= atol + rtol * xp.abs(b))
    # Only equal infinities are close; a finite tolerance never reaches them.
    close &= xp.isfinite(a) & xp.isfinite(b) | (a == b)
    if equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    return close


_ISCLOSE = register("isclose", _isclose, None, nin=2, method=False, function=False)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (bool tensor)."""
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    from ._registry import call
    return call(_ISCLOSE, (input, other, rtol, atol, equal_nan), {})


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether all elements of ``input`` and ``other`` are close (a Python bool)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both tensors have the same size and elements (dtypes may differ)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        _dtype.promote_types(input.dtype, other.dtype)  # torch's error for the limited dtypes
    if a.shape != b.shape:
        return False
    return bool((a == b).all())


public(isclose)
public(allclose)
public(equal)
