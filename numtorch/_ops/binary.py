"""Binary and ternary math ops: atan2, hypot, logaddexp, xlogy, copysign, maximum/minimum, lerp, addcmul..."""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ._registry import DEFAULT, FUNCTIONS, INT_TO_FLOAT, call, call_inplace, register
from ._interp import fma
from .pointwise import _cat_dtype, _need_tensor, _not_implemented, _reject, _upcast, public

_LN2 = math.log(2.0)
_NO_INTS = (_dtype.BOOL, _dtype.INT)
_REAL_FLOAT = (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX)


def _binary(name, fwd, bwd=None, *, promote=DEFAULT, save=(0, 1), save_out=False, node=None, inplace=True,
            alias=None):
    op = register(name, fwd, bwd, nin=2, promote=promote, save=save, save_out=save_out, node=node,
                  inplace=inplace, elementwise=True)
    if alias:
        FUNCTIONS[alias] = FUNCTIONS[name]
        setattr(Tensor, alias, getattr(Tensor, name))
        if inplace:
            setattr(Tensor, alias + "_", getattr(Tensor, name + "_"))
    return op


def _where(cond, a, b):
    return FUNCTIONS["where"](cond, a, b)


def _zeros(grad):
    return FUNCTIONS["zeros_like"](grad)


# ---------------------------------------------------------------------------------------- atan2 / hypot

def _atan2(xp, a, b):
    _reject("atan2_cpu", _cat_dtype(a, b), (_dtype.COMPLEX,))
    return xp.arctan2(_upcast(a), _upcast(b))


def _atan2_backward(g, a, b, out):
    r = (a * a + b * b).reciprocal()
    return g * b * r, g * -a * r


def _hypot(xp, a, b):
    _reject("hypot_cpu", _cat_dtype(a, b), _REAL_FLOAT)
    return xp.hypot(_upcast(a), _upcast(b))


_binary("atan2", _atan2, _atan2_backward, promote=INT_TO_FLOAT, alias="arctan2")
_binary("hypot", _hypot, lambda g, a, b, out: (g * a / out, g * b / out), save_out=True)


# ---------------------------------------------------------------------------------------- logaddexp

def _logaddexp_complex(xp, a, b):
    first = a.real >= b.real
    hi = xp.where(first, a, b)
    lo = xp.where(first, b, a)
    return xp.where(hi.real == -math.inf, hi, hi + xp.log1p(xp.exp(lo - hi)))


def _logaddexp(xp, a, b):
    _reject("logaddexp_cpu", _cat_dtype(a, b), _NO_INTS)
    if a.dtype.kind == "c":
        return _logaddexp_complex(xp, a, b)
    return xp.logaddexp(_upcast(a), _upcast(b))


def _logaddexp2(xp, a, b):
    _reject("logaddexp2_cpu", _cat_dtype(a, b), _REAL_FLOAT)
    return xp.logaddexp2(_upcast(a), _upcast(b))


def _logaddexp_backward(g, a, b, out):
    return g / (1 + (b - a).exp()).conj(), g / (1 + (a - b).exp()).conj()


def _logaddexp2_backward(g, a, b, out):
    return g / (1 + (b - a).exp2()), g / (1 + (a - b).exp2())


_binary("logaddexp", _logaddexp, _logaddexp_backward, inplace=False)
_binary("logaddexp2", _logaddexp2, _logaddexp2_backward, inplace=False)


# ---------------------------------------------------------------------------------------- scalar overloads

def _scalar_dtype(a, s):
    dt = _dtype.result_type_of((a, s))
    return _dtype.get_default_dtype() if dt._cat < _dtype.FLOAT else dt


def _scalar_binary(name, kernel, bwd, node, *, reverse=False, save_out=False):
    """Register a (Tensor, Python number) overload: the number rides in the arguments, so the node has one
    edge, as torch's ``XlogyBackward1``/``XlogyBackward2``."""
    def fwd(xp, a, s):
        dt = _scalar_dtype(Tensor._wrap(a), s)
        x = a.astype(dt._np, copy=False)
        r = kernel(xp, s, x) if reverse else kernel(xp, x, s)
        return r.astype(dt._np, copy=False)
    return register(name, fwd, bwd, nin=1, save=(0,), save_out=save_out, node=node, method=False,
                    function=False)


def _mixed_public(name, op_t, op_s, doc, op_rs=None):
    """numtorch.<name>/Tensor.<name>(_) over the tensor-tensor op and its scalar overloads."""
    def fn(input, other, *, out=None):
        kw = {} if out is None else {"out": out}
        if not isinstance(input, Tensor) and op_rs is not None:
            _need_tensor(name, other, 2, "other")
            return call(op_rs, (other, input), kw)
        _need_tensor(name, input)
        return call(op_t if isinstance(other, Tensor) else op_s, (input, other), kw)

    def fn_(self, other):
        if isinstance(other, Tensor):
            return call_inplace(op_t, self, (other,), {})
        dt = _scalar_dtype(self, other)
        if not _dtype.can_cast(dt, self.dtype):
            raise RuntimeError(f"result type {dt._legacy} can't be cast to the desired output type "
                               f"{self.dtype._legacy}")
        return call_inplace(op_s, self, (other,), {})

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return public(fn, inplace=fn_)


# ---------------------------------------------------------------------------------------- xlogy

def _xlogy_kernel(xp, x, y):
    _reject("xlogy_cpu", _cat_dtype(x, y), (_dtype.COMPLEX,))
    x = xp.asarray(_upcast(x))
    y = xp.asarray(_upcast(y))
    r = xp.where(x == 0, x.dtype.type(0) * 0, x * xp.log(y))
    return xp.where(y != y, y, r)


def _xlogy_self_grad(g, x, y):
    r = FUNCTIONS["xlogy"](g, y)
    return _where((x == 0) & (y <= 0), 0.0, r)


def _xlogy_backward(g, x, y, out):
    return _xlogy_self_grad(g, x, y), g * x / y


_XLOGY = _binary("xlogy", _xlogy_kernel, _xlogy_backward, promote=INT_TO_FLOAT, inplace=False)
_XLOGY_RS = _scalar_binary("_xlogy_rscalar", _xlogy_kernel, lambda g, y, out, x: g * x / y, "XlogyBackward1",
                           reverse=True)
def _xlogy_scalar_backward(g, x, out, y):
    log_y = math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan)
    return _where((x == 0) & (y <= 0), 0.0, g * log_y)


_XLOGY_S = _scalar_binary("_xlogy_scalar", _xlogy_kernel, _xlogy_scalar_backward, "XlogyBackward2")
_mixed_public("xlogy", _XLOGY, _XLOGY_S, "Computes ``input * log(other)``, with 0 where ``input`` is 0.",
              _XLOGY_RS)


# ---------------------------------------------------------------------------------------- copysign

def _copysign(xp, a, b):
    _reject("copysign_cpu", _cat_dtype(a, b), (_dtype.COMPLEX,))
    return xp.copysign(_upcast(xp.asarray(a)), _upcast(xp.asarray(b)))


def _copysign_self_grad(g, a, out):
    return g * _where(a == 0, 0.0, out / a)


_COPYSIGN = _binary("copysign", _copysign, lambda g, a, b, out: (_copysign_self_grad(g, a, out), _zeros(g)),
                    promote=INT_TO_FLOAT, save=(0,), save_out=True, inplace=False)
_COPYSIGN_S = _scalar_binary("_copysign_scalar", _copysign,
                             lambda g, a, out, s: _copysign_self_grad(g, a, out), "CopysignBackward1",
                             save_out=True)
_mixed_public("copysign", _COPYSIGN, _COPYSIGN_S, "Magnitudes of ``input`` with the signs of ``other``.")


# ------------------------------------------------------------------------------------ nextafter / heaviside

def _nextafter(xp, a, b):
    _reject("nextafter_cpu", _cat_dtype(a, b), _REAL_FLOAT)
    return xp.nextafter(a, b)


_binary("nextafter", _nextafter, lambda g, a, b, out: (g, _zeros(g)), save=())


def _heaviside(xp, a, v):
    return xp.where(a == 0, v, a > 0).astype(a.dtype)


_HEAVISIDE = register("_heaviside", _heaviside, _not_implemented("heaviside"), nin=2, promote=DEFAULT,
                      node="torch::autograd::NotImplemented", method=False, function=False, elementwise=True)


def _check_heaviside(input, values):
    _need_tensor("heaviside", values, 2, "values")
    if input.dtype.is_complex or values.dtype.is_complex:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


def heaviside(input, values, *, out=None):
    """Heaviside step of ``input``: 0 below zero, 1 above, ``values`` at zero."""
    _need_tensor("heaviside", input)
    _check_heaviside(input, values)
    return call(_HEAVISIDE, (input, values), {} if out is None else {"out": out})


def _heaviside_(self, values):
    _check_heaviside(self, values)
    return call_inplace(_HEAVISIDE, self, (values,), {})


public(heaviside, inplace=_heaviside_)


# ---------------------------------------------------------------------------------------- maximum / minimum

def _extremum(name, ufunc, backward):
    def fwd(xp, a, b):
        if a.dtype.kind == "c":
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        return ufunc(xp)(_upcast(a), _upcast(b))
    _binary(name, fwd, backward, inplace=False)


def _max_backward(g, a, b, out):
    # Ties share the gradient equally, as torch does.
    tie = _where(a == b, g / 2, g)
    return _where(a < b, 0.0, tie), _where(a > b, 0.0, tie)


def _min_backward(g, a, b, out):
    tie = _where(a == b, g / 2, g)
    return _where(a > b, 0.0, tie), _where(a < b, 0.0, tie)


def _fmax_backward(g, a, b, out):
    take_a = (a >= b) | b.isnan()
    return _where(take_a, g, 0.0), _where(take_a, 0.0, g)


def _fmin_backward(g, a, b, out):
    take_a = (a <= b) | b.isnan()
    return _where(take_a, g, 0.0), _where(take_a, 0.0, g)


_extremum("maximum", lambda xp: xp.maximum, _max_backward)
_extremum("minimum", lambda xp: xp.minimum, _min_backward)
_extremum("fmax", lambda xp: xp.fmax, _fmax_backward)
_extremum("fmin", lambda xp: xp.fmin, _fmin_backward)


# ---------------------------------------------------------------------------------------- lerp


def _lerp_formula(xp, a, b, w):
    diff = b - a
    # torch switches formulas at |weight| = 0.5 so that weight 1 gives exactly ``end``; its kernels fuse
    # each multiply-add (start + weight * diff, end - diff * (1 - weight))
    if xp is not np or a.dtype.kind != "f":
        return xp.where(xp.abs(w) < 0.5, a + w * diff, b - diff * (1 - w))
    if np.ndim(w) == 0:
        w = a.dtype.type(w)  # a scalar weight is taken in the input's type
        return fma(diff, w, a) if abs(w) < 0.5 else fma(-diff, 1 - w, b)
    return np.where(np.abs(w) < 0.5, fma(diff, w, a), fma(-diff, 1 - w, b))


def _lerp_scalar(xp, a, b, weight):
    _reject("lerp_kernel_scalar", NP2DT[a.dtype], _NO_INTS)
    return _lerp_formula(xp, _upcast(a), _upcast(b), weight).astype(a.dtype, copy=False)


def _lerp_tensor(xp, a, b, w):
    _reject("lerp_kernel_tensor", NP2DT[a.dtype], _NO_INTS)
    x = _upcast(a)
    r = _lerp_formula(xp, x, _upcast(b), _upcast(w).astype(x.dtype, copy=False))
    return r.astype(a.dtype, copy=False)


def _lerp_tensor_backward(g, a, b, w, out):
    return g * (1 - w).conj(), g * w.conj(), g * (b - a).conj()


_LERP_S = register("_lerp_scalar", _lerp_scalar, lambda g, a, b, out, w: (g * (1 - w), g * w), nin=2,
                   node="LerpBackward0", method=False, function=False, elementwise=True)
_LERP_T = register("_lerp_tensor", _lerp_tensor, _lerp_tensor_backward, nin=3, save=(0, 1, 2),
                   node="LerpBackward1", method=False, function=False, elementwise=True)


def _check_lerp(input, end, weight):
    _need_tensor("lerp", end, 2, "end")
    if end.dtype is not input.dtype:
        raise RuntimeError(f"expected dtype {_dtype.CPP_NAMES[input.dtype._name]} for `end` but got dtype "
                           f"{_dtype.CPP_NAMES[end.dtype._name]}")
    if isinstance(weight, Tensor):
        if weight.dim() and weight.dtype is not input.dtype:
            raise RuntimeError(f"expected dtype {_dtype.CPP_NAMES[input.dtype._name]} for `weight` but got dtype "
                               f"{_dtype.CPP_NAMES[weight.dtype._name]}")
        return _LERP_T, ()
    if isinstance(weight, complex) and not input.dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type {_dtype.CPP_NAMES[input.dtype._name]} without "
                           "overflow")
    return _LERP_S, (weight,)


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a tensor."""
    _need_tensor("lerp", input)
    op, rest = _check_lerp(input, end, weight)
    args = (input, end) + (rest or (weight,))
    return call(op, args, {} if out is None else {"out": out})


def _lerp_(self, end, weight):
    op, rest = _check_lerp(self, end, weight)
    return call_inplace(op, self, (end,) + (rest or (weight,)), {})


public(lerp, inplace=_lerp_)


# ---------------------------------------------------------------------------------------- addcmul / addcdiv

def _value(value, dt):
    """``value`` converted to the computation dtype as torch converts a Scalar (floats truncate for ints)."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, complex) and dt._cat != _dtype.COMPLEX:
        raise RuntimeError(f"value cannot be converted to type {_dtype.CPP_NAMES[dt._name]} without overflow")
    if dt._cat == _dtype.INT:
        return int(value)
    return value


def _addcmul(xp, a, b, c, value=1):
    dt = NP2DT[a.dtype]
    _reject("addcmul_cpu_out", dt, (_dtype.BOOL,))
    v = _value(value, dt)
    x = _upcast(a)
    if xp is np and x.dtype.kind == "f":
        # torch fuses the add: (value * tensor1) * tensor2 + input, rounded once
        return fma(v * _upcast(b), _upcast(c), x)
    return x + v * _upcast(b) * _upcast(c)


def _addcdiv(xp, a, b, c, value=1):
    dt = NP2DT[a.dtype]
    _reject("addcdiv_cpu_out", dt, (_dtype.BOOL,))
    v = _value(value, dt)
    return _upcast(a) + v * (_upcast(b) / _upcast(c))


def _addcmul_backward(g, a, b, c, out, value=1):
    return g, g * (c * value).conj(), g * (b * value).conj()


def _addcdiv_backward(g, a, b, c, out, value=1):
    return g, g * (value / c).conj(), g * (-value * b / (c * c)).conj()


_ADDCMUL = register("_addcmul", _addcmul, _addcmul_backward, nin=3, promote=DEFAULT, save=(1, 2),
                    node="AddcmulBackward0", method=False, function=False, elementwise=True)
_ADDCDIV = register("_addcdiv", _addcdiv, _addcdiv_backward, nin=3, promote=DEFAULT, save=(1, 2),
                    node="AddcdivBackward0", method=False, function=False, elementwise=True)


def _check_addcdiv(tensor1, tensor2):
    if tensor1.dtype._cat <= _dtype.INT and tensor2.dtype._cat <= _dtype.INT:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                           "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                           "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                           "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")


def _value_kw(value, out=None):
    kw = {} if value == 1 else {"value": value}
    if out is not None:
        kw["out"] = out
    return kw


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """Returns ``input + value * tensor1 * tensor2``."""
    _need_tensor("addcmul", input)
    return call(_ADDCMUL, (input, tensor1, tensor2), _value_kw(value, out))


def _addcmul_(self, tensor1, tensor2, *, value=1):
    return call_inplace(_ADDCMUL, self, (tensor1, tensor2), _value_kw(value))


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """Returns ``input + value * tensor1 / tensor2``."""
    _need_tensor("addcdiv", input)
    _check_addcdiv(tensor1, tensor2)
    return call(_ADDCDIV, (input, tensor1, tensor2), _value_kw(value, out))


def _addcdiv_(self, tensor1, tensor2, *, value=1):
    _check_addcdiv(tensor1, tensor2)
    return call_inplace(_ADDCDIV, self, (tensor1, tensor2), _value_kw(value))


public(addcmul, inplace=_addcmul_)
public(addcdiv, inplace=_addcdiv_)


# ---------------------------------------------------------------------------------------- float_power / ldexp

def _float_power_dtype(input, exponent):
    cplx = any(isinstance(x, complex) or (isinstance(x, Tensor) and x.dtype.is_complex)
               for x in (input, exponent))
    return _dtype.complex128 if cplx else _dtype.float64


def _as(x, dt):
    return x.to(dt) if isinstance(x, Tensor) else x


def float_power(input, exponent, *, out=None):
    """``input`` raised to ``exponent``, computed in double precision (float64 or complex128)."""
    if not isinstance(input, Tensor):
        _need_tensor("float_power", exponent, 2, "exponent")
    dt = _float_power_dtype(input, exponent)
    return FUNCTIONS["pow"](_as(input, dt), _as(exponent, dt), out=out)


def _float_power_(self, exponent):
    dt = _float_power_dtype(self, exponent)
    if self.dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype._legacy} but the "
                           f"operation's result requires dtype {dt._legacy}")
    return self.pow_(_as(exponent, dt))


public(float_power, inplace=_float_power_)


def _ldexp(xp, a, b):
    return _upcast(a) * xp.exp2(_upcast(b))


def _ldexp_backward(g, a, b, out):
    # torch scales the gradient by pow(2, other) in other's dtype: integer exponents below 0 give 0.
    ga = g * FUNCTIONS["pow"](2, b)
    return ga, g * a * b.exp2() * _LN2


_binary("ldexp", _ldexp, _ldexp_backward, promote=INT_TO_FLOAT)


# ---------------------------------------------------------------------------------------- gcd / lcm

def _gcd(xp, a, b):
    _reject("gcd_cpu", _cat_dtype(a, b), (_dtype.BOOL, _dtype.FLOAT, _dtype.COMPLEX))
    return xp.gcd(a, b)


def _lcm(xp, a, b):
    _reject("lcm_cpu", _cat_dtype(a, b), (_dtype.BOOL, _dtype.FLOAT, _dtype.COMPLEX))
    g = xp.gcd(a, b)
    # lcm = |a / gcd * b|, wrapping on overflow as torch's integer arithmetic does.
    return xp.abs(xp.floor_divide(a, xp.where(g == 0, 1, g)).astype(a.dtype) * b)


_binary("gcd", _gcd)
_binary("lcm", _lcm)
