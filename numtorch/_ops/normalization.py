"""Normalization functionals: batch/layer/group/instance norm (fused forward, closed-form backward),
rms_norm, local_response_norm and normalize (composed from tensor ops)."""
import math

import numpy as np

from .. import _config, _dtype
from .._dtype import NP2DT
from .._tensor import Tensor, bump
from ..autograd import grad_mode
from . import _parallel
from ._moments import rowwise_moments
from .random import fma_real as fma
from ._registry import FUNCTIONS, NONE, call, register
from ._scratch import scratch
from .layouts import dense_format, empty_format, in_format, suggest_format
from .pointwise import _need_tensor, _reject, _upcast, kernel_error
from .shape import to_format

_state = grad_mode.state
_FLOAT_ONLY = (_dtype.BOOL, _dtype.INT, _dtype.COMPLEX)


def _size_str(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _moments(xp, x, axes, eps):
    """Mean and 1/sqrt(biased variance + eps) over ``axes`` (kept), and the centred input."""
    # sum / count rather than mean(): NumPy warns on empty slices, torch does not.
    count = math.prod(x.shape[i] for i in axes)
    mean = x.sum(axis=axes, keepdims=True) / count
    xc = x - mean
    var = (xc * xc).sum(axis=axes, keepdims=True) / count
    return mean, var, 1 / xp.sqrt(var + eps), xc


def _stats_t(a, axes, eps, stash):
    """The statistics as tensors: the forward's when no graph is built, else recomputed differentiably."""
    if not _state.enabled:
        return Tensor._wrap(stash[0]), Tensor._wrap(stash[1])
    mean = a.mean(axes, keepdim=True)
    xc = a - mean
    return mean, ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()


def _xhat_grad(gxhat, xhat, invstd, axes):
    """Gradient of x -> (x - mean(x)) * invstd(x) (statistics over ``axes``), given d/dxhat."""
    mg = gxhat.mean(axes, keepdim=True)
    mgx = (gxhat * xhat).mean(axes, keepdim=True)
    return (gxhat - mg - xhat * mgx) * invstd


def _affine(xp, y, w, b, shape):
    if w is not None:
        y = y * w.reshape(shape)
    if b is not None:
        y = y + b.reshape(shape)
    return y


def _param_grads(g, xhat, w, b, dims, shape):
    gw = None if w is None else _sum_dims(g * xhat, dims).reshape(shape)
    gb = None if b is None else _sum_dims(g, dims).reshape(shape)
    return gw, gb


def _sum_dims(t, dims):
    # sum(dim=[]) would reduce everything.
    return t.sum(dims) if dims else t


# ---------------------------------------------------------------------------------------- batch norm

def _bn_axes(ndim):
    return (0,) + tuple(range(2, ndim))


def _bshape(ndim, c):
    return (1, c) + (1,) * (ndim - 2)


# Batch norm's passes are memory-bound and independent per channel: above this size the channels are
# split over the intra-op threads (two cores moved the data 1.3-1.5x faster than one)
_SPLIT_BYTES = 1 << 20


def _by_channels(x, work):
    """``work(c0, c1)`` over ranges of the channels of ``x`` (N, C, ...), on the intra-op threads when
    ``x`` is large."""
    c = x.shape[1]
    if x.nbytes < _SPLIT_BYTES or c < 2:
        work(0, c)
        return
    parts = min(c, _parallel.get_num_threads())
    bounds = [c * i // parts for i in range(parts + 1)]
    _parallel.split(lambda spans: [work(a, b) for a, b in spans], list(zip(bounds[:-1], bounds[1:])))


def _flat_out(shape, dtype, fmt):
    """A new array of ``shape`` (N, C, ...) in memory format ``fmt`` (None: contiguous) and its (N, C, -1)
    view, for kernels that work on the flattened one."""
    if fmt is None:
        full = np.empty(shape, dtype)
        return full, full.reshape(shape[0], shape[1], -1)
    full = empty_format(np, shape, dtype, fmt)
    flat = full.view()
    flat.shape = (shape[0], shape[1], -1)  # a view of channels-last too (setting .shape never copies)
    return full, flat


def _batch_norm_arrays(x, w, b, training, eps, rmean, rvar, stash, dtype):
    """The NumPy forward on ``x`` (float32 for 16-bit ``dtype`` inputs): one new array (the output), the
    statistics from reductions that form no temporaries.

    Where torch's result is reproducible -- evaluation, and training in 16 bits, whose statistics torch
    stores rounded to the parameters' 16-bit type -- the output is torch's ``x * alpha + beta`` with one
    rounding (``alpha = invstd * weight``, ``beta = bias - mean * alpha``, fused too in float32). Training
    in float32 centres and scales in place instead: torch's statistics come from its own summation order,
    so its outputs cannot be matched bit for bit anyway, and this form is cheaper."""
    n, c = x.shape[:2]
    x3 = x.reshape(n, c, -1)
    out, y = _flat_out(x.shape, x.dtype, _bn_format(x, (w, b, rmean, rvar)))
    mean, var, invstd, raw = np.empty((4, c), x.dtype)
    count = n * x3.shape[2]
    scale = None if w is None else w.astype(x.dtype, copy=False)
    shift = None if b is None else b.astype(x.dtype, copy=False)
    stats = w.dtype if w is not None else dtype
    rounded = training and stats.itemsize == 2 and stats.kind in "fV"
    exact = rounded or not training

    def work(c0, c1):
        xs, ys = x3[:, c0:c1], y[:, c0:c1]
        if training:
            m = xs.sum((0, 2)) / count
            np.subtract(xs, m[:, None], out=ys)
            # per-(sample, channel) dot products of the centred input with itself, summed over samples
            v = np.matmul(ys[:, :, None, :], ys[:, :, :, None]).reshape(n, c1 - c0).sum(0) / count
        else:
            m = rmean.astype(x.dtype, copy=False).reshape(c)[c0:c1]
            v = rvar.astype(x.dtype, copy=False).reshape(c)[c0:c1]
        inv = 1 / np.sqrt(v + eps)
        raw[c0:c1] = m
        if rounded:
            m, inv = m.astype(stats).astype(x.dtype), inv.astype(stats).astype(x.dtype)
        if exact:
            _scale_shift(xs, ys, m, inv, None if scale is None else scale[c0:c1],
                         None if shift is None else shift[c0:c1], fused=dtype.itemsize > 2)
        else:
            ys *= (inv if scale is None else inv * scale[c0:c1])[:, None]
            if shift is not None:
                ys += shift[c0:c1][:, None]
        mean[c0:c1], var[c0:c1], invstd[c0:c1] = m, v, inv
    _by_channels(x3, work)
    shape = _bshape(x.ndim, c)
    # the saved statistics (as the derivative sees them), the variance, and the unrounded mean that the
    # running mean follows
    stash[:] = [mean.reshape(shape), invstd.reshape(shape), var.reshape(shape), raw.reshape(shape)]
    return out


def _scale_shift(xs, ys, mean, invstd, scale, shift, fused):
    """``ys = xs * alpha + beta`` per channel (axis 1), rounded once as torch's fused multiply-add; ``beta``
    is ``shift - mean * alpha``, fused when ``fused`` (torch fuses it for 32/64-bit inputs only)."""
    alpha = invstd if scale is None else invstd * scale
    if xs.dtype != np.float32:
        beta = -(mean * alpha) if shift is None else shift - mean * alpha
        np.multiply(xs, alpha[:, None], out=ys)
        ys += beta[:, None]
        return
    shift = np.zeros_like(alpha) if shift is None else shift
    beta = fma(-mean, alpha, shift) if fused else shift - mean * alpha
    np.copyto(ys, fma(xs, alpha[:, None], beta[:, None]))


def _bn_format(x, params=(), grad=None):
    """The memory format of torch's batch-norm output (or, given the output ``grad``, input gradient).

    Its kernels for inputs contiguous in some format keep that one, reading an ambiguous tensor (contiguous
    in both) as contiguous; others (and a gradient of another layout) get the format the strides suggest.
    """
    fmt = dense_format(x)
    if fmt is not False and all(p is None or p.ndim != 1 or p.strides[0] == p.itemsize or p.size < 2
                                for p in params):
        if grad is None or (dense_format(grad) is not False and suggest_format(grad.shape, grad.strides)
                            == suggest_format(x.shape, x.strides)):
            return fmt
    return suggest_format(x.shape, x.strides)


def _batch_norm(xp, a, w, b, training, eps, rmean, rvar, stash):
    _reject("batch_norm", NP2DT[a.dtype], _FLOAT_ONLY)
    x = _upcast(a)
    if xp is np and x.ndim > 1 and x.size and x.dtype.kind == "f":
        return _batch_norm_arrays(x, w, b, training, eps, rmean, rvar, stash, a.dtype).astype(a.dtype, copy=False)
    shape = _bshape(x.ndim, x.shape[1])
    if training:
        mean, var, invstd, xc = _moments(xp, x, _bn_axes(x.ndim), eps)
    else:
        mean = rmean.reshape(shape).astype(x.dtype, copy=False)
        var = rvar.reshape(shape).astype(x.dtype, copy=False)
        invstd = 1 / xp.sqrt(var + eps)
        xc = x - mean
    # The statistics ride to the derivative (and to the running-stat update) through this list.
    stash[:] = [mean, invstd, var]
    y = xc * (invstd if w is None else invstd * w.reshape(shape))
    if b is not None:
        y += b.reshape(shape)
    return in_format(xp, y.astype(a.dtype, copy=False), _bn_format(a, (w, b, rmean, rvar)))


def _batch_norm_backward_arrays(g, x, w, b, training, eps, stash):
    """The first-order derivative on arrays: per-channel sums, then the input gradient as one affine map
    of the gradient and the input per channel (4 passes where the composed form takes 14)."""
    n, c = x.shape[:2]
    g3 = _upcast(g).reshape(n, c, -1)
    x3 = _upcast(x).reshape(n, c, -1)
    m = g3.shape[0] * g3.shape[2]
    mean, invstd = stash[0].reshape(c), stash[1].reshape(c)
    wd = None if w is None else w._data.astype(invstd.dtype, copy=False)
    k = invstd if w is None else invstd * wd
    full, gx = _flat_out(x.shape, np.result_type(g3.dtype, k.dtype), _bn_format(x, grad=g))
    sum_g, dot = np.empty((2, c), invstd.dtype)
    # in evaluation torch's derivative takes 1 / sqrt(var + eps) in double precision, then multiplies the
    # gradient by it and by the weight in turn
    inv_eval = None if training else (1 / np.sqrt(stash[2].reshape(c).astype(np.float64) + eps)).astype(
        invstd.dtype)

    def work(c0, c1):
        gs, xs, gxs = g3[:, c0:c1], x3[:, c0:c1], gx[:, c0:c1]
        sg = gs.sum((0, 2))
        # sum of g * (x - mean) from per-(sample, channel) dot products: no temporary, no x - mean
        dt = np.matmul(gs[:, :, None, :], xs[:, :, :, None]).reshape(n, c1 - c0).sum(0) - mean[c0:c1] * sg
        kc = k[c0:c1]
        if not training:
            np.multiply(gs, inv_eval[c0:c1][:, None], out=gxs)
            if wd is not None:
                gxs *= wd[c0:c1][:, None]
        else:
            np.multiply(gs, kc[:, None], out=gxs)
        if training:
            proj = dt * invstd[c0:c1] * invstd[c0:c1] / m
            tmp = scratch("bn", xs.shape, gx.dtype)
            np.multiply(xs, (kc * proj)[:, None], out=tmp)
            gxs -= tmp
            gxs += (kc * (proj * mean[c0:c1] - sg / m))[:, None]
        sum_g[c0:c1], dot[c0:c1] = sg, dt
    _by_channels(g3, work)
    gw = None if w is None else Tensor._wrap((dot * invstd).astype(w.dtype._np, copy=False))
    gb = None if b is None else Tensor._wrap(sum_g.astype(b.dtype._np, copy=False))
    return Tensor._wrap(full.astype(x.dtype, copy=False)), gw, gb


def _batch_norm_backward(g, a, w, b, out, training, eps, rmean, rvar, stash):
    if not _state.enabled and type(g._data) is np.ndarray and a.numel():
        # grad mode is off in a first-order backward: no graph to build through the derivative
        return _batch_norm_backward_arrays(g._data, a._data, w, b, training, eps, stash)
    axes = list(_bn_axes(a.dim()))
    shape = _bshape(a.dim(), a.shape[1])
    if training:
        mean, invstd = _stats_t(a, axes, eps, stash)
    else:
        mean, invstd = Tensor._wrap(stash[0]), Tensor._wrap(stash[1])
    xhat = (a - mean) * invstd
    gxhat = g if w is None else g * w.reshape(shape)
    gx = _xhat_grad(gxhat, xhat, invstd, axes) if training else gxhat * invstd
    gw, gb = _param_grads(g, xhat, w, b, axes, (-1,))
    return gx, gw, gb


_BATCH_NORM = register("_batch_norm", _batch_norm, _batch_norm_backward, nin=3, promote=NONE, save=(0, 1),
                       node="NativeBatchNormBackward0", method=False, function=False)


def _check_channels(name, t, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def _update_running(rmean, rvar, stash, momentum, n):
    mean, var = stash[-1] if len(stash) > 3 else stash[0], stash[2]
    for r, v in ((rmean, mean), (rvar, var * (n / (n - 1) if n > 1 else math.inf))):
        d = r._data
        # 16-bit running statistics are updated in float32 and rounded once, as torch does
        old = _upcast(d)
        d[...] = (momentum * v.reshape(d.shape) + (1 - momentum) * old).astype(d.dtype, copy=False)
        bump(r)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Applies Batch Normalization over each channel (dimension 1) of a batch."""
    _need_tensor("batch_norm", input)
    if training:
        if input.shape[0] * math.prod(input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{_size_str(input.shape)}")
    if momentum is None or not isinstance(momentum, (int, float)):
        raise TypeError(f"batch_norm(): argument 'momentum' (position 7) must be float, not "
                        f"{type(momentum).__name__}")
    return _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps):
    c = input.shape[1] if input.dim() > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        _check_channels(name, t, c)
    if not training and (running_mean is None or running_var is None):
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode")
    stash = []
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = call(_BATCH_NORM, (input, weight, bias, bool(training), float(eps), rm, rv, stash), {})
    if training and running_mean is not None and input.numel():
        _update_running(running_mean, running_var, stash, momentum, input.numel() // c)
    return out


def torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                     cudnn_enabled):
    """torch.batch_norm: the ATen entry point behind F.batch_norm."""
    return _batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps)


# ---------------------------------------------------------------------------------------- instance norm

def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Applies Instance Normalization: each channel of each sample normalised on its own."""
    _need_tensor("instance_norm", input)
    if use_input_stats:
        if math.prod(input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{_size_str(input.shape)}")
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


def _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps):
    # One batch-norm "channel" per (sample, channel) pair, as torch computes it.
    n, c = input.shape[0], input.shape[1]
    folded = input.reshape(1, n * c, *input.shape[2:])
    rep = [None if t is None else t.repeat(n) for t in (weight, bias, running_mean, running_var)]
    out = _batch_norm_impl(folded, rep[0], rep[1], rep[2], rep[3], use_input_stats, momentum, eps)
    for run, r in ((running_mean, rep[2]), (running_var, rep[3])):
        if run is not None and use_input_stats:
            run._data[...] = r._data.reshape(n, c).mean(0).astype(run._data.dtype)
            bump(run)
    return out.view(input.shape)


def torch_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                        cudnn_enabled):
    """torch.instance_norm: the ATen entry point behind F.instance_norm."""
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


# ---------------------------------------------------------------------------------------- layer norm

def _exact_moments(x, k, eps):
    """torch's own layer-norm statistics over the last ``k`` dims (NUMTORCH_EXACT_SUM): mean, 1/std and
    the centred input, the statistics shaped to broadcast."""
    lead = x.shape[:x.ndim - k]
    mean, var = rowwise_moments(np.ascontiguousarray(x).reshape(math.prod(lead), -1))
    t = x.dtype.type
    shape = lead + (1,) * k
    mean = mean.reshape(shape)
    return mean, (t(1) / np.sqrt(np.maximum(var, 0) + t(eps))).reshape(shape), x - mean


def _layer_norm(xp, a, w, b, k, eps, stash):
    _reject("LayerNormKernelImpl", NP2DT[a.dtype], _FLOAT_ONLY)
    x = _upcast(a)
    axes = tuple(range(x.ndim - k, x.ndim))
    if _config.EXACT_SUM[0] and xp is np and x.dtype in (np.float32, np.float64) and x.size:
        # torch's statistics, and its fma((x - mean) * rstd, weight, bias)
        mean, invstd, xc = _exact_moments(x, k, eps)
        stash[:] = [mean, invstd]
        shape = x.shape[x.ndim - k:]
        if w is None and b is not None:
            y = fma(xc, invstd, b.reshape(shape).astype(x.dtype))
        elif b is not None:
            y = fma(xc * invstd, w.reshape(shape).astype(x.dtype), b.reshape(shape).astype(x.dtype))
        else:
            y = _affine(xp, xc * invstd, w, b, shape)
        return xp.ascontiguousarray(y.astype(a.dtype, copy=False))
    mean, _, invstd, xc = _moments(xp, x, axes, eps)
    stash[:] = [mean, invstd]
    y = _affine(xp, xc * invstd, w, b, x.shape[x.ndim - k:])
    # torch normalises a contiguous copy of the input: its output is contiguous whatever the input's layout
    return xp.ascontiguousarray(y.astype(a.dtype, copy=False))


def _layer_norm_backward(g, a, w, b, out, k, eps, stash):
    axes = list(range(a.dim() - k, a.dim()))
    mean, invstd = _stats_t(a, axes, eps, stash)
    xhat = (a - mean) * invstd
    gx = _xhat_grad(g if w is None else g * w, xhat, invstd, axes)
    gw, gb = _param_grads(g, xhat, w, b, list(range(a.dim() - k)), a.shape[a.dim() - k:])
    return gx, gw, gb


_LAYER_NORM = register("_layer_norm", _layer_norm, _layer_norm_backward, nin=3, promote=NONE, save=(0, 1),
                       node="NativeLayerNormBackward0", method=False, function=False)


def _shape_list(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_normalized(input, shape):
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                           "least one element, but got normalized_shape = []")
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={_shape_list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                           f"{_shape_list(input.shape)}")


def _norm_shape(name, normalized_shape):
    if not isinstance(normalized_shape, (tuple, list)) and not hasattr(normalized_shape, "__len__"):
        raise TypeError(f"{name}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Applies Layer Normalization over the last ``len(normalized_shape)`` dimensions."""
    _need_tensor("layer_norm", input)
    shape = _norm_shape("layer_norm", normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                               f"shape {_shape_list(t.shape)} and normalized_shape = {_shape_list(shape)}")
    _check_normalized(input, shape)
    return call(_LAYER_NORM, (input, weight, bias, len(shape), float(eps), []), {})


def torch_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """torch.layer_norm: the ATen entry point behind F.layer_norm."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


# ---------------------------------------------------------------------------------------- group norm

def _exact_group_norm(x, w, b, groups, eps, stash):
    """torch's own group norm (NUMTORCH_EXACT_SUM): its row-wise statistics per (sample, group), 1/std
    taken in double, then x * scale + (bias - scale * mean) with fused rounding (scale = invstd * weight),
    or (x - mean) * invstd without affine parameters."""
    n, c = x.shape[:2]
    mean, var = rowwise_moments(np.ascontiguousarray(x).reshape(n * groups, -1))
    invstd = (1 / np.sqrt(np.maximum(var, 0).astype(np.float64) + eps)).astype(x.dtype)
    mean, invstd = mean.reshape(n, groups, 1), invstd.reshape(n, groups, 1)
    stash[:] = [mean, invstd]
    xg = x.reshape(n, groups, c // groups, -1)
    m, r = mean[..., None], invstd[..., None]
    if w is None and b is None:
        return ((xg - m) * r).reshape(x.shape)
    shape = (1, groups, c // groups, 1)
    scale = r * (1 if w is None else w.reshape(shape).astype(x.dtype))
    shift = np.zeros(shape, x.dtype) if b is None else b.reshape(shape).astype(x.dtype)
    return fma(xg, scale, fma(-scale, m, shift)).reshape(x.shape)


def _group_norm(xp, a, w, b, groups, eps, stash):
    _reject("GroupNormKernelImpl", NP2DT[a.dtype], _FLOAT_ONLY)
    x = _upcast(a)
    if _config.EXACT_SUM[0] and xp is np and x.dtype in (np.float32, np.float64) and x.size:
        y = _exact_group_norm(x, w, b, groups, eps, stash)
        return in_format(xp, y.astype(a.dtype, copy=False), suggest_format(a.shape, a.strides))
    xg = x.reshape(x.shape[0], groups, x.size // max(x.shape[0] * groups, 1))
    mean, _, invstd, xc = _moments(xp, xg, (2,), eps)
    stash[:] = [mean, invstd]
    y = _affine(xp, (xc * invstd).reshape(x.shape), w, b, _bshape(x.ndim, x.shape[1]))
    # the layout the input's strides suggest
    return in_format(xp, y.astype(a.dtype, copy=False), suggest_format(a.shape, a.strides))


def _group_norm_backward(g, a, w, b, out, groups, eps, stash):
    grouped = (a.shape[0], groups, a.numel() // max(a.shape[0] * groups, 1))
    mean, invstd = _stats_t(a.reshape(grouped), [2], eps, stash)
    xhat = ((a.reshape(grouped) - mean) * invstd).reshape(a.shape)
    gxhat = g if w is None else g * w.reshape(_bshape(a.dim(), a.shape[1]))
    gx = _xhat_grad(gxhat.reshape(grouped), xhat.reshape(grouped), invstd, [2]).reshape(a.shape)
    gw, gb = _param_grads(g, xhat, w, b, list(_bn_axes(a.dim())), (-1,))
    fmt = suggest_format(a.shape, a._data.strides)
    return (gx if fmt is None else to_format(gx, fmt)), gw, gb


_GROUP_NORM = register("_group_norm", _group_norm, _group_norm_backward, nin=3, promote=NONE, save=(0, 1),
                       node="NativeGroupNormBackward0", method=False, function=False)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Applies Group Normalization: channels split in ``num_groups`` groups, each normalised per sample."""
    _need_tensor("group_norm", input)
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    sizes = [input.shape[0] * input.shape[1] // num_groups, num_groups, *input.shape[2:]]
    if sizes[0] * math.prod(sizes[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {sizes}")
    return _group_norm_impl(input, num_groups, weight, bias, eps)


def _group_norm_impl(input, num_groups, weight, bias, eps):
    c = input.shape[1]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {_shape_list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in "
                               f"input, but got {name} of shape {_shape_list(t.shape)} and input of shape "
                               f"{_shape_list(input.shape)}")
    return call(_GROUP_NORM, (input, weight, bias, int(num_groups), float(eps), []), {})


def torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """torch.group_norm: the ATen entry point behind F.group_norm."""
    return _group_norm_impl(input, num_groups, weight, bias, eps)


# ---------------------------------------------------------------------------------------- composed norms

def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Applies Root Mean Square Layer Normalization over the last ``len(normalized_shape)`` dimensions."""
    _need_tensor("rms_norm", input)
    shape = _norm_shape("rms_norm", normalized_shape)
    _check_normalized(input, shape)
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of "
                           f"shape {_shape_list(weight.shape)} and normalized_shape = {_shape_list(shape)}")
    if not input.dtype.is_floating_point or input.dtype._limited:
        raise kernel_error("rms_norm", input.dtype)
    x = input.float() if input.dtype in (_dtype.float16, _dtype.bfloat16) else input
    if eps is None:
        # the default is the epsilon of the type torch computes in: float32's for 16-bit inputs
        eps = _dtype.finfo(x.dtype).eps
    dims = list(range(input.dim() - len(shape), input.dim()))
    y = x * (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y.to(input.dtype)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Applies local response normalization across channels (dimension 1)."""
    _need_tensor("local_response_norm", input)
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got "
                         f"{input.dim()} dimensions)")
    if input.numel() == 0:
        return input
    # torch averages the squares with avg_pool2d (3-D input) or avg_pool3d: their types only
    from .pooling import avg_pool_types
    avg_pool_types(input.dtype, 2 if input.dim() == 3 else 3)
    sq = input * input
    zeros = FUNCTIONS["zeros"]
    before = zeros(input.shape[0], size // 2, *input.shape[2:], dtype=input.dtype)
    after = zeros(input.shape[0], (size - 1) // 2, *input.shape[2:], dtype=input.dtype)
    padded = FUNCTIONS["cat"]([before, sq, after], 1)
    # The channel window as a strided view; its mean counts the zero padding, as torch's avg_pool does.
    total = padded.unfold(1, size, 1).sum(-1)
    # an integer average pool divides with truncation (the squares are non-negative: a floor division)
    window = total // size if input.dtype is _dtype.int64 else total / size
    return input / (window * alpha + k).pow(beta)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Divides ``input`` by its ``p``-norm along ``dim`` (at least ``eps``)."""
    _need_tensor("normalize", input)
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        return FUNCTIONS["div"](input, denom, out=out)
    return input / denom


FUNCTIONS["batch_norm"] = torch_batch_norm
FUNCTIONS["instance_norm"] = torch_instance_norm
FUNCTIONS["layer_norm"] = torch_layer_norm
FUNCTIONS["group_norm"] = torch_group_norm
FUNCTIONS["rms_norm"] = rms_norm
