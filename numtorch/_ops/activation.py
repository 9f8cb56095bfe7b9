"""Activation functions of torch.nn.functional: forward on arrays, derivative in tensor ops."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ..random import _gen
from ._registry import FUNCTIONS, NONE, call, call_inplace, no_complex_autograd, register
from .layouts import keep_layout, suggest_format
from .pointwise import _need_tensor, _reject, _upcast, kernel_error
from .shape import to_format, unimplemented_derivative
from .unary import _erf64

_FLOAT_ONLY = (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_PI = math.sqrt(2 / math.pi)
_GELU_C = 0.044715


def _act(name, kernel, math_fn, bwd, *, node=None, ints=False, complex_ok=False, tied=False, contiguous=False):
    """Register an activation computed in float32 for half types, as torch's CPU kernels do; its output keeps
    the input's layout (``contiguous``: is contiguous, as torch's kernels that allocate it so)."""
    bad = (_dtype.COMPLEX,) if ints else _FLOAT_ONLY
    if complex_ok:
        bad = tuple(c for c in bad if c != _dtype.COMPLEX)

    def fwd(xp, a, *args):
        if ints and a.dtype == np.bool_:
            raise RuntimeError(f"Bool inputs not supported for {kernel}")
        _reject(kernel, NP2DT[a.dtype], bad)
        r = math_fn(xp, _upcast(a), *args).astype(a.dtype, copy=False)
        if contiguous:
            return r if r.flags.c_contiguous else xp.ascontiguousarray(r)
        return keep_layout(xp, r, a)

    return register(name, fwd, bwd, promote=NONE, save=(0,), node=node, method=False, function=False, tied=tied)


def _apply(op, input, args, inplace=False):
    _need_tensor(op.name.lstrip("_"), input)
    if inplace:
        return call_inplace(op, input, args, {})
    return call(op, (input, *args), {})


# ---------------------------------------------------------------------------------------- hardtanh family

def _keep_where(keep, g):
    # torch's backward kernels select the gradient rather than multiply it by a mask: an infinite or NaN
    # gradient still gives exactly 0 where dropped. A NaN input fails the comparisons as in torch's
    # vectorised kernels (its scalar loop, run on the last partial vector only, can differ)
    return FUNCTIONS["where"](keep, g, 0)


def _hardtanh_backward(g, a, out, lo, hi):
    return (_keep_where((a > lo) & (a < hi), g),)


def _hardtanh(xp, a, lo, hi):
    if a.dtype.kind == "c":
        # torch's hardtanh is a clamp, which rejects complex types itself
        raise NotImplementedError("clamp is not supported for complex types")
    return xp.clip(a, lo, hi)


_HARDTANH = _act("_hardtanh", "hardtanh", _hardtanh, _hardtanh_backward, node="HardtanhBackward0", ints=True,
                 complex_ok=True, tied=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Applies the HardTanh function element-wise: clamp(x, min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if isinstance(input, Tensor) and input.dtype._legacy == "Byte" and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return _apply(_HARDTANH, input, (min_val, max_val), inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place version of hardtanh."""
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """Applies min(max(0, x), 6) element-wise."""
    return _apply(_HARDTANH, input, (0.0, 6.0), inplace)


def relu(input, inplace=False):
    """Applies the rectified linear unit function element-wise."""
    _need_tensor("relu", input)
    return input.relu_() if inplace else input.relu()


def relu_(input):
    """In-place version of relu."""
    return relu(input, True)


def sigmoid(input):
    """Applies 1 / (1 + exp(-x)) element-wise."""
    return input.sigmoid()


def tanh(input):
    """Applies tanh element-wise."""
    return input.tanh()


# ---------------------------------------------------------------------------------------- leaky relu / prelu

def _leaky(xp, a, slope):
    return xp.where(a > 0, a, a * slope)


def _leaky_backward(g, a, out, slope):
    return (_as_input(g.where(a > 0, g * slope), a),)


def _as_input(gx, a):
    # torch's relu-like backward kernels iterate over the input first: a channels-last input's gradient
    # is channels-last whatever the output gradient's layout
    fmt = suggest_format(a.shape, a._data.strides)
    return gx if fmt is None else to_format(gx, fmt)


_LEAKY = _act("_leaky_relu", "leaky_relu_cpu", _leaky, _leaky_backward, node="LeakyReluBackward0", tied=True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """Applies max(0, x) + negative_slope * min(0, x) element-wise."""
    return _apply(_LEAKY, input, (negative_slope,), inplace)


def leaky_relu_(input, negative_slope=0.01):
    """In-place version of leaky_relu."""
    return leaky_relu(input, negative_slope, True)


def _weight_shape(ndim, n):
    """The shape that broadcasts a prelu weight of ``n`` elements along dimension 1."""
    if n == 1:
        return ()
    return (n,) + (1,) * (ndim - 2) if ndim >= 2 else (n,)


def _prelu(xp, a, w):
    dt = NP2DT[a.dtype]
    _reject("prelu_cpu", dt, _FLOAT_ONLY)
    x = _upcast(a)
    wb = _upcast(w).reshape(_weight_shape(a.ndim, w.size))
    return keep_layout(xp, xp.where(x > 0, x, x * wb).astype(a.dtype, copy=False), a)


def _prelu_backward(g, a, w, out):
    wb = w.reshape(_weight_shape(a.dim(), w.numel()))
    neg = a <= 0
    gx = _as_input(g.where(a > 0, g * wb), a)
    gw = (g * a * neg)
    dims = [d for d in range(gw.dim()) if not (a.dim() >= 2 and w.numel() > 1 and d == 1)]
    gw = gw.sum(dims) if dims else gw
    return gx, gw.reshape(w.shape)


_PRELU = register("_prelu", _prelu, _prelu_backward, nin=2, promote=NONE, save=(0, 1),
                  node="PreluKernelBackward0", method=False, function=False, tied=True)


def prelu(input, weight):
    """Applies max(0, x) + weight * min(0, x) element-wise, one weight per channel (dimension 1)."""
    _need_tensor("prelu", input)
    _need_tensor("prelu", weight, 2, "weight")
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        c = input.shape[1] if input.dim() >= 2 else 1
        if n != c:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                               f"numbers = {n} and channel size = {c}.")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {input.dtype._legacy} and "
                           f"{weight.dtype._legacy}")
    return call(_PRELU, (input, weight), {})


# ---------------------------------------------------------------------------------------- rrelu

def _rrelu(xp, a, noise):
    _reject("leaky_relu_cpu", NP2DT[a.dtype], _FLOAT_ONLY)
    return (_upcast(a) * noise).astype(a.dtype, copy=False)


def _rrelu_backward(g, a, out, noise):
    return (g * Tensor._wrap(noise),)


_RRELU = register("_rrelu", _rrelu, _rrelu_backward, promote=NONE, node="RreluWithNoiseBackward0",
                  save=(0,), method=False, function=False, tied=True)


def _rrelu_noise(input, lower, upper, training, generator=None):
    x = input._data
    if not training:
        # contiguous, as torch's output (the noise and the product follow it)
        return np.where(x > 0, 1.0, (lower + upper) / 2).astype(_upcast(x).dtype, order="C")
    neg = x <= 0
    dt = _upcast(x).dtype
    noise = np.ones(x.shape, dt)
    # One double uniform per non-positive element in logical order, between bounds rounded to the
    # working type (torch's CPU kernel).
    lo, hi = float(dt.type(lower)), float(dt.type(upper))
    noise[neg] = _gen(generator).uniform64(int(neg.sum())) * (hi - lo) + lo
    return noise


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a random negative slope in [lower, upper] while training, their mean else."""
    _need_tensor("rrelu", input)
    _reject("leaky_relu_cpu", input.dtype, _FLOAT_ONLY)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    noise = _rrelu_noise(input, lower, upper, training)
    return _apply(_RRELU, input, (noise,), inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place version of rrelu."""
    return rrelu(input, lower, upper, training, True)


# ---------------------------------------------------------------------------------------- elu family

def _elu(xp, a, alpha, scale, input_scale):
    neg = xp.expm1(xp.minimum(a, 0) * input_scale) * (alpha * scale)
    return xp.where(a > 0, a * scale, neg)


def _elu_backward(g, a, out, alpha, scale, input_scale):
    neg = (a.clamp(max=0) * input_scale).exp() * (input_scale * alpha * scale)
    return (g * neg.where(a <= 0, scale),)


_ELU = _act("_elu", "elu_cpu", _elu, _elu_backward, node="EluBackward0")
_CELU = _act("_celu", "elu_cpu", _elu, _elu_backward, node="CeluBackward0")


def elu(input, alpha=1.0, inplace=False):
    """Applies x if x > 0 else alpha * (exp(x) - 1) element-wise."""
    return _apply(_ELU, input, (alpha, 1.0, 1.0), inplace)


def elu_(input, alpha=1.0):
    """In-place version of elu."""
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """Applies scale * (max(0, x) + min(0, alpha * (exp(x) - 1))) with SELU's fixed constants."""
    return _apply(_ELU, input, (_SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def selu_(input):
    """In-place version of selu."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """Applies max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) element-wise."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _apply(_CELU, input, (alpha, 1.0, 1.0 / alpha), inplace)


def celu_(input, alpha=1.0):
    """In-place version of celu."""
    return celu(input, alpha, True)


# ---------------------------------------------------------------------------------------- gelu / silu / mish

def _gelu(xp, a, approximate):
    if approximate == "tanh":
        inner = _SQRT_2_PI * (a + _GELU_C * a * a * a)
        return 0.5 * a * (1 + xp.tanh(inner))
    # torch's formula, with erf rounded to the working type: its cancellation in the far negative tail too.
    e = _erf64(xp, a.astype(np.float64) * math.sqrt(0.5)).astype(a.dtype)
    return a * 0.5 * (1 + e)


def _gelu_backward(g, a, out, approximate):
    if approximate == "tanh":
        a2 = a * a
        t = ((a + _GELU_C * a2 * a) * _SQRT_2_PI).tanh()
        d = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * (_SQRT_2_PI * (1 + 3 * _GELU_C * a2))
        return (g * d,)
    cdf = 0.5 * (1 + (a * math.sqrt(0.5)).erf())
    pdf = (a * a * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
    return (g * (cdf + a * pdf),)


_GELU = _act("_gelu", "GeluKernelImpl", _gelu, _gelu_backward, node="GeluBackward0")


def gelu(input, approximate="none"):
    """Applies x * Phi(x) (Phi the normal CDF), or its tanh approximation when approximate='tanh'."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _apply(_GELU, input, (approximate,))


def _sigmoid_arr(xp, a):
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _silu_backward(g, a, out):
    s = a.sigmoid()
    return (g * (s * (1 + a * (1 - s))),)


def _silu(xp, a):
    if a.dtype.kind == "c":
        # torch's complex kernel: x / (1 + exp(-x))
        return a / (1 + xp.exp(-a))
    return a * _sigmoid_arr(xp, a)


_SILU = _act("_silu", "silu_cpu", _silu, _silu_backward, node="SiluBackward0", complex_ok=True)


def silu(input, inplace=False):
    """Applies x * sigmoid(x) element-wise."""
    _need_tensor("silu", input)
    no_complex_autograd("silu", input)
    return _apply(_SILU, input, (), inplace)


def _softplus_arr(xp, a):
    return xp.logaddexp(0, a)


def _mish_backward(g, a, out):
    t = _softplus_t(a).tanh()
    return (g * (t + a * a.sigmoid() * (1 - t * t)),)


_MISH = _act("_mish", "mish_cpu", lambda xp, a: a * xp.tanh(_softplus_arr(xp, a)), _mish_backward,
             node="MishBackward0")


def mish(input, inplace=False):
    """Applies x * tanh(softplus(x)) element-wise."""
    return _apply(_MISH, input, (), inplace)


# -------------------------------------------------------------------------------------- hard sigmoid / swish

def _relu6_of_shift(xp, a):
    return xp.minimum(xp.maximum(a + 3, 0), 6)


_HARDSIGMOID_BACKWARD = unimplemented_derivative("hardsigmoid_backward")


def _hardsigmoid_backward(g, a, out):
    return (_HARDSIGMOID_BACKWARD(_keep_where((a > -3) & (a < 3), g * (1 / 6)), g, a),)


def _hardswish_backward(g, a, out):
    # the vectorised kernel's bounds (its scalar tail loop uses a < -3 and a <= 3)
    return (FUNCTIONS["where"](a <= -3, 0, FUNCTIONS["where"](a >= 3, g, g * (a / 3 + 0.5))),)


_HARDSIGMOID = _act("_hardsigmoid", "hardsigmoid_cpu", lambda xp, a: _relu6_of_shift(xp, a) / 6,
                    _hardsigmoid_backward, node="HardsigmoidBackward0")
_HARDSWISH = _act("_hardswish", "hardswish_cpu", lambda xp, a: a * _relu6_of_shift(xp, a) / 6,
                  _hardswish_backward, node="HardswishBackward0")


def hardsigmoid(input, inplace=False):
    """Applies relu6(x + 3) / 6 element-wise."""
    return _apply(_HARDSIGMOID, input, (), inplace)


def hardswish(input, inplace=False):
    """Applies x * relu6(x + 3) / 6 element-wise."""
    return _apply(_HARDSWISH, input, (), inplace)


# ---------------------------------------------------------------------------------------- softplus family

def _softplus(xp, a, beta, threshold):
    z = a * beta
    return xp.where(z > threshold, a, _softplus_arr(xp, z) / beta)


def _softplus_backward(g, a, out, beta, threshold):
    z = a * beta
    return (g.where(z > threshold, g * z.sigmoid()),)


_SOFTPLUS = _act("_softplus", "softplus_cpu", _softplus, _softplus_backward, node="SoftplusBackward0")


def _softplus_t(a):
    return call(_SOFTPLUS, (a, 1.0, math.inf), {})



def softplus(input, beta=1.0, threshold=20.0):
    """Applies log(1 + exp(beta * x)) / beta element-wise, linear above ``threshold``."""
    return _apply(_SOFTPLUS, input, (beta, threshold))


def softsign(input):
    """Applies x / (1 + |x|) element-wise."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """Applies x - tanh(x) element-wise."""
    return input - input.tanh()


def _logsigmoid(xp, a):
    return xp.minimum(a, 0) - xp.log1p(xp.exp(-xp.abs(a)))


_LOGSIGMOID = _act("_log_sigmoid", "log_sigmoid_cpu", _logsigmoid,
                   lambda g, a, out: (g * (-a).sigmoid(),), node="LogSigmoidBackward0", contiguous=True)


def logsigmoid(input):
    """Applies log(1 / (1 + exp(-x))) element-wise."""
    return _apply(_LOGSIGMOID, input, ())


# ---------------------------------------------------------------------------------------- shrink / threshold

def _shrink_backward(g, a, out, lambd):
    return (_keep_where((a < -lambd) | (a > lambd), g),)


def _softshrink(xp, a, lambd):
    return xp.where(a > lambd, a - lambd, xp.where(a < -lambd, a + lambd, a * 0))


def _hardshrink(xp, a, lambd):
    return xp.where((a >= -lambd) & (a <= lambd), a * 0, a)


_SOFTSHRINK = _act("_softshrink", "softshrink_check", _softshrink,
                   _shrink_backward, node="SoftshrinkBackward0", tied=True)
_HARDSHRINK = _act("_hardshrink", "hardshrink_cpu", _hardshrink,
                   _shrink_backward, node="HardshrinkBackward0", tied=True)


def softshrink(input, lambd=0.5):
    """Applies x - lambd if x > lambd, x + lambd if x < -lambd, 0 otherwise."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _apply(_SOFTSHRINK, input, (lambd,))


def hardshrink(input, lambd=0.5):
    """Applies x if |x| > lambd, 0 otherwise."""
    return _apply(_HARDSHRINK, input, (lambd,))


def _threshold(xp, a, threshold, value):
    return xp.where(a <= threshold, xp.asarray(value).astype(a.dtype), a)


def _threshold_fwd(xp, a, threshold, value):
    if a.dtype == np.bool_ or a.dtype.kind == "c":
        raise kernel_error("threshold_cpu", NP2DT[a.dtype])
    return keep_layout(xp, _threshold(xp, a, threshold, value), a)


def _threshold_backward(g, a, out, t, v):
    # torch's threshold_backward drops where a <= threshold, so a NaN input keeps its gradient
    return (_as_input(FUNCTIONS["where"](a <= t, 0, g), a),)


_THRESHOLD = register("_threshold", _threshold_fwd, _threshold_backward, promote=NONE, save=(0,),
                      node="ThresholdBackward0", method=False, function=False, tied=True)


def threshold(input, threshold, value, inplace=False):
    """Replaces each element not greater than ``threshold`` by ``value``."""
    return _apply(_THRESHOLD, input, (threshold, value), inplace)


def threshold_(input, threshold, value):
    """In-place version of threshold."""
    return _apply(_THRESHOLD, input, (threshold, value), True)


# ---------------------------------------------------------------------------------------- glu

def _glu(xp, a, dim):
    _reject("glu_cpu", NP2DT[a.dtype], _FLOAT_ONLY)
    x = _upcast(a)
    first, second = xp.split(x, 2, axis=dim)
    return (first * _sigmoid_arr(xp, second)).astype(a.dtype, copy=False)


def _glu_backward(g, a, out, dim):
    first, second = a.chunk(2, dim)
    s = second.sigmoid()
    return (FUNCTIONS["cat"]([g * s, g * first * s * (1 - s)], dim),)


_GLU = register("_glu", _glu, _glu_backward, promote=NONE, save=(0,), node="GluBackward0", method=False,
                function=False)


def glu(input, dim=-1):
    """Splits ``input`` in halves a, b along ``dim`` and returns a * sigmoid(b)."""
    _need_tensor("glu", input)
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.dim()
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    d = dim % n
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    return call(_GLU, (input, d), {})


# ---------------------------------------------------------------------------------------- softmax family

def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Applies softmax over dimension ``dim`` (optionally casting the input to ``dtype`` first)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Applies log(softmax(x)) over dimension ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Applies softmax(-x) over dimension ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return (-input).softmax(dim, dtype=dtype)


# torch also exposes these at top level (torch.selu, torch.rrelu_, Tensor.hardshrink, ...).
for _fn, _name in ((selu, "selu"), (selu_, "selu_"), (celu, "celu"), (celu_, "celu_"), (rrelu, "rrelu"),
                   (rrelu_, "rrelu_"), (hardshrink, "hardshrink"), (threshold, "threshold"),
                   (threshold_, "threshold_"), (prelu, "prelu"), (relu_, "relu_")):
    FUNCTIONS[_name] = _fn
Tensor.hardshrink = hardshrink
