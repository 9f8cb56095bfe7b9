"""Grid sampling (bilinear, nearest, bicubic; zeros/border/reflection padding) and affine grids.

Sampling is separable: each spatial dimension yields a few taps (index, validity, weight, d weight/d
coordinate); their products address the input through one flat gather per tap combination, and the input
gradient is one bincount over all combinations.
"""
import itertools
import warnings

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from .._warn import warn
from ..autograd import grad_mode
from ._registry import FUNCTIONS, call, register
from .pointwise import kernel_error, public

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADS = {"zeros": 0, "border": 1, "reflection": 2}
_state = grad_mode.state


def _clip(xp, c, size):
    inside = (c > 0) & (c < size - 1)
    return xp.clip(c, 0, size - 1), inside


def _reflect(xp, c, twice_lo, twice_hi):
    """Fold c into [lo, hi] by mirroring; also the sign of dc_out/dc_in."""
    if twice_lo == twice_hi:
        return xp.zeros_like(c), xp.zeros_like(c)
    lo, span = twice_lo / 2, (twice_hi - twice_lo) / 2
    d = c - lo
    sign = xp.where(d < 0, -1.0, 1.0).astype(c.dtype)
    d = xp.abs(d)
    extra = xp.fmod(d, span)
    odd = xp.floor(d / span) % 2 == 1
    return xp.where(odd, span - extra + lo, extra + lo).astype(c.dtype), xp.where(odd, -sign, sign)


def _pad_coord(xp, c, size, padding, align):
    """torch's compute_coordinates: the padded source coordinate and its derivative."""
    if padding == 0:
        return c, None
    mult = None
    if padding == 2:
        c, mult = _reflect(xp, c, 0, 2 * (size - 1)) if align else _reflect(xp, c, -1, 2 * size - 1)
    c, inside = _clip(xp, c, size)
    return c, inside if mult is None else mult * inside


def _unnormalize(g, size, align):
    if align:
        return (g + 1) / 2 * (size - 1), (size - 1) / 2
    return ((g + 1) * size - 1) / 2, size / 2


def _dim_taps(xp, g, size, mode, padding, align):
    """Taps for one spatial dimension, [((index, valid), weight, dweight/dcoord)], and dcoord/dgrid."""
    ft = g.dtype
    c, mult = _unnormalize(g, size, align)
    if mode == 2:
        base = xp.floor(c)
        t = c - base
        ws, dws = _cubic_weights_t(t), _cubic_dweights_t(t)
        taps = []
        for k in range(4):
            # Bicubic pads each tap's integer position, not the coordinate.
            pos, _ = _pad_coord(xp, base + (k - 1), size, padding, align)
            taps.append((_index(xp, xp.trunc(pos), size), ws[k], dws[k]))
        return taps, mult
    c, dpad = _pad_coord(xp, c, size, padding, align)
    if dpad is not None:
        mult = dpad * mult
    if mode == 1:
        return [(_index(xp, xp.rint(c), size), None, None)], mult
    base = xp.floor(c)
    t = c - base
    one = ft.type(1)
    return [(_index(xp, base, size), one - t, -one), (_index(xp, base + 1, size), t, one)], mult


def _index(xp, pos, size):
    """Integer index clipped into range, and whether the position was inside the input."""
    valid = (pos >= 0) & (pos <= size - 1)
    return xp.where(valid, pos, 0).astype(np.int64), valid


def _all_taps(xp, grid, sizes, mode, padding, align):
    nd = len(sizes)
    per_dim, mults = [], []
    for d, size in enumerate(sizes):
        taps, mult = _dim_taps(xp, grid[..., nd - 1 - d], size, mode, padding, align)
        per_dim.append(taps)
        mults.append(mult)
    return per_dim, mults


def _combine(xp, combo, sizes, n_off):
    """Flat row into the (N * prod(sizes), C) input, whether the tap lies inside, and its weight."""
    flat, valid, weight = n_off, True, None
    stride = 1
    for d in reversed(range(len(sizes))):
        (idx, ok), w, _ = combo[d]
        flat = flat + idx * stride
        stride *= sizes[d]
        valid = valid & ok
        if w is not None:
            weight = w if weight is None else weight * w
    return flat, valid, weight


def _flat_input(xp, a):
    n, c = a.shape[:2]
    p = int(np.prod(a.shape[2:]))
    return xp.ascontiguousarray(a.reshape(n, c, p).transpose(0, 2, 1)).reshape(n * p, c)


def _grid_sampler_fwd(xp, a, grid, mode, padding, align):
    n, c, sizes = a.shape[0], a.shape[1], a.shape[2:]
    out_shape = grid.shape[1:-1]
    g = grid.reshape(n, int(np.prod(out_shape)), grid.shape[-1])
    per_dim, _ = _all_taps(xp, g, sizes, mode, padding, align)
    src = _flat_input(xp, a)
    n_off = (xp.arange(n) * int(np.prod(sizes)))[:, None]
    out = xp.zeros((n, g.shape[1], c), dtype=a.dtype)
    for combo in itertools.product(*per_dim):
        flat, valid, w = _combine(xp, combo, sizes, n_off)
        scale = valid if w is None else w * valid
        out += src[flat] * scale[..., None]
    return xp.ascontiguousarray(out.transpose(0, 2, 1)).reshape((n, c) + tuple(out_shape))


def _grid_sampler_backward(grad, a, grid, out, mode, padding, align):
    if _state.enabled and (grad.requires_grad or a.requires_grad or grid.requires_grad):
        return _grid_backward_graph(grad, a, grid, mode, padding, align)
    xp = grad._xp
    x, gr, gd = a._data, grid._data, grad._data
    n, c, sizes = x.shape[0], x.shape[1], x.shape[2:]
    nd = len(sizes)
    p_out = int(np.prod(gr.shape[1:-1]))
    g = gr.reshape(n, p_out, nd)
    per_dim, mults = _all_taps(xp, g, sizes, mode, padding, align)
    src = _flat_input(xp, x)
    gout = gd.reshape(n, c, p_out).transpose(0, 2, 1)
    n_off = (xp.arange(n) * int(np.prod(sizes)))[:, None]
    rows, vals = [], []
    ggrid = xp.zeros(g.shape, dtype=x.dtype)
    for combo in itertools.product(*per_dim):
        flat, valid, w = _combine(xp, combo, sizes, n_off)
        scale = valid if w is None else w * valid
        rows.append(flat)
        vals.append(gout * scale[..., None])
        if mode == 1:
            continue
        gv = (gout * src[flat]).sum(-1) * valid
        for d in range(nd):
            # d/dcoord_d of the product of weights: swap in that dimension's weight derivative.
            part = gv * combo[d][2]
            for e in range(nd):
                if e != d:
                    part = part * combo[e][1]
            ggrid[..., nd - 1 - d] += part
    if mode != 1:
        for d in range(nd):
            ggrid[..., nd - 1 - d] *= mults[d]
    gin = _scatter_rows(xp, rows, vals, n * int(np.prod(sizes)), c)
    gin = xp.ascontiguousarray(gin.reshape(n, int(np.prod(sizes)), c).transpose(0, 2, 1)).reshape(x.shape)
    return Tensor._wrap(gin.astype(x.dtype, copy=False)), Tensor._wrap(ggrid.reshape(gr.shape))


def _const(arr, like):
    return Tensor._wrap(np.asarray(arr)).to(like.dtype)


def _graph_weights(xp, g, sizes, mode, padding, align):
    """Per-dimension taps whose weights (and their coordinate derivatives) are tensors of the grid."""
    nd = len(sizes)
    arr = g._data
    per_dim, mults = _all_taps(xp, arr, sizes, mode, padding, align)
    out = []
    for d, size in enumerate(sizes):
        coord, _ = _unnormalize(g[..., nd - 1 - d], size, align)
        c_np, _ = _unnormalize(arr[..., nd - 1 - d], size, align)
        if mode == 2:
            t = coord - _const(np.floor(c_np), g)
            ws, dws = _cubic_weights_t(t), _cubic_dweights_t(t)
        elif mode == 1:
            ws = dws = [None]
        else:
            # The padded coordinate is piecewise linear in the raw one: slope (+-1 or 0) plus a constant.
            pc_np, slope = _pad_coord(xp, c_np, size, padding, align)
            slope = np.ones_like(c_np) if slope is None else slope
            pc = coord * _const(slope, g) + _const(pc_np - slope * c_np, g)
            t = pc - _const(np.floor(pc_np), g)
            ws, dws = [1 - t, t], [-1.0, 1.0]
        out.append([(idx, w, dw) for (idx, _, _), w, dw in zip(per_dim[d], ws, dws)])
    return out, mults


def _cubic_weights_t(t):
    # Keys' cubic convolution (a = -0.75) on the four taps around t; t may be an array or a tensor.
    a = -0.75

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_dweights_t(t):
    a = -0.75

    def dnear(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def dfar(x):
        return (3 * a * x - 10 * a) * x + 8 * a
    return [dfar(t + 1), dnear(t), -dnear(1 - t), -dfar(2 - t)]


def _grid_backward_graph(grad, a, grid, mode, padding, align):
    """The same gradients written in tensor ops, so that they can be differentiated again."""
    n, c, sizes = a.shape[0], a.shape[1], tuple(a.shape[2:])
    nd, p_in = len(sizes), int(np.prod(sizes))
    p_out = int(np.prod(grid.shape[1:-1]))
    g = grid.reshape(n, p_out, nd)
    per_dim, mults = _graph_weights(np, g, sizes, mode, padding, align)
    # Channels first, batch folded into the pixel axis: one shared index addresses every batch item.
    src = a.reshape(n, c, p_in).permute(1, 0, 2).reshape(c, n * p_in)
    gout = grad.reshape(n, c, p_out).permute(1, 0, 2).reshape(c, n * p_out)
    n_off = (np.arange(n) * p_in)[:, None]
    rows, vals, parts = [], [], [0] * nd
    for combo in itertools.product(*per_dim):
        flat, valid, w = _combine(np, [((i, ok), None, None) for (i, ok), _, _ in combo], sizes, n_off)
        mask = _const(valid.reshape(-1).astype(np.float64), grad)
        weight = mask
        for _, wd, _ in combo:
            if wd is not None:
                weight = weight * wd.reshape(-1)
        idx = Tensor._wrap(flat.reshape(-1).astype(np.int64))
        rows.append(idx)
        vals.append(gout * weight)
        if mode == 1:
            continue
        gv = (gout * src.index_select(1, idx)).sum(0) * mask
        for d in range(nd):
            part = gv * combo[d][2] if isinstance(combo[d][2], float) else gv * combo[d][2].reshape(-1)
            for e in range(nd):
                if e != d:
                    part = part * combo[e][1].reshape(-1)
            parts[d] = parts[d] + part
    zeros = FUNCTIONS["zeros"]((c, n * p_in), dtype=grad.dtype)
    gin = zeros.index_add(1, FUNCTIONS["cat"](rows), FUNCTIONS["cat"](vals, 1))
    gin = gin.reshape(c, n, p_in).permute(1, 0, 2).reshape(a.shape)
    if mode == 1:
        return gin, FUNCTIONS["zeros_like"](grid)
    cols = [parts[d] * _const(mults[d], grad).reshape(-1) for d in reversed(range(nd))]
    return gin, FUNCTIONS["stack"](cols, -1).reshape(grid.shape)


def _scatter_rows(xp, rows, vals, n_rows, c):
    # One bincount over (row, channel) pairs sums every tap's contribution at once.
    idx = (xp.stack(rows)[..., None] * c + xp.arange(c)).ravel()
    v = xp.stack(vals).ravel()
    return xp.bincount(idx, weights=v, minlength=n_rows * c).reshape(n_rows, c)


_GRID2D = register("grid_sampler_2d", _grid_sampler_fwd, _grid_sampler_backward, nin=2, save=(0, 1),
                   node="GridSampler2DBackward0", method=False, function=False)
_GRID3D = register("grid_sampler_3d", _grid_sampler_fwd, _grid_sampler_backward, nin=2, save=(0, 1),
                   node="GridSampler3DBackward0", method=False, function=False)


def _sizes(t):
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def _check_grid_sampler(input, grid, mode):
    # torch 2.13's order of checks; a grid of another dtype than the input's fails in its kernel
    if not isinstance(input, Tensor) or not isinstance(grid, Tensor):
        raise TypeError("grid_sampler(): argument 'input' and 'grid' must be Tensor")
    if input.device != grid.device:
        raise RuntimeError("grid_sampler(): expected input and grid to be on same device, but input is on "
                           f"{input.device} and grid is on {grid.device}")
    ins, gs = _sizes(input), _sizes(grid)
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input "
                           f"with sizes {ins} and grid with sizes {gs}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but "
                               f"input has sizes {ins} with dimension {i} being empty")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
                           f"but got grid with sizes {gs}")
    if input.dim() not in (4, 5) or input.dim() != grid.dim():
        raise RuntimeError(f"grid_sampler(): expected {input.dim()}D input and grid with same number of "
                           f"dimensions, but got input with sizes {ins} and grid with sizes {gs}")
    if mode == 2 and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    dt = NP2DT[input._data.dtype]
    if dt._cat != _dtype.FLOAT or dt._limited:
        name = "grid_sampler_2d_cpu_kernel_impl" if input.dim() == 4 else "grid_sampler3d_cpu"
        raise kernel_error(name, dt)
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dt._legacy} but found {grid.dtype._legacy}")


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """Samples input at the grid's locations (integer mode and padding codes, as torch.grid_sampler)."""
    _check_grid_sampler(input, grid, interpolation_mode)
    op = _GRID2D if input.dim() == 4 else _GRID3D
    return call(op, (input, grid, int(interpolation_mode), int(padding_mode), bool(align_corners)), {})


def _align_default(align_corners):
    if align_corners is None:
        warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                      "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                      "documentation of grid_sample for details.", stacklevel=3)
        return False
    return align_corners


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Computes the output by sampling input values at the pixel locations given by grid."""
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in _PADS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    align_corners = _align_default(align_corners)
    return grid_sampler(input, grid, _MODES[mode], _PADS[padding_mode], align_corners)


# ------------------------------------------------------------------------------------------- affine grid

def _base_grid(xp, sizes, align, dtype):
    """(prod(sizes), nd + 1) rows of [x, y, (z,) 1] over the normalised output positions."""
    axes = []
    for s in sizes:
        if s <= 1:
            ax = np.zeros(max(s, 0), dtype=dtype)
        else:
            ax = FUNCTIONS["linspace"](-1.0, 1.0, s, dtype=NP2DT[np.dtype(dtype)])._data
            if not align:
                ax = ax * (s - 1) / s
        axes.append(xp.asarray(ax, dtype=dtype))
    mesh = xp.meshgrid(*axes, indexing="ij")
    cols = [m.ravel() for m in reversed(mesh)] + [xp.ones(int(np.prod(sizes)), dtype=dtype)]
    return xp.stack(cols, axis=-1)


def _affine_grid_fwd(xp, theta, size, align):
    n, sizes = size[0], tuple(size[2:])
    base = _base_grid(xp, sizes, align, theta.dtype)
    out = xp.matmul(base[None], theta.transpose(0, 2, 1))
    # NumPy widens bfloat16 products to float32; torch rounds them back to theta's type
    return out.reshape((n,) + sizes + (len(sizes),)).astype(theta.dtype, copy=False)


def _affine_grid_backward(grad, theta, out, size, align):
    xp = grad._xp
    base = _base_grid(xp, tuple(size[2:]), align, grad._data.dtype)
    g = grad.reshape(size[0], -1, len(size) - 2)
    return (g.mT @ Tensor._wrap(base)),


_AFFINE = register("affine_grid_generator", _affine_grid_fwd, _affine_grid_backward, node=None,
                   method=False, function=False)


def affine_grid_generator(theta, size, align_corners):
    """Generates a sampling grid from a batch of affine matrices (torch.affine_grid_generator)."""
    return call(_AFFINE, (theta, tuple(int(s) for s in size), bool(align_corners)), {})


def affine_grid(theta, size, align_corners=None):
    """Generates a 2D or 3D flow field (sampling grid), given a batch of affine matrices theta."""
    align_corners = _align_default(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the "
                      "documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)


for _fn in (grid_sampler, affine_grid_generator):
    public(_fn, method=False)
