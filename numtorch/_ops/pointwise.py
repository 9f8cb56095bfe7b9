"""Pointwise ops: arithmetic, exponentials, trigonometry, activations, comparisons, logic."""
import cmath
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import InputMeta
from ._registry import (ALWAYS_BOOL, DEFAULT, FUNCTIONS, INT_TO_FLOAT, NONE, _scalar_array, bf16_number, call,
                        call_inplace, check_devices, register)
from ._scratch import scratch
from . import limited
from .limited import kernel_error

# torch never warns about division by zero, overflow or invalid values: NumPy must not either.
np.seterr(divide="ignore", over="ignore", invalid="ignore")
_BF16 = _dtype.bfloat16._np


def public(fn, *, method=True, inplace=None):
    """Expose a Python-level wrapper (over one or more ops) as numtorch.<name> and Tensor.<name>."""
    FUNCTIONS[fn.__name__] = fn
    if method:
        setattr(Tensor, fn.__name__, fn)
    if inplace is not None:
        inplace.__name__ = fn.__name__ + "_"
        setattr(Tensor, inplace.__name__, inplace)
    return fn


# ---------------------------------------------------------------------------------------- dtype checks

def _cat_dtype(a, b=None):
    """The computation dtype of an op's (already promoted) operands; Python numbers carry none."""
    d = a.dtype if hasattr(a, "dtype") else b.dtype
    return NP2DT[d]


def _reject(kernel, dt, cats):
    # torch's CPU kernels are compiled for a fixed set of dtypes; others raise NotImplementedError.
    if dt._cat in cats:
        raise kernel_error(kernel, dt)
    if dt._limited:
        limited.check(kernel, dt)


def _check_zero(xp, b):
    if xp.any(xp.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")


def _upcast(x):
    # Half and bfloat16 are computed in float32, as torch's CPU kernels do.
    d = getattr(x, "dtype", None)
    if d is not None and (d == np.float16 or d == _BF16):
        return x.astype(np.float32)
    return x


def _need_tensor(name, x, pos=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _scalar_dtype(a, s):
    """torch's result dtype for array ``a`` (as a tensor) combined with Python number ``s``."""
    return _dtype.result_type_of((Tensor._wrap(a), s))


def _check_cast(self, other):
    dt = _dtype.result_type_of((self, other))
    if not _dtype.can_cast(dt, self.dtype):
        raise RuntimeError(f"result type {dt._legacy} can't be cast to the desired output type "
                           f"{self.dtype._legacy}")


def _not_implemented(name):
    def bwd(grad, *args, **kwargs):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return bwd


def _scalar_op(name, kernel, bwd, node, *, reverse=False, save=(0,), save_out=False):
    """Register the Scalar overload of a binary op: the number rides in the arguments, not in the graph
    (so the node has a single edge, as torch's ``PowBackward0`` or ``RsubBackward1``)."""
    gate = limited.SCALAR_KERNELS.get(name)

    def fwd(xp, a, s, *rest):
        dt = _scalar_dtype(a, s)
        if dt._limited and gate is not None:
            limited.check(gate, dt)
        x = a if a.dtype == dt._np else a.astype(dt._np)
        v = _scalar_array(s, dt)
        r = kernel(xp, v, x, *rest) if reverse else kernel(xp, x, v, *rest)
        return r if r.dtype == dt._np else r.astype(dt._np)
    return register(name, fwd, bwd, nin=1, save=save, save_out=save_out, node=node, method=False,
                    function=False)


# ---------------------------------------------------------------------------------------- add / sub / mul

def _check_alpha(a, b, alpha):
    if isinstance(alpha, float) and _dtype.result_type_of((a, b))._cat <= _dtype.INT:
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _is_bool(x):
    return x.dtype is _dtype.bool if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def _check_sub(a, b):
    ba, bb = _is_bool(a), _is_bool(b)
    if ba and bb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _add(xp, a, b, alpha=1):
    if alpha != 1 and getattr(a, "dtype", None) in _REDUCED_FLOATS:
        # torch: alpha rounded to the tensor's type, then one float32 multiply-add (exact in float64)
        al = np.float64(np.float32(a.dtype.type(alpha)))
        wide = xp.add(xp.asarray(a, np.float64), xp.multiply(xp.asarray(b, np.float64), al))
        return wide.astype(np.float32)
    return xp.add(a, b if alpha == 1 else xp.multiply(b, alpha))


def _add_backward(grad, a, b, out, alpha=1):
    return grad, (grad if alpha == 1 else grad * alpha)


def _sub(xp, a, b, alpha=1):
    return xp.subtract(a, b if alpha == 1 else xp.multiply(b, alpha))


def _sub_backward(grad, a, b, out, alpha=1):
    return grad, (-grad if alpha == 1 else grad * -alpha)


def _rsub(xp, a, b, alpha=1):
    if a.dtype == _BF16:
        b = bf16_number(b)
    return xp.subtract(b, a if alpha == 1 else xp.multiply(a, alpha))


def _rsub_backward(grad, a, out, other, alpha=1):
    return -grad if alpha == 1 else grad * -alpha


_ADD = register("add", _add, _add_backward, nin=2, promote=DEFAULT, scalars=True, method=False,
                function=False, elementwise=True)
_SUB = register("sub", _sub, _sub_backward, nin=2, promote=DEFAULT, scalars=True, method=False,
                function=False, elementwise=True)
_RSUB_T = register("_rsub_tensor", _rsub, lambda g, a, b, out, alpha=1: (-g * alpha, g), nin=2,
                   promote=DEFAULT, scalars=True, node="RsubBackward0", method=False, function=False)
_RSUB = _scalar_op("_rsub_scalar", lambda xp, a, s, alpha=1: _rsub(xp, a, s, alpha), _rsub_backward,
                   "RsubBackward1", save=())


def _alpha_kw(alpha, out=None):
    kw = {} if alpha == 1 else {"alpha": alpha}
    if out is not None:
        kw["out"] = out
    return kw


def add(input, other, *, alpha=1, out=None):
    """Adds ``other``, scaled by ``alpha``, to ``input``."""
    _check_alpha(input, other, alpha)
    return call(_ADD, (input, other), _alpha_kw(alpha, out))


def sub(input, other, *, alpha=1, out=None):
    """Subtracts ``other``, scaled by ``alpha``, from ``input``."""
    _need_tensor("sub", input)
    _check_sub(input, other)
    _check_alpha(input, other, alpha)
    return call(_SUB, (input, other), _alpha_kw(alpha, out))


def rsub(input, other, *, alpha=1):
    """Subtracts ``input``, scaled by ``alpha``, from ``other``."""
    _need_tensor("rsub", input)
    _check_sub(input, other)
    _check_alpha(input, other, alpha)
    if isinstance(other, Tensor):
        return call(_RSUB_T, (input, other), _alpha_kw(alpha))
    return call(_RSUB, (input, other), _alpha_kw(alpha))


def _add_(self, other, *, alpha=1):
    _check_alpha(self, other, alpha)
    return call_inplace(_ADD, self, (other,), _alpha_kw(alpha))


def _sub_(self, other, *, alpha=1):
    _check_sub(self, other)
    _check_alpha(self, other, alpha)
    return call_inplace(_SUB, self, (other,), _alpha_kw(alpha))


public(add, inplace=_add_)
public(sub, inplace=_sub_)
public(rsub, method=False)
FUNCTIONS["subtract"] = sub
Tensor.subtract = sub
Tensor.subtract_ = _sub_


def _conj(x):
    return x.conj() if isinstance(x, Tensor) else x.conjugate()


# torch's half/bfloat16 kernels for tensor * number and tensor / number compute in float32 with the
# number itself, not the number rounded to the tensor's type first (NumPy's rule) -- only these two ops.
_REDUCED_FLOATS = (np.dtype(np.float16), np.dtype(_BF16))
_OPMATH_SCALARS = (float, int)


def _mul_backward(grad, a, b, out):
    ga = grad * _conj(b) if isinstance(a, Tensor) else None
    gb = grad * _conj(a) if isinstance(b, Tensor) else None
    return ga, gb


def _mul(xp, a, b):
    if type(b) in _OPMATH_SCALARS and getattr(a, "dtype", None) in _REDUCED_FLOATS:
        return xp.multiply(a.astype(np.float32), np.float32(b))
    return xp.multiply(a, b)


register("mul", _mul, _mul_backward, nin=2, promote=DEFAULT, save=(0, 1), scalars=True, inplace=True, elementwise=True)
FUNCTIONS["multiply"] = FUNCTIONS["mul"]
Tensor.multiply = Tensor.mul
Tensor.multiply_ = Tensor.mul_


# ---------------------------------------------------------------------------------------- division

def _true_div(xp, a, b):
    if type(b) in _OPMATH_SCALARS and getattr(a, "dtype", None) in _REDUCED_FLOATS:
        return xp.true_divide(a.astype(np.float32), np.float32(b))
    return xp.true_divide(a, b)


def _div_backward(grad, a, b, out):
    if not isinstance(b, Tensor):
        return grad / (b.conjugate() if isinstance(b, complex) else b), None
    ga = grad / b.conj()
    # torch's order: -grad * ((a / b) / b)
    gb = None if a is None else -grad * (a / b / b).conj()
    return ga, gb


_DIV = register("div", _true_div, _div_backward, nin=2, promote=INT_TO_FLOAT, save=(0, 1), scalars=True,
                method=False, function=False, elementwise=True)


def _floor_div(xp, a, b):
    dt = _cat_dtype(a, b)
    _reject("div_floor_cpu", dt, (_dtype.BOOL, _dtype.COMPLEX))
    if dt._cat == _dtype.INT:
        _check_zero(xp, b)
        return xp.floor_divide(a, b)
    a, b = _upcast(a), _upcast(b)
    # torch derives the floor quotient from fmod and rounds it to the nearest integer, which differs
    # from NumPy's floor_divide (e.g. 5.3 // 0.1 is 53, not 52).
    mod = xp.fmod(a, b)
    div = (a - mod) / b
    div = xp.where((mod != 0) & ((xp.asarray(b) < 0) != (mod < 0)), div - 1, div)
    fl = xp.floor(div)
    fl = xp.where(div - fl > 0.5, fl + 1, fl)
    q = xp.true_divide(a, b)
    fl = xp.where(div == 0, xp.copysign(xp.zeros_like(fl), q), fl)
    return xp.where(xp.asarray(b) == 0, q, fl)


def _trunc_div(xp, a, b):
    dt = _cat_dtype(a, b)
    _reject("div_trunc_cpu", dt, (_dtype.BOOL, _dtype.COMPLEX))
    if dt._cat == _dtype.INT:
        _check_zero(xp, b)
        q = xp.floor_divide(a, b)
        # Floor and truncation differ where the signs differ and the division is inexact.
        fix = (xp.remainder(a, b) != 0) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0))
        return q + fix.astype(q.dtype)
    return xp.trunc(xp.true_divide(_upcast(a), _upcast(b)))


def _div_rounding(xp, a, b, rounding_mode):
    return _floor_div(xp, a, b) if rounding_mode == "floor" else _trunc_div(xp, a, b)


def _div_rounding_backward(grad, a, b, out, rounding_mode):
    return grad * 0, (grad * 0 if isinstance(b, InputMeta) else None)


_DIV_MODE = register("_div_rounding", _div_rounding, _div_rounding_backward, nin=2, promote=DEFAULT,
                     scalars=True, node="DivBackward2", method=False, function=False, elementwise=True)
_FLOORDIV = register("floor_divide", _floor_div, _not_implemented("floor_divide"), nin=2, promote=DEFAULT,
                     scalars=True, node="torch::autograd::NotImplemented", method=False, function=False)
_FLOORDIV_S = _scalar_op("_floor_divide_scalar", _floor_div, _not_implemented("floor_divide"),
                         "torch::autograd::NotImplemented", save=())
_RFLOORDIV_S = _scalar_op("_rfloor_divide_scalar", _floor_div, _not_implemented("floor_divide"),
                          "torch::autograd::NotImplemented", reverse=True, save=())


def _check_mode(rounding_mode):
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")


def div(input, other, *, rounding_mode=None, out=None):
    """Divides ``input`` by ``other``, optionally rounding the quotient ('trunc' or 'floor')."""
    _need_tensor("div", input)
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
    """Alias for ``torch.div`` without rounding."""
    return div(input, other, out=out)


def _true_divide_(self, other):
    return _div_(self, other)


def floor_divide(input, other, *, out=None):
    """Divides ``input`` by ``other`` and rounds the quotient toward minus infinity."""
    _need_tensor("floor_divide", input)
    kw = {} if out is None else {"out": out}
    if isinstance(other, Tensor):
        return call(_FLOORDIV, (input, other), kw)
    return call(_FLOORDIV_S, (input, other), kw)


def _floor_divide_(self, other):
    if isinstance(other, Tensor):
        return call_inplace(_FLOORDIV, self, (other,), {})
    _check_cast(self, other)
    return call_inplace(_FLOORDIV_S, self, (other,), {})


public(div, inplace=_div_)
public(true_divide, inplace=_true_divide_)
public(floor_divide, inplace=_floor_divide_)
FUNCTIONS["divide"] = div
Tensor.divide = div
Tensor.divide_ = _div_


def _remainder_kernel(xp, a, b):
    dt = _cat_dtype(a, b)
    _reject("remainder_cpu", dt, (_dtype.BOOL, _dtype.COMPLEX))
    if dt._cat == _dtype.INT:
        _check_zero(xp, b)
        return xp.remainder(a, b)
    a, b = _upcast(a), _upcast(b)
    mod = xp.fmod(a, b)
    return xp.where((mod != 0) & ((xp.asarray(b) < 0) != (mod < 0)), mod + b, mod)


def _fmod_kernel(xp, a, b):
    dt = _cat_dtype(a, b)
    _reject("fmod_cpu", dt, (_dtype.BOOL, _dtype.COMPLEX))
    if dt._cat == _dtype.INT:
        _check_zero(xp, b)
    return xp.fmod(a, b)


def _remainder_backward(grad, a, b, out):
    return grad, -grad * a.div(b, rounding_mode="floor")


def _fmod_backward(grad, a, b, out):
    return grad, -grad * a.div(b, rounding_mode="trunc")


_REM = register("_remainder", _remainder_kernel, _remainder_backward, nin=2, promote=DEFAULT, save=(0, 1),
                scalars=True, node="RemainderBackward1", method=False, function=False, elementwise=True)
_REM_S = _scalar_op("_remainder_scalar", _remainder_kernel, lambda g, a, out, s: g, "RemainderBackward0",
                    save=())
_RREM_S = _scalar_op("_rremainder_scalar", _remainder_kernel, _not_implemented("remainder"),
                     "torch::autograd::NotImplemented", reverse=True, save=())
_FMOD = register("_fmod", _fmod_kernel, _fmod_backward, nin=2, promote=DEFAULT, save=(0, 1), scalars=True,
                 node="FmodBackward1", method=False, function=False, elementwise=True)
_FMOD_S = _scalar_op("_fmod_scalar", _fmod_kernel, lambda g, a, out, s: g, "FmodBackward0", save=())


def _binary_public(name, op_t, op_s, doc):
    def fn(input, other, *, out=None):
        _need_tensor(name, input)
        kw = {} if out is None else {"out": out}
        return call(op_t if isinstance(other, Tensor) else op_s, (input, other), kw)

    def fn_(self, other):
        if isinstance(other, Tensor):
            return call_inplace(op_t, self, (other,), {})
        _check_cast(self, other)
        return call_inplace(op_s, self, (other,), {})

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return public(fn, inplace=fn_)


remainder = _binary_public("remainder", _REM, _REM_S, "Python-style modulus: the result has the sign of "
                           "the divisor.")
fmod = _binary_public("fmod", _FMOD, _FMOD_S, "C-style modulus: the result has the sign of the dividend.")


# ---------------------------------------------------------------------------------------- pow

def _int_pow(xp, a, b):
    e = xp.asarray(b)
    neg = e < 0
    if not xp.any(neg):
        return xp.power(a, b)
    r = xp.power(a, xp.where(neg, 0, e).astype(e.dtype))
    base = xp.asarray(a)
    # Integer powers with negative exponents truncate: only bases 1 and -1 survive.
    odd = (e & 1) == 1
    special = xp.where(base == 1, 1, xp.where(base == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, special, r).astype(r.dtype)


def _pow_kernel(xp, a, b):
    dt = _cat_dtype(a, b)
    _reject("pow", dt, (_dtype.BOOL,))
    if dt._cat == _dtype.INT:
        return _int_pow(xp, a, b)
    if dt._cat == _dtype.COMPLEX:
        return _cpow(xp, a, b)
    return xp.power(a, b)


def _cpow(xp, a, b):
    """C's cpow, which torch's complex pow calls: exp(b * log(a)). NumPy's power calls it too, except for
    real exponents (repeated products for integers) and zero bases (0 ** 0 = 1 where cpow gives NaN), so
    those take the formula itself, whose products round as cpow's do when the exponent is real."""
    dt = a.dtype if getattr(a, "dtype", np.dtype(np.float64)).kind == "c" else b.dtype
    a, b = xp.asarray(a, dtype=dt), xp.asarray(b, dtype=dt)
    with np.errstate(all="ignore"):
        r = xp.exp(b * xp.log(a))
        general = (b.imag != 0) & (a != 0)
        if general.any():
            r = xp.where(general, xp.power(a, b), r)
    return r


def _pow_scalar_kernel(xp, a, s):
    if a.dtype == np.bool_:
        # torch answers exponents 0 and 1 without a kernel, so bool ** bool works.
        return a.copy() if s else xp.ones_like(a)
    if a.dtype.char in "fd" and not isinstance(s, (bool, complex)) and s in (3, -2, -0.5):
        # torch's kernel spells these out (x*x*x, 1/(x*x), 1/sqrt(x)) instead of calling pow: same rounding
        one = a.dtype.type(1)
        return a * a * a if s == 3 else one / (a * a) if s == -2 else one / xp.sqrt(a)
    if a.dtype.kind == "c" and not isinstance(s, bool) and s in (0, 1, 2, 3, 0.5, -0.5, -1, -2):
        # torch answers these without cpow: ones, a copy, products, sqrt, and its own divisions
        if s in (1, 2, 3):
            return a.copy() if s == 1 else _cmul(xp, a, a) if s == 2 else _cmul(xp, _cmul(xp, a, a), a)
        return xp.sqrt(a) if s == 0.5 else xp.power(a, s)
    return _pow_kernel(xp, a, s)


def _cmul(xp, x, y):
    """Complex products as torch's vectorised kernel forms them: four rounded products, then one
    subtraction and one addition (NumPy's own complex multiply may fuse them)."""
    r = xp.empty(np.broadcast_shapes(x.shape, y.shape), x.dtype)
    r.real = x.real * y.real - x.imag * y.imag
    r.imag = x.real * y.imag + x.imag * y.real
    return r


_C_INT = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
          "float16": "c10::Half"}
# clamp_ names the destination type as C++ does.
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}


def _check_int_pow(input, exponent):
    if not isinstance(exponent, int):
        return
    dt = _dtype.result_type_of((input, exponent))
    if dt is _dtype.float16 and abs(exponent) > 65504:
        raise RuntimeError("value cannot be converted to type c10::Half without overflow")
    if dt._cat != _dtype.INT:
        return
    if exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    limited.check("pow", dt)
    # The exponent is converted to the tensor's integer type, with an overflow check.
    _check_int_bounds(dt, exponent)


def _pow_backward0(grad, a, out, e):
    if e == 0:
        return grad * 0
    return grad * (e * a.pow(e - 1)).conj()


def _nonneg_exponent(b):
    # a complex exponent counts as non-negative when it is real and >= 0, as in torch's derivative
    return (b.imag == 0) & (b.real >= 0) if b.is_complex() else b >= 0


def _pow_backward1(grad, a, b, out):
    where = FUNCTIONS["where"]
    ga = where(b == 0, 0.0, grad * (b * a.pow(b - 1)).conj())
    gb = where((a == 0) & _nonneg_exponent(b), 0.0, grad * (out * a.log()).conj())
    return ga, gb


def _pow_backward2(grad, b, out, base):
    if base == 0:
        return grad * FUNCTIONS["where"](_nonneg_exponent(b), 0.0, out * float("-inf"))
    lb = cmath.log(base) if isinstance(base, complex) else math.log(base) if base > 0 else float("nan")
    return grad * (out * lb).conj()


_POW = register("_pow", _pow_kernel, _pow_backward1, nin=2, promote=DEFAULT, save=(0, 1), save_out=True,
                scalars=True, node="PowBackward1", method=False, function=False, elementwise=True)
_POW_S = _scalar_op("_pow_scalar", _pow_scalar_kernel, _pow_backward0, "PowBackward0")
def _rpow_kernel(xp, v, x):
    # torch answers 1 ** exponent with ones (complex cpow(1, inf) would be NaN)
    return xp.ones_like(x) if v == 1 and x.dtype != np.bool_ else _pow_kernel(xp, v, x)


_RPOW_S = _scalar_op("_rpow_scalar", _rpow_kernel, _pow_backward2, "PowBackward2", reverse=True,
                     save_out=True)


def pow(input, exponent, *, out=None):
    """Raises ``input`` to the power ``exponent`` (either may be a number)."""
    kw = {} if out is None else {"out": out}
    if not isinstance(input, Tensor):
        _need_tensor("pow", exponent, 2, "exponent")
        return call(_RPOW_S, (exponent, input), kw)
    if isinstance(exponent, Tensor):
        return call(_POW, (input, exponent), kw)
    _check_int_pow(input, exponent)
    return call(_POW_S, (input, exponent), kw)


def _pow_(self, exponent):
    if isinstance(exponent, Tensor):
        return call_inplace(_POW, self, (exponent,), {})
    _check_cast(self, exponent)
    _check_int_pow(self, exponent)
    return call_inplace(_POW_S, self, (exponent,), {})


public(pow, inplace=_pow_)


# ---------------------------------------------------------------------------------------- unary

def _unary(name, fwd, bwd=None, *, promote=INT_TO_FLOAT, save=(0,), save_out=False, inplace=True, fast=None,
           tied=False):
    return register(name, fwd, bwd, nin=1, promote=promote, save=save, save_out=save_out, inplace=inplace,
                    fast=fast, tied=tied)


def _neg(xp, a):
    if a.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return xp.negative(a)


def _abs(xp, a):
    _reject("abs_cpu", NP2DT[a.dtype], (_dtype.BOOL,))
    return xp.abs(a)


def _sigmoid(xp, a):
    if a.dtype.kind == "c":
        return 1 / (1 + xp.exp(-a))
    # torch's formula (an overflowing exp gives 1 / inf = 0), 16-bit inputs in float32 rounded once
    return (1 / (1 + xp.exp(-_upcast(a)))).astype(a.dtype, copy=False)


def _relu(xp, a):
    if a.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if a.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    zero = a.dtype.type(0)
    if a.dtype == np.float32 or a.dtype == np.float64:
        # torch keeps NaN and -0.0; NumPy's SIMD maximum returns its second operand on ties, so zero goes
        # first (10x faster than where(); the -0.0 test guards this).
        return xp.maximum(zero, a)
    if a.dtype.kind in "iu":
        return xp.maximum(a, zero)
    return xp.where(a < zero, zero, a)


def _sgn(xp, a):
    if a.dtype.kind == "c":
        mag = xp.abs(a)
        return xp.where(mag == 0, 0, a / xp.where(mag == 0, 1, mag)).astype(a.dtype)
    if a.dtype == np.bool_:
        return a.copy()
    # torch's sign of NaN is 0.
    return xp.where(a != a, 0, xp.sign(a)).astype(a.dtype, copy=False)


_unary("neg", _neg, lambda g, a, out: -g, promote=NONE, save=(), fast=np.negative)
_unary("exp", lambda xp, a: xp.exp(a), lambda g, a, out: g * out.conj(), save=(), save_out=True, fast=np.exp)
_unary("log", lambda xp, a: xp.log(a), lambda g, a, out: g / a.conj(), fast=np.log)
_unary("sin", lambda xp, a: xp.sin(a), lambda g, a, out: g * a.cos().conj(), fast=np.sin)
_unary("cos", lambda xp, a: xp.cos(a), lambda g, a, out: -g * a.sin().conj(), fast=np.cos)
_unary("tanh", lambda xp, a: xp.tanh(a), lambda g, a, out: g * (1 - out * out).conj(), save=(),
       save_out=True, fast=np.tanh)
_unary("sqrt", lambda xp, a: xp.sqrt(a), lambda g, a, out: g / (2 * out.conj()), save=(), save_out=True,
       fast=np.sqrt)
_unary("reciprocal", lambda xp, a: xp.reciprocal(a), lambda g, a, out: -g * (out * out).conj(), save=(),
       save_out=True)
def _sigmoid_backward(g, a, out):
    # torch's order grad * (1 - y) * y; its bfloat16 kernel computes it in float32 and rounds once (the
    # half one rounds every step)
    if out.dtype is _dtype.bfloat16:
        return (g.float() * (1 - out.float()) * out.float()).to(out.dtype)
    if out.is_complex():
        return g * (out * (1 - out)).conj()
    return g * (1 - out) * out


_unary("sigmoid", _sigmoid, _sigmoid_backward, save=(), save_out=True)


def _relu_backward(g, a, out):
    # torch's threshold_backward: the gradient where the output is above 0 or NaN, exactly 0 elsewhere
    # (even for an infinite gradient, which a product with the mask would turn into NaN)
    gd, od = g._data, out._data
    if (type(gd) is np.ndarray and gd.dtype in _BIT_MASKABLE and gd.shape == od.shape
            and not (g.requires_grad and grad_mode.state.enabled)):
        bits = _BIT_MASKABLE[gd.dtype]
        # all-ones bits where kept, zero where dropped: a branch-free select (where() runs 6x slower)
        drop = np.less_equal(od, 0, out=scratch("relu_drop", od.shape, np.bool_))
        # 0/1 widened by a plain cast, then 1 off in place (a subtract casting bool inside ran 3x slower)
        mask = scratch("relu_mask", od.shape, bits)
        np.copyto(mask, drop, casting="unsafe")
        np.subtract(mask, 1, out=mask)
        return Tensor._wrap(np.bitwise_and(gd.view(bits), mask).view(gd.dtype))
    return FUNCTIONS["where"](out <= 0, 0, g)


_BIT_MASKABLE = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}
_unary("relu", _relu, _relu_backward, promote=NONE, save=(), save_out=True, tied=True)
_unary("abs", _abs, lambda g, a, out: g * a.sgn(), promote=NONE)
_unary("sgn", _sgn, lambda g, a, out: g * 0, promote=NONE, save=())
FUNCTIONS["negative"] = FUNCTIONS["neg"]
Tensor.negative = Tensor.neg
Tensor.negative_ = Tensor.neg_
FUNCTIONS["absolute"] = FUNCTIONS["abs"]
Tensor.absolute = Tensor.abs
Tensor.absolute_ = Tensor.abs_


# ---------------------------------------------------------------------------------------- clamp / where

def _clamp(xp, a, lo=None, hi=None):
    if a.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    if a.dtype.kind in "iu":
        lo, hi = (None if v is None else _scalar_array(v, NP2DT[a.dtype]) for v in (lo, hi))
    elif a.dtype == _BF16:
        # bfloat16 bounds are rounded first, or NumPy would widen the result to float32
        lo, hi = bf16_number(lo), bf16_number(hi)
    r = a
    if lo is not None:
        r = xp.maximum(r, lo)
    if hi is not None:
        r = xp.minimum(r, hi)
    if a.dtype.kind == "f" or a.dtype == _BF16:
        r = xp.where(a != a, a, r)
    return r.astype(a.dtype, copy=False)


def _clamp_backward(grad, a, out, lo=None, hi=None):
    mask = (a >= lo) if lo is not None else None
    if hi is not None:
        m2 = a <= hi
        mask = m2 if mask is None else mask & m2
    # torch selects rather than multiplies, so an inf/nan gradient from a clamped element becomes 0.
    return grad.where(mask, 0.0)


_CLAMP = register("_clamp_scalar", _clamp, _clamp_backward, nin=1, save=(0,), node="ClampBackward1",
                  method=False, function=False)


def _clamp_t_backward(grad, a, lo, hi, out):
    keep = None
    if lo is not None:
        keep = a >= lo
    if hi is not None:
        keep = (a <= hi) if keep is None else keep & (a <= hi)
    glo = None if lo is None else grad * (a < lo)
    ghi = None if hi is None else grad * (a > hi)
    if lo is not None and hi is not None:
        # Where min > max the result is max, so the gradient goes to max alone.
        glo = glo * (lo <= hi) if glo is not None else None
        ghi = grad * ((a > hi) | (lo > hi))
        keep = keep & (lo <= hi)
    return grad * keep, glo, ghi


_CLAMP_T = register("_clamp_tensor", _clamp, _clamp_t_backward, nin=3, promote=DEFAULT, save=(0, 1, 2),
                    scalars=True, node="ClampBackward0", method=False, function=False, elementwise=True)


def _clamp_dispatch(input, min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if (min is not None and not tmin) or (max is not None and not tmax):
            raise TypeError("clamp() received an invalid combination of arguments - got (Tensor, Number), "
                            "but expected (Tensor input, Tensor min, Tensor max)")
        return _CLAMP_T
    if _dtype.result_type_of([x for x in (input, min, max) if x is not None]) is not input.dtype:
        return _CLAMP_T
    if input.dtype._limited:
        limited.check(limited.clamp_kernel(min, max, "_scalar"), input.dtype)
    if input.dtype._cat == _dtype.INT:
        _check_int_bounds(input.dtype, min, max)
    return _CLAMP


def _check_int_bounds(dt, *bounds):
    info = np.iinfo(dt._np)
    # c10's checked conversion lets unsigned types take negatives down to -max (they wrap around).
    lo = -info.max if info.min == 0 else info.min
    for b in bounds:
        if isinstance(b, int) and not lo <= b <= info.max:
            raise RuntimeError(f"value cannot be converted to type {_C_INT[dt._name]} without overflow")


def clamp(input, min=None, max=None, *, out=None):
    """Clamps all elements of ``input`` into the range [``min``, ``max``]."""
    _need_tensor("clamp", input)
    op = _clamp_dispatch(input, min, max)
    kw = {} if out is None else {"out": out}
    return call(op, (input, min, max), kw)


def _clamp_(self, min=None, max=None):
    op = _clamp_dispatch(self, min, max)
    dt = _dtype.result_type_of([x for x in (self, min, max) if x is not None])
    if not _dtype.can_cast(dt, self.dtype):
        raise RuntimeError(f"result type {dt._legacy} can't be cast to the desired output type "
                           f"{_C_NAMES.get(self.dtype._name, self.dtype._legacy)}")
    return call_inplace(op, self, (min, max), {})


public(clamp, inplace=_clamp_)
FUNCTIONS["clip"] = clamp
Tensor.clip = clamp
Tensor.clip_ = _clamp_


def _one_sided(name, lower):
    """clamp_min / clamp_max: clamp with one bound, under torch's own node names."""
    def fwd(xp, a, b):
        return _clamp(xp, a, b, None) if lower else _clamp(xp, a, None, b)

    def bwd_scalar(grad, a, out, b):
        return grad * ((a >= b) if lower else (a <= b))

    def bwd_tensor(grad, a, b, out):
        keep = (a >= b) if lower else (a <= b)
        return grad * keep, grad * ~keep
    node = "ClampMinBackward" if lower else "ClampMaxBackward"
    scalar = register(f"_{name}_scalar", fwd, bwd_scalar, save=(0,), node=node + "0", method=False,
                      function=False)
    # a scalar bound that promotes the tensor (an int tensor, a float bound) goes through the tensor op
    tensor = register(f"_{name}_tensor", fwd, bwd_tensor, nin=2, promote=DEFAULT, save=(0, 1), scalars=True,
                      node=node + "1", method=False, function=False, elementwise=True)

    def pick(input, bound):
        op = _clamp_dispatch(input, *((bound, None) if lower else (None, bound)))
        return scalar if op is _CLAMP else tensor

    def function(input, bound, *, out=None):
        kw = {} if out is None else {"out": out}
        return call(pick(input, bound), (input, bound), kw)

    def inplace(self, bound):
        _clamp_(self, *((bound, None) if lower else (None, bound)))
        return self
    function.__name__ = name
    function.__doc__ = f"Clamps ``input`` to be {'at least' if lower else 'at most'} the bound."
    public(function, inplace=inplace)
    return function


clamp_min = _one_sided("clamp_min", True)
clamp_max = _one_sided("clamp_max", False)


def _where(xp, a, b, cond):
    return xp.where(cond._data, a, b)


def _where_backward(grad, a, b, out, cond):
    zero = grad * 0
    ga = FUNCTIONS["where"](cond, grad, zero) if isinstance(a, InputMeta) else None
    gb = FUNCTIONS["where"](cond, zero, grad) if isinstance(b, InputMeta) else None
    return ga, gb


# The condition rides in the arguments: torch's WhereBackward0 has edges for input and other only.
_WHERE = register("_where", _where, _where_backward, nin=2, promote=DEFAULT, scalars=True,
                  node="WhereBackward0", method=False, function=False, elementwise=True)


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; alone, ``condition.nonzero``."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    _need_tensor("where", condition, 1, "condition")
    if condition.dtype is not _dtype.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype._legacy}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dt = _dtype.result_type_of((input, other))
        input = FUNCTIONS["scalar_tensor"](input, dtype=dt, device=condition.device)
    kw = {} if out is None else {"out": out}
    tensors = [t for t in (condition, input, other) if isinstance(t, Tensor)]
    check_devices(tensors)
    return call(_WHERE, (input, other, condition), kw)


public(where, method=False)


def _tensor_where(self, condition, y):
    return where(condition, self, y)


Tensor.where = _tensor_where


# ---------------------------------------------------------------------------------------- comparisons

def _cmp(name, ufunc, alias=None):
    def fwd(xp, a, b):
        if name not in ("eq", "ne"):
            _reject(f"{name}_cpu", _cat_dtype(a, b), (_dtype.COMPLEX,))
        return ufunc(a, b)
    register(name, fwd, None, nin=2, promote=ALWAYS_BOOL, scalars=True, inplace=True, elementwise=True)
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


def _bitwise(name, ufunc, kernel=None, bad=(_dtype.FLOAT, _dtype.COMPLEX)):
    def fwd(xp, a, b):
        _reject(kernel or f"{name}_cpu", _cat_dtype(a, b), bad)
        return ufunc(a, b)
    register(name, fwd, None, nin=2, promote=DEFAULT, scalars=True, inplace=True, elementwise=True)


def _shift(a, b, left):
    # Shift counts outside [0, bits) give 0, or the sign fill for signed values shifted right.
    xp = np
    e = xp.asarray(b)
    dt = xp.result_type(a, b)
    bits = dt.itemsize * 8
    out = (e < 0) | (e >= bits)
    s = xp.where(out, 0, e).astype(e.dtype)
    if left:
        return xp.where(out, 0, xp.left_shift(a, s)).astype(dt)
    fill = xp.right_shift(a, bits - 1) if dt.kind == "i" else 0
    return xp.where(out, fill, xp.right_shift(a, s)).astype(dt)


_bitwise("bitwise_and", np.bitwise_and)
_bitwise("bitwise_or", np.bitwise_or)
_bitwise("bitwise_xor", np.bitwise_xor)
_bitwise("bitwise_left_shift", lambda a, b: _shift(a, b, True), "lshift_cpu",
         (_dtype.BOOL, _dtype.FLOAT, _dtype.COMPLEX))
_bitwise("bitwise_right_shift", lambda a, b: _shift(a, b, False), "rshift_cpu",
         (_dtype.BOOL, _dtype.FLOAT, _dtype.COMPLEX))


def _bitwise_not(xp, a):
    _reject("bitwise_not_cpu", NP2DT[a.dtype], (_dtype.FLOAT, _dtype.COMPLEX))
    return xp.invert(a)


register("bitwise_not", _bitwise_not, None, nin=1, inplace=True)


def _logical(name, ufunc, nin=2):
    if nin == 2:
        def fwd(xp, a, b):
            return ufunc(a, b)
    else:
        def fwd(xp, a):
            return ufunc(a)
    register(name, fwd, None, nin=nin, promote=NONE, inplace=True, elementwise=nin == 2)


_logical("logical_and", np.logical_and)
_logical("logical_or", np.logical_or)
_logical("logical_xor", np.logical_xor)
_logical("logical_not", np.logical_not, nin=1)
