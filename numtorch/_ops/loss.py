"""Loss functions (torch.nn.functional's losses): fused forwards on arrays with closed-form derivatives
written in tensor ops; the losses torch itself composes are composed here from numtorch ops too."""
import math

import numpy as np

from .. import _config, _dtype
from .._warn import warn
from .._tensor import Tensor
from ..autograd import grad_mode
from . import _registry
from ._registry import DEFAULT, FUNCTIONS, call, register
from ._sumorder import ordered_sum
from .shape import broadcast_shapes, broadcast_tensors, unimplemented_derivative
from .pointwise import _C_NAMES, _REDUCED_FLOATS, kernel_error
from .unary import log_softmax, log_sum_exp_shifted

_state = grad_mode.state

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}
_LEGACY = "size_average and reduce args will be deprecated, please use reduction='{}' instead."


# ------------------------------------------------------------------------------------------------ helpers

def legacy_reduction(size_average, reduce, emit_warning=True):
    """The reduction string the deprecated ``size_average``/``reduce`` pair stands for (torch's warning)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warn(_LEGACY.format(ret), UserWarning, stacklevel=4)
    return ret


def reduction_enum(reduction):
    if reduction == "elementwise_mean":
        warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      UserWarning, stacklevel=4)
        return 1
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _REDUCTIONS[reduction]


def _red(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    return reduction_enum(reduction)


def _xp(t):
    return _registry._xp_of([t._data])


def _wrap(a):
    return Tensor._wrap(a)


def _reduce(xp, r, reduction):
    if reduction == 0:
        return r
    # half-precision losses are summed (and averaged) in float32, rounded once, as torch's reductions do;
    # float32/float64 ones in torch's own summation order (one reduction per loss: its cost is small, and
    # printed loss values then equal torch's)
    half = r.dtype in _REDUCED_FLOATS
    s = None if half else ordered_sum(xp, r, None, False, r.dtype)
    if s is None:
        s = r.sum(dtype=np.float32) if half else r.sum()
    if reduction == 2:
        return s.astype(r.dtype) if half else s
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s / r.size if r.size else s * np.nan
    return m.astype(r.dtype) if half else m


def _unreduce(grad, shape, reduction):
    """The gradient of a reduced loss broadcast back over the elementwise losses."""
    if reduction == 0:
        return grad
    g = grad.expand(shape)
    return g / max(math.prod(shape), 1) if reduction == 1 else g


def _apply_reduction(loss, reduction):
    if reduction == 0:
        return loss
    # a loss's one reduction runs in torch's summation order (see _reduce)
    with _config.exact_sum_here():
        return loss.mean() if reduction == 1 else loss.sum()


def _weighted(loss, weight, input, reduction):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == 1:
        return loss.sum() / weight.sum()
    return loss.sum() if reduction == 2 else loss


def _nondiff(name, arg, t):
    if t is not None and t.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


def _need(name, x, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _same_size(input, target):
    # torch warns and then broadcasts when the two sizes differ.
    if target.shape != input.shape:
        warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=3)
        input, target = broadcast_tensors(input, target)
    return input, target


# ----------------------------------------------------------------------------------- mse / l1 / smooth

def _mse(xp, a, b, reduction):
    d = a - b
    return _reduce(xp, d * d, reduction)


def _mse_grad(grad, a, b, reduction):
    # torch's order: norm * (a - b) * grad, with norm = 2 / n (2 unreduced or summed) in the input's type
    d = a - b
    return d * _norm(d, reduction, 2.0) * (grad if reduction == 0 else grad.expand(d.shape))


def _mse_backward(grad, a, b, out, reduction):
    # as torch, the target's gradient is the same formula with the operands swapped (not the negated
    # input gradient: the signs of zeros differ)
    return _mse_grad(grad, a, b, reduction), _mse_grad(grad, b, a, reduction)


_MSE = register("mse_loss", _mse, _mse_backward, nin=2, promote=DEFAULT, save=(0, 1), method=False,
                function=False, elementwise=True)


def _real_kernel(kernel, *tensors):
    """torch's CPU kernels of these losses are compiled for real floating types only; they dispatch on
    the tensors' common type."""
    dt = _dtype.result_type_of([t for t in tensors if t is not None])
    if not dt.is_floating_point:
        raise kernel_error(kernel, dt)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Measures the element-wise mean squared error."""
    _need("mse_loss", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    input, target = _same_size(input, target)
    if weight is None:
        _real_kernel("mse_cpu", input, target)
        return call(_MSE, (input, target, red), {})
    return _weighted((input - target) ** 2, weight, input, red)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Measures the element-wise mean absolute error."""
    _need("l1_loss", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    input, target = _same_size(input, target)
    if weight is not None:
        return _weighted((input - target).abs(), weight, input, red)
    return _apply_reduction((input - target).abs(), red)


def _smooth_l1(xp, a, b, reduction, beta):
    d = xp.abs(a - b)
    return _reduce(xp, xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def _norm(t, reduction, scale=1.0):
    """torch's factor for a reduction's derivative: ``scale / n`` for the mean (``scale`` otherwise),
    computed in double and then taken in the tensor's type, as its C++ kernels do."""
    n = max(math.prod(t.shape), 1) if reduction == 1 else 1
    return float(t.dtype._np.type(scale / n))


def _smooth_l1_grad(grad, a, b, reduction, beta):
    # torch's order: norm * (d / beta) * grad inside the quadratic zone, -+norm * grad outside it, computed
    # in float32 for 16-bit inputs and rounded once
    low = a.dtype if a.dtype._np in _REDUCED_FLOATS else None
    if low is not None:
        a, b, grad = a.float(), b.float(), grad.float()
    d = a - b
    norm = _norm(d, reduction)
    g = grad if reduction == 0 else grad.expand(d.shape)
    inner, edge = d / beta, g
    if norm != 1:
        inner, edge = inner * norm, g * norm
    r = FUNCTIONS["where"](d < -beta, -edge, FUNCTIONS["where"](d > beta, edge, inner * g))
    return r if low is None else r.to(low)


def _smooth_l1_backward(grad, a, b, out, reduction, beta):
    return _smooth_l1_grad(grad, a, b, reduction, beta), _smooth_l1_grad(grad, b, a, reduction, beta)


def _huber(xp, a, b, reduction, delta):
    d = xp.abs(a - b)
    return _reduce(xp, xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction)


def _huber_grad(grad, a, b, reduction, delta):
    # torch's order: norm * d * grad inside the quadratic zone, -+(norm * delta) * grad outside it
    d = a - b
    norm = _norm(d, reduction)
    g = grad if reduction == 0 else grad.expand(d.shape)
    inner = d * norm if norm != 1 else d
    edge = g * float(d.dtype._np.type(norm) * d.dtype._np.type(delta))
    return FUNCTIONS["where"](d < -delta, -edge, FUNCTIONS["where"](d > delta, edge, inner * g))


def _huber_backward(grad, a, b, out, reduction, delta):
    return _huber_grad(grad, a, b, reduction, delta), _huber_grad(grad, b, a, reduction, delta)


_SMOOTH_L1 = register("smooth_l1_loss", _smooth_l1, _smooth_l1_backward, nin=2, promote=DEFAULT,
                      save=(0, 1), method=False, function=False)
_HUBER = register("huber_loss", _huber, _huber_backward, nin=2, promote=DEFAULT, save=(0, 1), method=False,
                  function=False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared term if the absolute element-wise error falls below beta and an L1 term otherwise."""
    _need("smooth_l1_loss", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    input, target = _same_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction if red != 1 else "mean")
    _real_kernel("smooth_l1_cpu", input, target)
    return call(_SMOOTH_L1, (input, target, red, beta), {})


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared term if the absolute element-wise error falls below delta and a delta-scaled L1 term."""
    _need("huber_loss", input, "input", 1)
    red = reduction_enum(reduction)
    input, target = _same_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _real_kernel("huber_cpu", input, target)
    if not input.dtype.is_floating_point:
        # torch's huber writes into an output of the input's type
        dt = _dtype.result_type_of((input, target))
        raise RuntimeError(f"result type {dt._legacy} can't be cast to the desired output type "
                           f"{input.dtype._legacy}")
    if weight is None:
        return call(_HUBER, (input, target, red, delta), {})
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    # Unlike mse/l1, torch averages weighted huber terms over their count, not over the weights.
    return _apply_reduction(call(_HUBER, (input, target, 0, delta), {}) * weight, red)


def _soft_margin(xp, a, b, reduction):
    return _reduce(xp, xp.log1p(xp.exp(-a * b)), reduction)


def _soft_margin_backward(grad, a, b, out, reduction):
    z = -_unreduce(grad, a.shape, reduction) / (1 + (a * b).exp())
    return z * b, z * a


_SOFT_MARGIN = register("soft_margin_loss", _soft_margin, _soft_margin_backward, nin=2, promote=DEFAULT,
                        save=(0, 1), method=False, function=False)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Two-class logistic loss between input and target (containing 1 or -1)."""
    _need("soft_margin_loss", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    _nondiff("soft_margin_loss", "target", target)
    if input.dtype is _dtype.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    if not input.dtype.is_floating_point and not input.dtype.is_complex:
        # torch writes the float loss into an output of the input's (integer) type
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{input.dtype._legacy}")
    return call(_SOFT_MARGIN, (input, target, red), {})


# ------------------------------------------------------------------------------------- nll / cross entropy

def _cdim(ndim):
    return 0 if ndim == 1 else 1


def _nll_parts(xp, t, w, ignore_index, dtype):
    """Target indices made safe to gather with, and each target's weight (0 where ignored)."""
    valid = t != ignore_index
    ts = xp.where(valid, t, 0).astype(np.intp)
    wt = w[ts] if w is not None else xp.ones(ts.shape, dtype)
    return ts, (wt * valid).astype(dtype, copy=False)


def _pick(xp, x, ts):
    cd = _cdim(x.ndim)
    return xp.squeeze(xp.take_along_axis(x, xp.expand_dims(ts, cd), cd), cd)


def _nll_reduce(loss, wt, reduction):
    if reduction == 0:
        return loss
    if reduction == 2:
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / wt.sum()


def _nll(xp, x, t, w, reduction, ignore_index):
    if x.dtype in _REDUCED_FLOATS:
        wide = None if w is None else w.astype(np.float32)
        return xp.asarray(_nll(xp, x.astype(np.float32), t, wide, reduction, ignore_index)).astype(x.dtype)
    if _plain_rows(xp, x, t, w, ignore_index):
        # a batch of rows, every target counted with weight 1: the picked entries and their mean or sum
        loss = -x[np.arange(x.shape[0]), t]
        if reduction == 0:
            return loss
        total = loss.sum()
        return total if reduction == 2 else total / x.dtype.type(x.shape[0])
    ts, wt = _nll_parts(xp, t, w, ignore_index, x.dtype)
    return _nll_reduce(-_pick(xp, x, ts) * wt, wt, reduction)


def _plain_rows(xp, x, t, w, ignore_index):
    return xp is np and x.ndim == 2 and x.shape[0] and w is None and not (t == ignore_index).any()


def _nll_coef(grad, x, t, w, reduction, ignore_index):
    """-d loss / d picked-logit as a tensor shaped for broadcasting along the class dim, and the one-hot."""
    xp = _xp(t)
    ts, wt = _nll_parts(xp, t._data, None if w is None else w._data, ignore_index, x.dtype._np)
    cd = _cdim(len(x.shape))
    shape = [1] * len(x.shape)
    shape[cd] = x.shape[cd]
    # ignored targets pick no class at all (their safe index 0 would take a -0.0)
    hot = (xp.expand_dims(ts, cd) == xp.arange(x.shape[cd]).reshape(shape)) & xp.expand_dims(
        t._data != ignore_index, cd)
    if reduction == 1:
        # torch's order: weight * (grad / total_weight)
        scale = grad / _wrap(xp.asarray(wt.sum(), dtype=wt.dtype))
    else:
        scale = grad.unsqueeze(cd) if reduction == 0 else grad
    coef = _wrap(xp.expand_dims(wt, cd)) * scale
    return coef, _wrap(hot.astype(x.dtype._np))


def _nll_backward(grad, x, t, w, out, reduction, ignore_index):
    coef, hot = _nll_coef(grad, x, t, w, reduction, ignore_index)
    # -coef at the targets into zeros, as torch scatters it (-(hot * coef) left -0.0 elsewhere)
    return FUNCTIONS["where"](hot != 0, -coef, 0), None, None


def _ce(xp, x, t, w, reduction, ignore_index):
    if x.dtype in _REDUCED_FLOATS:
        # torch's log_softmax runs in float32 and stores half values; nll accumulates them in float32
        lsm = _log_softmax_arr(xp, x.astype(np.float32), x.dtype).astype(x.dtype)
        return _nll(xp, lsm, t, w, reduction, ignore_index)
    return _nll(xp, _log_softmax_arr(xp, x), t, w, reduction, ignore_index)


def _ce_backward(grad, x, t, w, out, reduction, ignore_index):
    xd, td, gd = x._data, t._data, grad._data
    if (not _state.enabled and type(xd) is np.ndarray and gd.ndim == (reduction == 0)
            and _plain_rows(np, xd, td, w, ignore_index)):
        # first order, on arrays, in torch's order: softmax * c, then c off at the target, where c is
        # the row's gradient (over the row count for the mean)
        e = np.exp(xd - xd.max(1, keepdims=True))
        e /= e.sum(1, keepdims=True)
        c = gd if reduction == 2 else gd / xd.dtype.type(xd.shape[0]) if reduction == 1 else gd[:, None]
        e *= c
        e[np.arange(xd.shape[0]), td] -= c if c.ndim < 2 else gd
        return Tensor._wrap(e), None, None
    coef, hot = _nll_coef(grad, x, t, w, reduction, ignore_index)
    return (x.softmax(_cdim(x.dim())) - hot) * coef, None, None


def _log_softmax_arr(xp, x, dtype=None):
    """log_softmax over the class dim of the float array ``x``, rounded as torch's kernel for results of
    ``dtype`` (``x``'s own by default) rounds it."""
    cd = _cdim(x.ndim)
    z = x - x.max(axis=cd, keepdims=True) if x.size else x
    return z - log_sum_exp_shifted(xp, z, cd, x.dtype if dtype is None else dtype, cd == x.ndim - 1)


_NLL = register("nll_loss", _nll, _nll_backward, nin=3, save=(0, 1, 2), node="NllLossBackward0", method=False,
                function=False, tied=True)
_NLL2D = register("nll_loss2d", _nll, _nll_backward, nin=3, save=(0, 1, 2), node="NllLoss2DBackward0",
                  method=False, function=False, tied=True)
_CE = register("_cross_entropy", _ce, _ce_backward, nin=3, save=(0, 1, 2), node="NllLossBackward0",
               method=False, function=False)
_CE2D = register("_cross_entropy2d", _ce, _ce_backward, nin=3, save=(0, 1, 2), node="NllLoss2DBackward0",
                 method=False, function=False)


def _check_nll(input, target, weight, ignore_index):
    if target.dtype.__str__() not in ("torch.int64", "torch.uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype._legacy}")
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd <= 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if nd > 1 and target.dim() >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError(f"Expected input batch_size (1) to match target batch_size ({target.shape[0]}).")
    if nd > 2 and tuple(target.shape) != tuple(input.shape[:1]) + tuple(input.shape[2:]):
        want = list(input.shape[:1]) + list(input.shape[2:])
        raise RuntimeError(f"Expected target size {want}, got {list(target.shape)}")
    n_cls = input.shape[_cdim(nd)]
    if weight is not None and (weight.dim() != 1 or weight.shape[0] != n_cls):
        raise RuntimeError(f"weight tensor should be defined either for all {n_cls} classes or no classes "
                           f"but got weight tensor of shape: {list(weight.shape)}")
    _nondiff("nll_loss_forward" if nd <= 2 else "nll_loss2d_forward", "weight", weight)
    t = target._data
    bad = (t != ignore_index) & ((t < 0) | (t >= n_cls))
    if bad.any():
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")


def _nll_call(ops, input, target, weight, red, ignore_index):
    if input.dim() == 1 and target.dim() == 1:
        target = target.reshape(())
        out = call(ops[0], (input, target, weight, red, ignore_index), {})
        return out.reshape(1) if red == 0 else out
    op = ops[0] if input.dim() <= 2 else ops[1]
    return call(op, (input, target, weight, red, ignore_index), {})


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood loss."""
    _need("nll_loss", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    _check_nll(input, target, weight, ignore_index)
    if not input.dtype.is_floating_point:
        kernel = "nll_loss_out_frame" if input.dim() <= 2 else "nll_loss2d_forward_out_frame"
        raise kernel_error(kernel, input.dtype)
    return _nll_call((_NLL, _NLL2D), input, target, weight, red, ignore_index)


def _class_view(weight, ndim):
    if ndim <= 1:
        return weight
    return weight.reshape((1, -1) + (1,) * (ndim - 2))


def _ce_probs(input, target, weight, red, label_smoothing):
    if not target.dtype.is_floating_point:
        raise RuntimeError("Expected floating point type for target with class probabilities, got "
                           f"{target.dtype._legacy}")
    cd = _cdim(input.dim())
    n_cls = input.shape[cd]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_cls
    loss = log_softmax(input, cd) * target
    if weight is not None:
        loss = loss * _class_view(weight, input.dim())
    if red == 1:
        return -loss.sum() / (input.numel() / n_cls) if input.numel() else -loss.sum() / 0.0
    return -loss.sum() if red == 2 else -loss.sum(cd)


def _ce_smoothed(input, target, weight, red, ignore_index, label_smoothing):
    cd = _cdim(input.dim())
    n_cls = input.shape[cd]
    lsm = log_softmax(input, cd)
    nll = _nll_call((_NLL, _NLL2D), lsm, target, weight, red, ignore_index)
    keep = target != ignore_index
    if weight is not None:
        lsm = lsm * _class_view(weight, input.dim())
    smooth = -lsm.sum(cd) * keep
    if red == 1:
        if weight is not None:
            smooth = smooth.sum() / weight[target[keep]].sum()
        else:
            smooth = smooth.sum() / keep.sum()
    elif red == 2:
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_cls)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """The cross entropy loss between input logits and target (class indices or probabilities)."""
    _need("cross_entropy", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.shape == target.shape and input.dim() > 0:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _ce_probs(input, target, weight, red, label_smoothing)
    _check_nll(input, target, weight, ignore_index)
    if not input.dtype.is_floating_point:
        kernel = "log_softmax_lastdim_kernel_impl" if input.dim() <= 2 else "log_softmax_kernel_impl"
        raise kernel_error(kernel, input.dtype)
    if label_smoothing > 0:
        return _ce_smoothed(input, target, weight, red, ignore_index, label_smoothing)
    return _nll_call((_CE, _CE2D), input, target, weight, red, ignore_index)


# ------------------------------------------------------------------------------------ binary cross entropy

def _bce(xp, x, t, w, reduction):
    # torch clamps each log at -100 so that a confident wrong answer costs 100, not inf.
    with np.errstate(divide="ignore"):
        loss = -(t * xp.maximum(xp.log(x), -100) + (1 - t) * xp.maximum(xp.log1p(-x), -100))
    if w is not None:
        loss = loss * w
    return _reduce(xp, loss, reduction)


def _bce_backward(grad, x, t, w, out, reduction):
    g = _unreduce(grad, x.shape, reduction)
    if w is not None:
        g = g * w
    gx = g * (x - t) / ((1 - x) * x).clamp_min(1e-12)
    gt = g * ((-x).log1p() - x.log())
    return gx, gt, None


_BCE = register("binary_cross_entropy", _bce, _bce_backward, nin=3, save=(0, 1, 2), method=False,
                function=False)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross entropy between the target and input probabilities."""
    _need("binary_cross_entropy", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        weight = weight.expand(broadcast_shapes(target.shape, weight.shape))
    _nondiff("binary_cross_entropy", "weight", weight)
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._legacy} but expected {input.dtype._legacy}")
    _real_kernel("binary_cross_entropy", input)
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    return call(_BCE, (input, target, weight, red), {})


def _softplus_neg(xp, x):
    return xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


def _bce_logits(xp, x, t, w, pw, reduction):
    sp = _softplus_neg(xp, x)
    loss = (1 - t) * x + (sp if pw is None else (1 + (pw - 1) * t) * sp)
    if w is not None:
        loss = loss * w
    return _reduce(xp, loss, reduction)


def _bce_logits_backward(grad, x, t, w, pw, out, reduction):
    g = _unreduce(grad, tuple(np.broadcast_shapes(x.shape, t.shape)), reduction)
    if w is not None:
        g = g * w
    if pw is None:
        return g * (x.sigmoid() - t), -g * x, None, None
    lw = 1 + (pw - 1) * t
    sp = (-x).clamp_min(0) + (-x.abs()).exp().log1p()
    return g * ((1 - t) - lw * (1 - x.sigmoid())), g * ((pw - 1) * sp - x), None, None


_BCE_LOGITS = register("binary_cross_entropy_with_logits", _bce_logits, _bce_logits_backward, nin=4,
                       save=(0, 1, 2, 3), method=False, function=False)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross entropy between target and the sigmoid of input logits, computed stably."""
    _need("binary_cross_entropy_with_logits", input, "input", 1)
    red = _red(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _nondiff("binary_cross_entropy_with_logits", "weight", weight)
    _nondiff("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    _real_kernel("log_sigmoid_cpu", input)
    return call(_BCE_LOGITS, (input, target, weight, pos_weight, red), {})


# ----------------------------------------------------------------------------------------- composed losses

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """The Kullback-Leibler divergence loss (input holds log-probabilities)."""
    _need("kl_div", input, "input", 1)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    red = 2 if reduction == "batchmean" else reduction_enum(reduction)
    if input.dtype.is_complex or target.dtype.is_complex:
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = FUNCTIONS["xlogy"](target, target) - target * input
    loss = _apply_reduction(loss, red)
    if reduction == "batchmean" and input.dim() != 0:
        loss = loss / input.shape[0]
    return loss


def _logsigmoid(x):
    return x.clamp_max(0) - (-x.abs()).exp().log1p()


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all loss based on max-entropy."""
    red = _red(size_average, reduce, reduction)
    if not input.dtype.is_floating_point:
        raise kernel_error("log_sigmoid_cpu", input.dtype)
    loss = -(target * _logsigmoid(input) + (1 - target) * _logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.shape[-1]
    return _apply_reduction(loss, red)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """The loss ``max(0, -y * (x1 - x2) + margin)`` for ranking two inputs."""
    red = _red(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got "
                           f"sizes: input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    diff = input1 - input2
    # torch's margin is a double: integer inputs give a float loss
    return _apply_reduction((-target * diff + float(margin)).clamp_min(0), red)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """The hinge embedding loss: x where y == 1, max(0, margin - x) where y == -1."""
    where = FUNCTIONS["where"]
    red = _red(size_average, reduce, reduction)
    zeros = input.new_zeros(())
    # torch fills the margin into a tensor of the input's type first (integer inputs stay integer)
    gap = FUNCTIONS["full_like"](input, margin) - input
    loss = where(target != 1, gap.clamp_min(0), zeros) + where(target != -1, input, zeros)
    return _apply_reduction(loss, red)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """Whether two inputs are similar or dissimilar, measured by their cosine similarity."""
    where = FUNCTIONS["where"]
    red = _red(size_average, reduce, reduction)
    nd = input1.dim()
    td = target.dim()
    if td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if nd != td + 1 or input2.dim() != td + 1:
        raise RuntimeError(f"{td}D target tensor expects {td + 1}D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    d = nd - 1
    denom = (((input1 * input1).sum(d) + 1e-12) * ((input2 * input2).sum(d) + 1e-12)).sqrt()
    cos = (input1 * input2).sum(d) / denom
    zeros = cos.new_zeros(())
    loss = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _apply_reduction(loss, red)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """The triplet loss ``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm distance."""
    from .distance import pairwise_distance
    red = _red(size_average, reduce, reduction)
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1 or dims[0] not in (1, 2):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number "
                           f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
                           f"{dims[2]}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = FUNCTIONS["minimum"](d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((margin + d_pos - d_neg).clamp_min(0), red)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """The triplet loss with a custom distance function (pairwise distance by default)."""
    from .distance import pairwise_distance
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater than 0, got "
                         f"{margin} instead")
    red = reduction_enum(reduction)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = FUNCTIONS["minimum"](d_neg, dist(positive, negative))
    return _apply_reduction((margin + d_pos - d_neg).clamp_min(0), red)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log likelihood loss with a Poisson distribution of the target."""
    red = _red(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, red)


def _gaussian_var(input, var):
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return input.new_full(input.shape, float(var))
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.dim() == var.dim() and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1:
        return var
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log likelihood loss."""
    var = _gaussian_var(input, var)
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if not var.dtype.is_floating_point:
        # torch clamps (a clone of) var in place with the float eps
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_C_NAMES.get(var.dtype._name, var.dtype._legacy)}")
    # The clamp keeps var away from 0 but, as in torch, lets the gradient through unchanged.
    var = var + (var.detach().clamp_min(eps) - var.detach())
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, _REDUCTIONS[reduction])


# ------------------------------------------------------------------------------------------- margin losses

def _rows(x, t):
    n_cls = x.shape[-1]
    return x.reshape(-1, n_cls), t.reshape(-1)


def _multi_margin(xp, x, t, w, reduction, p, margin):
    x2, t2 = _rows(x, t.astype(np.intp))
    z = margin - xp.take_along_axis(x2, t2[:, None], 1) + x2
    h = xp.maximum(z, 0)
    h = h * h if p == 2 else h
    if w is not None:
        h = h * w[t2][:, None]
    h = xp.where(t2[:, None] == xp.arange(x2.shape[1]), 0, h)
    loss = (h.sum(1) / x2.shape[1]).reshape(t.shape)
    return _reduce(xp, loss.astype(x.dtype, copy=False), reduction)


def _multi_margin_backward(grad, x, t, w, out, reduction, p, margin):
    n_cls = x.shape[-1]
    x2, t2 = _rows(x, t)
    hot = (t2.unsqueeze(1) == _wrap(_xp(t).arange(n_cls))).to(x.dtype)
    z = margin - x2.gather(1, t2.unsqueeze(1)) + x2
    dz = (z > 0).to(x.dtype) if p == 1 else 2 * z.clamp_min(0)
    dz = dz * (1 - hot) / n_cls
    if w is not None:
        dz = dz * w.index_select(0, t2).unsqueeze(1)
    g = _unreduce(grad, tuple(t.shape), reduction).reshape(-1, 1)
    return _MULTI_MARGIN_BACKWARD(((dz - hot * dz.sum(1, keepdim=True)) * g).reshape(x.shape), grad, x), None, None


_MULTI_MARGIN_BACKWARD = unimplemented_derivative("multi_margin_loss_backward")
_MULTI_MARGIN = register("multi_margin_loss", _multi_margin, _multi_margin_backward, nin=3, save=(0, 1, 2),
                         method=False, function=False)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class classification hinge loss (margin-based) between input and target class indices."""
    red = _red(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.dim()
    n = input.shape[0] if nd == 2 else 1
    if nd > 2 or (nd and 0 in input.shape[nd - 1:]):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if target.numel() != n or target.dim() > 1:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the number of "
                           f"input samples (batch size). Expected target size [{n}], but got "
                           f"{list(target.shape)}. Input has shape {list(input.shape)}.")
    if input.dtype.itemsize == 2 or not input.dtype.is_floating_point:
        raise kernel_error("multi_margin_loss_cpu_kernel", input.dtype)
    t = target._data
    if ((t < 0) | (t >= input.shape[-1])).any():
        raise RuntimeError("target out of range")
    _nondiff("multi_margin_loss", "weight", weight)
    return call(_MULTI_MARGIN, (input, target, weight, red, p, margin), {})


def _multilabel_parts(xp, x2, t2):
    """The hinge terms ``1 - x[y_j] + x[i]`` and the mask of the pairs that count."""
    n_cls = x2.shape[1]
    valid = xp.cumsum(t2 < 0, 1) == 0
    ts = xp.where(valid, t2, 0).astype(np.intp)
    hot = (ts[:, :, None] == xp.arange(n_cls)) & valid[:, :, None]
    is_tgt = hot.any(1)
    z = 1 - xp.take_along_axis(x2, ts, 1)[:, :, None] + x2[:, None, :]
    keep = (z > 0) & valid[:, :, None] & ~is_tgt[:, None, :]
    return z, keep, hot


def _multilabel_margin(xp, x, t, reduction):
    x2, t2 = x.reshape(-1, x.shape[-1]), t.reshape(-1, x.shape[-1])
    z, keep, _ = _multilabel_parts(xp, x2, t2)
    loss = (z * keep).sum((1, 2)) / x2.shape[1]
    return _reduce(xp, loss.reshape(x.shape[:-1]).astype(x.dtype, copy=False), reduction)


def _multilabel_margin_backward(grad, x, t, out, reduction):
    xp = _xp(x)
    x2, t2 = x._data.reshape(-1, x.shape[-1]), t._data.reshape(-1, x.shape[-1])
    _, keep, hot = _multilabel_parts(xp, x2, t2)
    coef = keep.sum(1) - (keep.sum(2)[:, :, None] * hot).sum(1)
    coef = _wrap((coef / x2.shape[1]).astype(x2.dtype).reshape(x.shape))
    g = _unreduce(grad, tuple(x.shape[:-1]), reduction).unsqueeze(-1)
    return _MULTILABEL_MARGIN_BACKWARD(coef * g, grad, x), None


_MULTILABEL_MARGIN_BACKWARD = unimplemented_derivative("multilabel_margin_loss_backward")
_MULTILABEL_MARGIN = register("multilabel_margin_loss", _multilabel_margin, _multilabel_margin_backward,
                              nin=2, save=(0, 1), method=False, function=False)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-classification hinge loss; target holds class indices ended by -1."""
    red = _red(size_average, reduce, reduction)
    if input.dim() > 2 or target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    t = target._data
    if ((t < -1) | (t >= max(input.shape[-1] if input.dim() else 1, 1))).any():
        raise RuntimeError("multilabel_margin_loss: target out of range")
    return call(_MULTILABEL_MARGIN, (input, target, red), {})
