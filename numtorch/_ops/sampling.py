"""Resampling: padding (all modes), interpolation/upsampling, pixel and channel shuffles, grid sampling
and affine grids (each with its derivative in tensor ops)."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._config import get_num_threads
from .._dtype import NP2DT
from .._tensor import Tensor
from . import _interp, _interp_uint8
from ._registry import FUNCTIONS, call, register
from .layouts import empty_format, in_format, suggest_format
from .pointwise import _REDUCED_FLOATS, _reject, _upcast, kernel_error, public
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from .shape import to_format


def _f(name):
    return FUNCTIONS[name]


def _xp_of(a):
    if type(a) is np.ndarray:
        return np
    import cupy
    return cupy


def _wide(a):
    return a.astype(np.float32) if a.dtype == np.float16 else a


# ------------------------------------------------------------------------------------------ constant pad

def _crop_or_pad(pad, ndim):
    """Per-dim (left, right) pairs for the last dims, from torch's last-dim-first flat ``pad``."""
    pairs = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2)]
    return list(reversed(pairs))


def _constant_pad_fwd(xp, a, pad, value):
    pairs = _crop_or_pad(pad, a.ndim)
    n = len(pairs)
    lead = a.shape[:a.ndim - n]
    shape = lead + tuple(L + lo + hi for L, (lo, hi) in zip(a.shape[-n:] if n else (), pairs))
    for i, s in enumerate(shape[len(lead):]):
        if s < 0:
            raise RuntimeError(f"The input size {a.shape[len(lead) + i]}, plus negative padding "
                               f"{pairs[i][0]} and {pairs[i][1]} resulted in a negative output size, "
                               "which is invalid. "
                               f"Check dimension {len(lead) + i} of your input.")
    # torch's output takes the layout the input's strides suggest
    fmt = suggest_format(a.shape, a.strides)
    if fmt is None:
        out = xp.full(shape, value, dtype=a.dtype)
    else:
        out = empty_format(xp, shape, a.dtype, fmt)
        out[...] = value
    src = tuple(slice(max(-lo, 0), L - max(-hi, 0)) for L, (lo, hi) in zip(a.shape[-n:], pairs))
    dst = tuple(slice(max(lo, 0), max(lo, 0) + max(0, L - max(-lo, 0) - max(-hi, 0)))
                for L, (lo, hi) in zip(a.shape[-n:], pairs))
    out[(Ellipsis,) + dst] = a[(Ellipsis,) + src]
    return out


def _constant_pad_backward(grad, a, out, pad, value):
    return call(_CONSTANT_PAD, (grad, tuple(-p for p in pad), 0), {})


_CONSTANT_PAD = register("constant_pad_nd", _constant_pad_fwd, _constant_pad_backward,
                         node="ConstantPadNdBackward0", method=False, function=False)


def constant_pad_nd(input, pad, value=0):
    """Pads the input tensor boundaries with a constant value."""
    if len(pad) % 2:
        raise RuntimeError("Length of pad must be even but instead it equals " + str(len(pad)))
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Length of pad should be no more than twice the number of dimensions of the "
                           f"input. Pad length is {len(pad)} while the input has {input.dim()} dimensions.")
    return call(_CONSTANT_PAD, (input, tuple(int(p) for p in pad), value), {})


public(constant_pad_nd, method=False)


# --------------------------------------------------------------------------- reflect / replicate / circular

def _pad_index(L, lo, hi, mode):
    i = np.arange(-lo, L + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= L, 2 * (L - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, L - 1)
    return i % L


def _circular_index(L, lo, hi):
    # Negative amounts crop first; positive ones then wrap around what is left.
    kept = np.arange(max(-lo, 0), L - max(-hi, 0))
    return kept[np.arange(-max(lo, 0), len(kept) + max(hi, 0)) % max(len(kept), 1)]


def _gather_fwd(xp, a, tables):
    # one take of the padded dims flattened: it writes a fresh array in order, faster than a fancy index
    # over them (whose result's scrambled layout later passes also read slowly); a channels-last input is
    # taken as (N, *S, C)
    last = suggest_format(a.shape, a.strides) is not None
    w = a.transpose((0,) + tuple(range(2, a.ndim)) + (1,)) if last else a
    end = w.ndim - last
    start = end - len(tables)
    lead, sizes, tail = w.shape[:start], w.shape[start:end], w.shape[end:]
    flat = np.ravel_multi_index(np.ix_(*tables), sizes).ravel()
    out = xp.take(w.reshape(lead + (math.prod(sizes),) + tail), xp.asarray(flat), axis=len(lead))
    out = out.reshape(lead + tuple(len(t) for t in tables) + tail)
    return out.transpose((0, a.ndim - 1) + tuple(range(1, a.ndim - 1))) if last else out


def _gather_backward(grad, a, out, tables):
    nd = len(a.shape)
    n = len(tables)
    g = grad
    for j in reversed(range(n)):
        axis = nd - n + j
        shape = list(g.shape)
        shape[axis] = a.shape[axis]
        idx = Tensor._wrap(np.asarray(tables[j], dtype=np.int64))
        g = _f("zeros")(shape, dtype=g.dtype, device=g.device).index_add(axis, idx, g)
    # the input gradient takes the input's suggested layout, as torch's
    return to_format(g, suggest_format(a.shape, a._data.strides))


_PAD_OPS = {(mode, n): register(f"_{mode}_pad{n}d", _gather_fwd, _gather_backward,
                                node=f"{name}Pad{n}DBackward0", save=(0,), method=False, function=False,
                                tied=True)
            for mode, name in (("reflect", "Reflection"), ("replicate", "Replication")) for n in (1, 2, 3)}


def _unsupported_pad(x, pad):
    return NotImplementedError(
        f"Padding size {len(pad)} is not supported for {x.dim()}D input tensor.\n"
        "Supported combinations for non-constant padding:\n"
        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _mode_pad(x, pad, mode):
    n = len(pad) // 2
    if len(pad) % 2 or n not in (1, 2, 3) or x.dim() not in (n + 1, n + 2):
        raise _unsupported_pad(x, pad)
    shape = tuple(x.shape)
    check = shape[1:] if len(shape) == n + 2 else shape
    if 0 in check:
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: {list(shape)}")
    pairs = _crop_or_pad(pad, x.dim())
    kernel = {"reflect": "reflection_pad", "replicate": "replication_pad", "circular": "circular_pad"}[mode]
    dt = NP2DT[x._data.dtype]
    if mode != "circular":
        _reject(f"{kernel}{n}d", dt, (_dtype.BOOL,))
    # the last dimension is checked first (torch's argument #4, then #6, #8)
    for j, ((lo, hi), L) in reversed(list(enumerate(zip(pairs, shape[-n:])))):
        dim = len(shape) - n + j
        if mode == "reflect" and (lo >= L or hi >= L):
            raise RuntimeError(f"Argument #{4 + 2 * (n - 1 - j)}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"{dim} of input {list(shape)}")
        if mode == "circular" and (lo > L or hi > L):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if L + lo + hi < 1 and mode != "circular":
            raise RuntimeError(f"input ({'x'.join(map(str, shape[-n:]))}) is too small. Calculated output "
                               f"is too small")
    if mode == "circular":
        return _circular(x, tuple(_circular_index(L, lo, hi) for (lo, hi), L in zip(pairs, shape[-n:])))
    tables = tuple(_pad_index(L, lo, hi, mode) for (lo, hi), L in zip(pairs, shape[-n:]))
    return call(_PAD_OPS[(mode, n)], (x, tables), {})


def _circular(x, tables):
    # torch builds circular padding from slice copies into a new tensor (its graph ends in CopySlices).
    g = x
    nd = x.dim()
    for j, t in enumerate(tables):
        g = g.index_select(nd - len(tables) + j, Tensor._wrap(np.asarray(t, dtype=np.int64)))
    out = _f("empty")(tuple(g.shape), dtype=x.dtype, device=x.device)
    if g.shape[-1] < 2:
        out[...] = g
        return out
    out[..., :1] = g[..., :1]
    out[..., 1:] = g[..., 1:]
    return out


def pad(input, pad, mode="constant", value=None):
    """Pads tensor; ``pad`` lists (left, right) amounts starting from the last dimension."""
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    pad = tuple(int(p) for p in pad)
    if mode == "constant":
        if len(pad) % 2:
            raise RuntimeError("Padding length must be divisible by 2")
        if len(pad) // 2 > input.dim():
            raise RuntimeError("Padding length should be less than or equal to two times the input "
                               f"dimension but got padding length {len(pad)} and input of dimension "
                               f"{input.dim()}")
        return call(_CONSTANT_PAD, (input, pad, 0 if value is None else value), {})
    return _mode_pad(input, pad, mode)


# ------------------------------------------------------------------------------------------ interpolation

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _nearest_table(L, o, scale, exact):
    if o == L and not exact:
        return [(np.arange(o), None)]
    if o == 2 * L and not exact:
        return [(np.arange(o) >> 1, None)]
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(L) / np.float32(o)
    dst = np.arange(o, dtype=np.float32)
    src = np.floor((dst + np.float32(0.5)) * s if exact else dst * s)
    return [(np.minimum(src.astype(np.int64), L - 1), None)]


def _interp_fwd(xp, a, tables):
    w = _wide(a)
    n = len(tables)
    for j in range(n):
        axis = a.ndim - n + j
        acc = None
        for idx, wt in tables[j]:
            term = xp.take(w, xp.asarray(idx), axis=axis)
            if wt is not None:
                shape = [1] * (n - j)
                shape[0] = len(wt)
                term = term * xp.asarray(wt).reshape(shape)
            acc = term if acc is None else acc + term
        w = acc
    return w.astype(a.dtype, copy=False)


def _linear_fwd(xp, a, tables, small):
    if xp is not np or a.dtype.kind not in "fV":
        return _interp_fwd(xp, a, tables)
    kernel = _interp.linear_channels_last if small else _interp.separable
    if a.dtype in _REDUCED_FLOATS:
        # 16-bit inputs are interpolated in float32 and rounded once, as torch's kernels compute them
        return kernel(_upcast(a), tables).astype(a.dtype)
    return kernel(a, tables)


def _ordered_bwd_fwd(xp, g, shape, tables, small):
    # float32 sums for 16-bit gradients, rounded once, as torch accumulates them
    return _interp.ordered_backward(_upcast(g), shape, tables).astype(g.dtype, copy=False)


def _cubic_backward(grad, a, out, tables, small):
    return _interp_backward(grad, a, out, tables)


def _linear_backward_op(kind, n):
    """torch's derivative of a linear-family interpolation, in its order of fused additions, as an op of its
    own (its derivative is the interpolation again)."""
    node = f"Upsample{kind[0].upper() + kind[1:]}{n}DBackwardBackward0"
    op = register(f"_upsample_{kind}{n}d_backward", _ordered_bwd_fwd,
                  lambda gg, g, out, shape, tables, small: call(_INTERP[(kind, n)], (gg, tables, small), {}),
                  method=False, function=False, node=node)

    def backward(grad, a, out, tables, small):
        d = grad._data
        if type(d) is not np.ndarray or d.dtype.kind != "f" and d.dtype not in _REDUCED_FLOATS:
            return _interp_backward(grad, a, out, tables)
        return call(op, (grad, tuple(a.shape), tables, small), {})
    return backward


def _interp_backward(grad, a, out, tables):
    nd = len(a.shape)
    n = len(tables)
    g = grad
    for j in reversed(range(n)):
        axis = nd - n + j
        shape = list(g.shape)
        shape[axis] = a.shape[axis]
        acc = _f("zeros")(shape, dtype=g.dtype, device=g.device)
        for idx, wt in tables[j]:
            src = g
            if wt is not None:
                wshape = [1] * (n - j)
                wshape[0] = len(wt)
                src = g * Tensor._wrap(np.asarray(wt).reshape(wshape)).to(g.dtype)
            acc = acc.index_add(axis, Tensor._wrap(np.asarray(idx, dtype=np.int64)), src)
        g = acc
    return g


def _in_layout(fwd):
    """``fwd`` with torch's output layout: the memory format the input's strides suggest."""
    def run(xp, a, *args):
        return in_format(xp, fwd(xp, a, *args), suggest_format(a.shape, a.strides))
    return run


def _grad_layout(bwd, follows):
    """``bwd`` with torch's input-gradient layout: the format the output gradient's strides suggest for
    the kernels that ``follow`` it, contiguous for the others (bicubic, 3-D nearest)."""
    def run(grad, *args):
        fmt = suggest_format(grad.shape, grad._data.strides) if follows else None
        return to_format(bwd(grad, *args), fmt)
    return run


def _interp_op(kind, n, aa=""):
    nearest = kind.startswith("nearest") or aa
    fwd, bwd = (_interp_fwd, _interp_backward) if nearest else (_linear_fwd, _cubic_backward)
    if kind in ("linear", "bilinear", "trilinear") and not aa:
        bwd = _linear_backward_op(kind, n)
    follows = kind in ("linear", "bilinear", "trilinear") or (nearest and n < 3 and kind != "bicubic")
    node = f"Upsample{kind[0].upper() + kind[1:]}{n}D{aa.capitalize()}Backward0"
    return register(f"_upsample_{kind}{n}d{'_' + aa if aa else ''}", _in_layout(fwd), _grad_layout(bwd, follows),
                    method=False, function=False, node=node)


_INTERP = {(k, n): _interp_op(k, n) for k in ("nearest", "nearestExact") for n in (1, 2, 3)}
_INTERP.update({("linear", 1): _interp_op("linear", 1), ("bilinear", 2): _interp_op("bilinear", 2),
                ("trilinear", 3): _interp_op("trilinear", 3), ("bicubic", 2): _interp_op("bicubic", 2)})
for _kind in ("bilinear", "bicubic"):
    _INTERP[(_kind + "Aa", 2)] = _interp_op(_kind, 2, "aa")


def _aa_filter(x, cubic):
    """PIL's resampling kernels on |x|: the triangle, or Keys' cubic with a = -0.5."""
    if not cubic:
        return np.where(x < 1, 1 - x, 0)
    a = x.dtype.type(-0.5)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0))


def _aa_table(L, o, align_corners, scale, ft, cubic):
    """torch's antialiased taps: the kernel widened by the downscale factor, renormalised per output."""
    if L == o:
        return [(np.arange(o), None)]
    s = _interp.source_scale(L, o, align_corners, scale, ft)
    half = ft(2.0 if cubic else 1.0)
    support = half * s if s >= 1 else half
    width = int(math.ceil(support)) * 2 + 1
    center = s * (np.arange(o, dtype=ft) + ft(0.5))
    lo = np.maximum((center - support + ft(0.5)).astype(np.int64), 0)
    size = np.clip(np.minimum((center + support + ft(0.5)).astype(np.int64), L) - lo, 0, width)
    k = np.arange(width)
    x = ((k[None, :] + lo[:, None]).astype(ft) - center[:, None] + ft(0.5)) * (ft(1) / s if s >= 1 else ft(1))
    w = (_aa_filter(np.abs(x), cubic) * (k[None, :] < size[:, None])).astype(ft)
    total = w.sum(1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w).astype(ft)
    idx = np.minimum(lo[:, None] + k[None, :], L - 1)
    return [(idx[:, j], w[:, j]) for j in range(width)]


def _size_error(in_size, out_size):
    axes = "DHW"[-len(in_size):]
    ins = ", ".join(f"{a}: {v}" for a, v in zip(axes, in_size))
    outs = ", ".join(f"{a}: {v}" for a, v in zip(axes, out_size))
    return RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) output "
                        f"({outs})")


def _output_size(x, n, size, scale_factor, recompute_scale_factor):
    spatial = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        if isinstance(size, (list, tuple)):
            if len(size) != n:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. "
                                 "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                                 "size in "
                                 "(o1, o2, ...,oK) format.")
            return [int(v) for v in size], None
        return [int(size)] * n, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != n:
            raise ValueError("Input and scale_factor must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {spatial} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                             "format and scale_factor in (s1, s2, ...,sK) format.")
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * n
    out = [math.floor(L * s) for L, s in zip(spatial, scales)]
    return out, (None if recompute_scale_factor else scales)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Down/up samples the input to the given size or by the given scale_factor."""
    n = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         "requires a 4-D tensor as input")
    if mode not in _MODES or n not in (1, 2, 3):
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic "
                                  "| trilinear | "
                                  f"lanczos | area | nearest-exact (got {mode})")
    want = _LINEAR_DIMS.get(mode)
    if want is not None and want != n:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {want + 2}D input")
    out, scales = _output_size(input, n, size, scale_factor, recompute_scale_factor)
    spatial = tuple(input.shape[2:])
    if min(out) <= 0 or min(spatial) <= 0:
        raise _size_error(spatial, out)
    if input.shape[1] == 0:
        raise RuntimeError(f"Non-empty {n + 2}D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[n - 1](input, out)
    kind = {"nearest-exact": "nearestExact"}.get(mode, mode)
    dt = NP2DT[input._data.dtype]
    nearest = mode in ("nearest", "nearest-exact") and not antialias
    if dt is _dtype.uint8 and mode in ("bilinear", "bicubic"):
        # torch resizes uint8 images with fixed-point integer kernels of their own, not in floats; the few
        # inputs it reads wrong pixels of raise this not-implemented error instead
        return _interp_uint8.interpolate(input, out, mode, align_corners, scales or [None] * n, antialias,
                                         kernel_error(_kernel_name(mode, n), dt))
    if (dt._cat != _dtype.FLOAT or dt._limited) and not (nearest and dt is _dtype.uint8):
        # torch's nearest kernels take uint8 images too (they only pick pixels)
        raise kernel_error(_kernel_name(mode, n), dt)
    scales = scales or [None] * n
    ft = np.float64 if input._data.dtype == np.float64 else np.float32
    if antialias:
        tables = tuple(_aa_table(L, o, bool(align_corners), sc, ft, mode == "bicubic")
                       for L, o, sc in zip(spatial, out, scales))
        return call(_INTERP[(kind + "Aa", n)], (input, tables), {})
    if mode in ("nearest", "nearest-exact"):
        tables = tuple(_nearest_table(L, o, s, mode != "nearest") for L, o, s in zip(spatial, out, scales))
        return call(_INTERP[(kind, n)], (input, tables), {})
    make = _interp.cubic_taps if mode == "bicubic" else _interp.linear_taps
    tables = tuple(make(L, o, bool(align_corners), s, ft) for L, o, s in zip(spatial, out, scales))
    return call(_INTERP[(kind, n)], (input, tables, _vectorised_bilinear(input, mode, out)), {})


def _kernel_name(mode, n):
    """The torch kernel whose dtype dispatch rejects a type, by mode and dimensions."""
    if mode == "bilinear" or (mode in ("nearest", "nearest-exact") and n == 2):
        return f"upsample_{'nearest' if mode != 'bilinear' else mode}2d_channels_last"
    if mode == "bicubic":
        return "compute_indices_weights_cubic"
    return "compute_indices_weights_" + ("linear" if mode in ("linear", "trilinear") else "nearest")


def _vectorised_bilinear(x, mode, out):
    """Whether torch takes its channels-last bilinear kernel, whose corner sum rounds differently.

    torch picks it for small outputs, channels-last inputs with more than 3 channels, and 3 channels
    when single-threaded; trilinear and bicubic always use the generic (separable-order) kernel.
    """
    if mode != "bilinear":
        return False
    from .. import channels_last
    c = x.shape[1]
    return (sum(out) <= 128 or (c == 3 and get_num_threads() == 1)
            or (c > 3 and x.is_contiguous(memory_format=channels_last)))


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Upsamples the input (deprecated alias of interpolate)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Upsamples the input using nearest neighbours' pixel values."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Upsamples the input using bilinear upsampling (with align_corners=True)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------------------------------------ shuffles

def _pixel_shuffle_fwd(xp, a, r):
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    oc = c // (r * r)
    v = a.reshape(lead + (oc, r, r, h, w))
    k = len(lead)
    v = v.transpose(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return in_format(xp, xp.ascontiguousarray(v).reshape(lead + (oc, h * r, w * r)), suggest_format(a.shape, a.strides))


def _pixel_unshuffle_fwd(xp, a, r):
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    v = a.reshape(lead + (c, h // r, r, w // r, r))
    k = len(lead)
    v = v.transpose(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    out = xp.ascontiguousarray(v).reshape(lead + (c * r * r, h // r, w // r))
    return in_format(xp, out, suggest_format(a.shape, a.strides))


_PIXEL_SHUFFLE = register("_pixel_shuffle", _pixel_shuffle_fwd,
                          lambda g, a, out, r: call(_PIXEL_UNSHUFFLE, (g, r), {}),
                          node="PixelShuffleBackward0", method=False, function=False)
_PIXEL_UNSHUFFLE = register("_pixel_unshuffle", _pixel_unshuffle_fwd,
                            lambda g, a, out, r: call(_PIXEL_SHUFFLE, (g, r), {}),
                            node="PixelUnshuffleBackward0", method=False, function=False)


def _need3(name, x):
    if x.dim() < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with "
                           f"{x.dim()} dimension(s)")


def pixel_shuffle(input, upscale_factor):
    """Rearranges elements in a tensor of shape (*, C*r^2, H, W) to a tensor of shape (*, C, H*r, W*r)."""
    _need3("pixel_shuffle", input)
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return call(_PIXEL_SHUFFLE, (input, r), {})


def pixel_unshuffle(input, downscale_factor):
    """Reverses pixel_shuffle: (*, C, H*r, W*r) to (*, C*r^2, H, W)."""
    _need3("pixel_unshuffle", input)
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    return call(_PIXEL_UNSHUFFLE, (input, r), {})


def _channel_shuffle_fwd(xp, a, groups):
    n, c = a.shape[:2]
    v = a.reshape((n, groups, c // groups) + a.shape[2:]).swapaxes(1, 2)
    return in_format(xp, xp.ascontiguousarray(v).reshape(a.shape), suggest_format(a.shape, a.strides))


def _channel_shuffle_backward(grad, a, out, groups):
    return call(_CHANNEL_SHUFFLE, (grad, a.shape[1] // groups), {})


_CHANNEL_SHUFFLE = register("_channel_shuffle", _channel_shuffle_fwd, _channel_shuffle_backward,
                            node="ChannelShuffleBackward0", method=False, function=False)


def channel_shuffle(input, groups):
    """Divides the channels into groups and rearranges them, keeping the original tensor shape."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    if input.shape[1] % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {input.shape[1]} "
                           f"channels and {g} groups.")
    return call(_CHANNEL_SHUFFLE, (input, g), {})


for _fn in (pixel_shuffle, pixel_unshuffle, channel_shuffle):
    public(_fn, method=False)
