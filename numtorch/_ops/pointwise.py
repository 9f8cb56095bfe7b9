"""Pointwise ops: arithmetic, exponentials, trigonometry, activations, comparisons, logic."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._registry import (ALWAYS_BOOL, DEFAULT, FUNCTIONS, INT_TO_FLOAT, NONE, OPS, call, call_inplace,
                        register)


def public(fn, *, method=True, inplace=None):
    """Expose a Python-level wrapper (over one or more ops) as numtorch.<name> and Tensor.<name>."""
    FUNCTIONS[fn.__name__] = fn
    if method:
        setattr(Tensor, fn.__name__, fn)
    if inplace is not None:
        inplace.__name__ = fn.__name__ + "_"
        setattr(Tensor, inplace.__name__, inplace)
    return fn


def _is_int(dt):
    return dt._cat <= _dtype.INT


# ---------------------------------------------------------------------------------------- arithmetic

def _check_alpha(a, b, alpha):
    if isinstance(alpha, float) and _is_int(_dtype.result_type_of((a, b))):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _add(xp, a, b, alpha=1):
    return xp.add(a, b if alpha == 1 else xp.multiply(b, alpha))


def _add_backward(grad, a, b, out, alpha=1):
    return grad, (grad if alpha == 1 else grad * alpha)


def _sub(xp, a, b, alpha=1):
    if getattr(a, "dtype", None) == np.bool_ and getattr(b, "dtype", np.bool_) == np.bool_ or (
            isinstance(b, bool) and getattr(a, "dtype", None) == np.bool_):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    return xp.subtract(a, b if alpha == 1 else xp.multiply(b, alpha))


def _sub_backward(grad, a, b, out, alpha=1):
    return grad, (-grad if alpha == 1 else grad * -alpha)


_ADD = register("add", _add, _add_backward, nin=2, promote=DEFAULT, scalars=True, method=False,
                function=False)
_SUB = register("sub", _sub, _sub_backward, nin=2, promote=DEFAULT, scalars=True, method=False,
                function=False)


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``."""
    _check_alpha(input, other, alpha)
    kw = {} if alpha == 1 else {"alpha": alpha}
    if out is not None:
        kw["out"] = out
    return call(_ADD, (input, other), kw)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    _check_alpha(input, other, alpha)
    kw = {} if alpha == 1 else {"alpha": alpha}
    if out is not None:
        kw["out"] = out
    return call(_SUB, (input, other), kw)


def _add_(self, other, *, alpha=1):
    return call_inplace(_ADD, self, (other,), {} if alpha == 1 else {"alpha": alpha})


def _sub_(self, other, *, alpha=1):
    return call_inplace(_SUB, self, (other,), {} if alpha == 1 else {"alpha": alpha})


public(add, inplace=_add_)
public(sub, inplace=_sub_)
FUNCTIONS["subtract"] = sub
Tensor.subtract = sub
Tensor.subtract_ = _sub_


def _mul_backward(grad, a, b, out):
    ga = None if a is None else grad * (b.conj() if isinstance(b, Tensor) else b)
    gb = None if b is None or not isinstance(b, Tensor) else grad * a.conj()
    return ga, gb


def _mul(xp, a, b):
    return xp.multiply(a, b)


register("mul", _mul, _mul_backward, nin=2, promote=DEFAULT, save=(0, 1), scalars=True, inplace=True)
FUNCTIONS["multiply"] = FUNCTIONS["mul"]
Tensor.multiply = Tensor.mul
Tensor.multiply_ = Tensor.mul_


def _true_div(xp, a, b):
    return xp.true_divide(a, b)


def _div_backward(grad, a, b, out):
    if not isinstance(b, Tensor):
        return grad / b, None
    ga = grad / b.conj()
    gb = None if a is None else -grad * (a / (b * b)).conj()
    return ga, gb


_DIV = register("div", _true_div, _div_backward, nin=2, promote=INT_TO_FLOAT, save=(0, 1), scalars=True,
                method=False, function=False)


def _div_rounding(xp, a, b, rounding_mode):
    if getattr(a, "dtype", np.dtype("f")).kind in "iub":
        if np.any(xp.asarray(b) == 0):
            raise ZeroDivisionError("ZeroDivisionError")
        if rounding_mode == "floor":
            return xp.floor_divide(a, b)
        q = xp.floor_divide(a, b)
        # Integer truncation toward zero: fix up floor's result where signs differ and it is inexact.
        fix = (xp.remainder(a, b) != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0))
        return q + fix.astype(q.dtype)
    q = xp.true_divide(a, b)
    return xp.floor(q) if rounding_mode == "floor" else xp.trunc(q)


def _div_rounding_backward(grad, a, b, out, rounding_mode):
    return grad * 0, (grad * 0 if isinstance(b, Tensor) else None)


_DIV_MODE = register("_div_rounding", _div_rounding, _div_rounding_backward, nin=2, promote=DEFAULT,
                     scalars=True, node="DivBackward2", method=False, function=False)


def _check_mode(rounding_mode):
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``, optionally rounded ('trunc' or 'floor')."""
    _check_mode(rounding_mode)
    kw = {} if out is None else {"out": out}
    if rounding_mode is None:
        return call(_DIV, (input, other), kw)
    return call(_DIV_MODE, (input, other, rounding_mode), kw)


def _div_(self, other, *, rounding_mode=None):
    _check_mode(rounding_mode)
    if rounding_mode is None:
        return call_inplace(_DIV, self, (other,), {})
    return call_inplace(_DIV_MODE, self, (other, rounding_mode), {})


def true_divide(input, other, *, out=None):
    """Alias for ``div`` without rounding."""
    return div(input, other, out=out)


def floor_divide(input, other, *, out=None):
    """``input // other`` rounded toward minus infinity."""
    return div(input, other, rounding_mode="floor", out=out)


public(div, inplace=_div_)
public(true_divide, inplace=lambda self, other: _div_(self, other))
public(floor_divide, inplace=lambda self, other: _div_(self, other, rounding_mode="floor"))
FUNCTIONS["divide"] = div
Tensor.divide = div
Tensor.divide_ = _div_


def _remainder(xp, a, b):
    if getattr(a, "dtype", np.dtype("f")).kind in "iub" and np.any(xp.asarray(b) == 0):
        raise ZeroDivisionError("ZeroDivisionError")
    return xp.remainder(a, b)


def _remainder_backward(grad, a, b, out):
    gb = None
    if isinstance(b, Tensor):
        gb = -grad * FUNCTIONS["div"](a, b, rounding_mode="floor")
    return grad, gb


register("remainder", _remainder, _remainder_backward, nin=2, promote=DEFAULT, save=(0, 1), scalars=True,
         inplace=True)


def _fmod(xp, a, b):
    if getattr(a, "dtype", np.dtype("f")).kind in "iub" and np.any(xp.asarray(b) == 0):
        raise ZeroDivisionError("ZeroDivisionError")
    return xp.fmod(a, b)


def _fmod_backward(grad, a, b, out):
    gb = None
    if isinstance(b, Tensor):
        gb = -grad * FUNCTIONS["div"](a, b, rounding_mode="trunc")
    return grad, gb


register("fmod", _fmod, _fmod_backward, nin=2, promote=DEFAULT, save=(0, 1), scalars=True, inplace=True)


def _pow(xp, a, b):
    if getattr(a, "dtype", np.dtype("f")).kind in "iu" and np.any(xp.asarray(b) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return xp.power(a, b)


def _pow_backward(grad, a, b, out):
    if not isinstance(b, Tensor):
        if b == 0:
            return grad * 0, None
        return grad * b * a.pow(b - 1), None
    if not isinstance(a, Tensor):
        return None, grad * out * np.log(a) if a > 0 else grad * out * float("nan") if a < 0 else grad * 0
    ga = grad * b * a.pow(b - 1)
    ga = FUNCTIONS["where"](b == 0, 0.0, ga)
    gb = grad * out * FUNCTIONS["where"](a == 0, 0.0, a.log())
    gb = FUNCTIONS["where"]((a == 0) & (b >= 0), 0.0, gb)
    return ga, gb


register("pow", _pow, _pow_backward, nin=2, promote=DEFAULT, save=(0, 1), save_out=True, scalars=True,
         inplace=True)


def _unary(name, fwd, bwd=None, *, promote=INT_TO_FLOAT, save=(0,), save_out=False, inplace=True, node=None):
    return register(name, fwd, bwd, nin=1, promote=promote, save=save, save_out=save_out, inplace=inplace,
                    node=node)


_unary("neg", lambda xp, a: _neg(xp, a), lambda g, a, out: -g, promote=NONE, save=())
_unary("exp", lambda xp, a: xp.exp(a), lambda g, a, out: g * out.conj(), save=(), save_out=True)
_unary("log", lambda xp, a: xp.log(a), lambda g, a, out: g / a.conj())
_unary("sin", lambda xp, a: xp.sin(a), lambda g, a, out: g * a.cos().conj())
_unary("cos", lambda xp, a: xp.cos(a), lambda g, a, out: -g * a.sin().conj())
_unary("tanh", lambda xp, a: xp.tanh(a), lambda g, a, out: g * (1 - out * out).conj(), save=(),
       save_out=True)
_unary("sqrt", lambda xp, a: xp.sqrt(a), lambda g, a, out: g / (2 * out.conj()), save=(), save_out=True)
_unary("sigmoid", lambda xp, a: _sigmoid(xp, a), lambda g, a, out: g * (out * (1 - out)).conj(), save=(),
       save_out=True)
_unary("relu", lambda xp, a: xp.maximum(a, 0).astype(a.dtype, copy=False),
       lambda g, a, out: g * (out > 0), promote=NONE, save=(), save_out=True)
_unary("abs", lambda xp, a: xp.abs(a), lambda g, a, out: g * a.sgn(), promote=NONE)
_unary("sgn", lambda xp, a: _sgn(xp, a), lambda g, a, out: g * 0, promote=NONE, save=())
FUNCTIONS["negative"] = FUNCTIONS["neg"]
Tensor.negative = Tensor.neg
Tensor.negative_ = Tensor.neg_
FUNCTIONS["absolute"] = FUNCTIONS["abs"]
Tensor.absolute = Tensor.abs
Tensor.absolute_ = Tensor.abs_


def _neg(xp, a):
    if a.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return xp.negative(a)


def _sigmoid(xp, a):
    # Split by sign so that exp never overflows.
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _sgn(xp, a):
    if a.dtype.kind == "c":
        mag = xp.abs(a)
        return xp.where(mag == 0, 0, a / xp.where(mag == 0, 1, mag)).astype(a.dtype)
    return xp.sign(a)


# ---------------------------------------------------------------------------------------- clamp / where

def _clamp(xp, a, lo=None, hi=None):
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    r = a
    if lo is not None:
        r = xp.maximum(r, lo)
    if hi is not None:
        r = xp.minimum(r, hi)
    if a.dtype.kind == "f":
        r = xp.where(xp.isnan(a), a, r)
    return r


def _clamp_backward(grad, a, out, lo=None, hi=None):
    mask = (a >= lo) if lo is not None else None
    if hi is not None:
        m2 = a <= hi
        mask = m2 if mask is None else mask & m2
    return grad * mask


_CLAMP = register("clamp", _clamp, _clamp_backward, nin=1, promote=NONE, save=(0,), node="ClampBackward1",
                  method=False, function=False)


def _clamp_t(xp, a, lo, hi):
    return _clamp(xp, a, lo, hi)


def _clamp_t_backward(grad, a, lo, hi, out):
    keep = FUNCTIONS["ones_like"](a, dtype=_dtype.bool)
    if lo is not None:
        keep = keep & (a >= lo)
    if hi is not None:
        keep = keep & (a <= hi)
    glo = None if lo is None else grad * (a < lo)
    ghi = None if hi is None else grad * (a > hi)
    return grad * keep, glo, ghi


_CLAMP_T = register("_clamp_tensor", _clamp_t, _clamp_t_backward, nin=3, promote=DEFAULT, save=(0, 1, 2),
                    node="ClampBackward0", method=False, function=False)


def _clamp_dispatch(input, min, max):
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _CLAMP_T, (input, min, max), {}
    res_dt = _dtype.result_type_of([x for x in (input, min, max) if x is not None])
    if res_dt is not input.dtype:
        return _CLAMP_T, (input, min, max), {}
    return _CLAMP, (input, min, max), {}


def clamp(input, min=None, max=None, *, out=None):
    """Clamps all elements into ``[min, max]``."""
    op, args, kw = _clamp_dispatch(input, min, max)
    if out is not None:
        kw["out"] = out
    return call(op, args, kw)


def _clamp_(self, min=None, max=None):
    op, args, kw = _clamp_dispatch(self, min, max)
    return call_inplace(op, self, args[1:], kw)


public(clamp, inplace=_clamp_)
FUNCTIONS["clip"] = clamp
Tensor.clip = clamp
Tensor.clip_ = _clamp_


def _where(xp, cond, a, b):
    return xp.where(cond, a, b)


def _where_backward(grad, cond, a, b, out):
    zero = grad * 0
    ga = FUNCTIONS["where"](cond, grad, zero) if isinstance(a, Tensor) else None
    gb = FUNCTIONS["where"](cond, zero, grad) if isinstance(b, Tensor) else None
    return None, ga, gb


_WHERE = register("_where", _where, _where_backward, nin=3, promote=NONE, save=(0,), scalars=True,
                  node="WhereBackward0", method=False, function=False)


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; one argument: ``nonzero``."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype._legacy}")
    dt = _dtype.result_type_of((input, other))
    a = input.to(dt) if isinstance(input, Tensor) and input.dtype is not dt else input
    b = other.to(dt) if isinstance(other, Tensor) and other.dtype is not dt else other
    if not isinstance(a, Tensor):
        a = FUNCTIONS["scalar_tensor"](a, dtype=dt, device=condition.device)
    if not isinstance(b, Tensor):
        b = FUNCTIONS["scalar_tensor"](b, dtype=dt, device=condition.device)
    kw = {} if out is None else {"out": out}
    return call(_WHERE, (condition, a, b), kw)


public(where, method=False)


def _tensor_where(self, condition, y):
    return where(condition, self, y)


Tensor.where = _tensor_where


# ---------------------------------------------------------------------------------------- comparisons

def _cmp(name, ufunc, alias=None):
    register(name, lambda xp, a, b: ufunc(a, b), None, nin=2, promote=ALWAYS_BOOL, scalars=True, inplace=True)
    if alias:
        FUNCTIONS[alias] = FUNCTIONS[name]
        setattr(Tensor, alias, getattr(Tensor, name))
        setattr(Tensor, alias + "_", getattr(Tensor, name + "_"))


_cmp("eq", np.equal)
_cmp("ne", np.not_equal, "not_equal")
_cmp("lt", np.less, "less")
_cmp("le", np.less_equal, "less_equal")
_cmp("gt", np.greater, "greater")
_cmp("ge", np.greater_equal, "greater_equal")


def _bitwise(name, ufunc):
    def fwd(xp, a, b):
        if getattr(a, "dtype", np.dtype("i")).kind in "fc" or getattr(b, "dtype", np.dtype("i")).kind in "fc" \
                or isinstance(b, float):
            raise RuntimeError(f'"{name}_cpu" not implemented for \'Float\'')
        return ufunc(a, b)
    register(name, fwd, None, nin=2, promote=DEFAULT, scalars=True, inplace=True)


_bitwise("bitwise_and", np.bitwise_and)
_bitwise("bitwise_or", np.bitwise_or)
_bitwise("bitwise_xor", np.bitwise_xor)
_bitwise("bitwise_left_shift", np.left_shift)
_bitwise("bitwise_right_shift", np.right_shift)


def _bitwise_not(xp, a):
    if a.dtype.kind in "fc":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return xp.invert(a)


register("bitwise_not", _bitwise_not, None, nin=1, inplace=True)


def _logical(name, ufunc, nin=2):
    if nin == 2:
        fwd = lambda xp, a, b: ufunc(a, b)  # noqa: E731
    else:
        fwd = lambda xp, a: ufunc(a)  # noqa: E731
    register(name, fwd, None, nin=nin, promote=NONE, scalars=True, inplace=True)


_logical("logical_and", np.logical_and)
_logical("logical_or", np.logical_or)
_logical("logical_xor", np.logical_xor)
_logical("logical_not", np.logical_not, nin=1)
