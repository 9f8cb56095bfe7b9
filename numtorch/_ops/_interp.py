"""torch's CPU float order for plain (not antialiased) linear/cubic interpolation, on NumPy arrays.

torch evaluates these kernels in the input's float type and its compiled loops contract some
multiply-adds into fused ones; the helpers here round exactly where torch rounds, so results are equal
to torch's bit for bit, not merely close. Shared by ``nn.functional.interpolate`` and vision transforms.
"""
import math

import numpy as np


def _round_odd_add(x, y):
    """x + y in float64 rounded to odd: exact when representable, else the neighbour with an odd last bit.

    Rounding to odd first and to nearest afterwards never double-rounds (Boldo and Melquiond).
    """
    s = x + y
    back = s - x
    err = (x - (s - back)) + (y - back)
    inexact = (err != 0) & ((s.view(np.int64) & 1) == 0)
    return np.where(inexact, np.nextafter(s, np.where(err > 0, np.inf, -np.inf)), s)


def _split(a):
    hi = a * 134217729.0 - (a * 134217729.0 - a)
    return hi, a - hi


def fma(a, b, c):
    """Fused multiply-add rounded once to a's float dtype, as torch's compiled kernels contract a * b + c."""
    ft = a.dtype
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    if ft != np.float64:  # the float64 product of two float32 values is exact
        return _round_odd_add(a * b, c).astype(ft)
    uh = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl
    th = c + uh
    back = th - c
    tl = (c - (th - back)) + (uh - back)
    with np.errstate(invalid="ignore"):
        out = th + _round_odd_add(tl, ul)
    return np.where(np.isfinite(out), out, uh + c)


def source_scale(in_size, out_size, align_corners, scale, ft):
    """Step from an output index to an input coordinate, as torch's area_pixel_compute_scale."""
    if align_corners:
        return ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(in_size) / ft(out_size)


def source_index(in_size, out_size, align_corners, scale, ft, cubic):
    """Real-valued input coordinate of every output index (clamped at 0 for linear modes)."""
    s = np.full(out_size, source_scale(in_size, out_size, align_corners, scale, ft), dtype=ft)
    dst = np.arange(out_size).astype(ft)
    if align_corners:
        return s * dst
    # (i + 0.5) * s - 0.5 is contracted into one fused multiply-add in torch's kernel
    real = fma(s, dst + ft(0.5), ft(-0.5))
    return real if cubic else np.maximum(real, ft(0))


def _guard(real, in_size):
    base = np.minimum(np.floor(real), real.dtype.type(in_size - 1))
    lam = np.clip(real - base, real.dtype.type(0), real.dtype.type(1))
    return base.astype(np.int64), lam


def linear_taps(in_size, out_size, align_corners, scale, ft):
    """[(index, weight)] for the two taps of linear interpolation along one axis."""
    if in_size == out_size:  # torch copies: both taps on the same pixel, so an inf becomes nan in place
        i0 = np.arange(out_size)
        return [(i0, np.ones(out_size, ft)), (i0, np.zeros(out_size, ft))]
    i0, l1 = _guard(source_index(in_size, out_size, align_corners, scale, ft, False), in_size)
    return [(i0, ft(1) - l1), (i0 + (i0 < in_size - 1), l1)]


def cubic_coeffs(t):
    """Plain bicubic weights (a = -0.75) for taps at distances 1+t, t, 1-t, 2-t.

    torch's compiled kernel fuses only some multiply-adds here (the last step of each polynomial is
    rounded twice); the pattern was matched against torch's weights bit for bit.
    """
    a = t.dtype.type(-0.75)
    one = t.dtype.type(1)

    def near(x):
        return fma(x, a + 2, -(a + 3)) * x * x + one

    def far(x):
        return fma(fma(x, a, -5 * a), x, 8 * a) * x - 4 * a

    return [far(t + one), near(t), near(one - t), far(one - t + one)]


def cubic_taps(in_size, out_size, align_corners, scale, ft):
    """[(index, weight)] for the four taps of bicubic interpolation along one axis."""
    base, t = _guard(source_index(in_size, out_size, align_corners, scale, ft, True), in_size)
    return [(np.clip(base + k, 0, in_size - 1), w) for k, w in zip((-1, 0, 1, 2), cubic_coeffs(t))]


def taps_pass(arr, axis, taps):
    """One separable pass: the first two products are summed as fma(x0, w0, x1 * w1), the rest fused."""
    moved = np.moveaxis(arr, axis, -1)
    (i0, w0), (i1, w1) = taps[:2]
    out = fma(moved[..., i0], w0, moved[..., i1] * w1)
    for idx, w in taps[2:]:
        out = fma(moved[..., idx], w, out)
    return np.moveaxis(out, -1, axis)


def separable(arr, tables):
    """torch's generic N-d kernel: nested per output point, equal to passes from the last axis inwards."""
    n = len(tables)
    for j in reversed(range(n)):
        arr = taps_pass(arr, arr.ndim - n + j, tables[j])
    return np.ascontiguousarray(arr)


def linear_channels_last(arr, tables):
    """torch's vectorised channels-last linear kernel (2-D and 3-D): one fused sum over all corners.

    Corner weights are products of per-axis weights taken from the outer axis inwards; the channels its
    scalar tail handles sum fma(x_first, w_first, x_second * w_second) followed by fused multiply-adds, in
    corner order (2-D: the channels in whole vectors nest the sum the other way, see below).
    """
    n = len(tables)
    corners = [((), ())]
    for j, taps in enumerate(tables):
        shape = [1] * n
        shape[j] = -1
        corners = [(ix + (idx.reshape(shape),), wt + (w.reshape(shape),))
                   for ix, wt in corners for idx, w in taps]

    def weight(ws):
        out = ws[0]
        for w in ws[1:]:
            out = out * w
        return out

    def at(ix):
        return arr[(Ellipsis,) + ix]

    (ix0, ws0), (ix1, ws1) = corners[:2]
    out = fma(at(ix0), weight(ws0), at(ix1) * weight(ws1))
    for ix, ws in corners[2:]:
        out = fma(at(ix), weight(ws), out)
    if n == 2 and arr.ndim > 2:
        # the channels filling whole 32-byte vectors take the vector body instead, whose sum nests the
        # other way: fma(x00, w00, fma(x01, w01, fma(x11, w11, x10 * w10)))
        c = arr.shape[-3]
        full = c - c % (32 // arr.itemsize)
        if full:
            body = arr[(Ellipsis, slice(0, full), slice(None), slice(None))]
            terms = [(body[(Ellipsis,) + ix], weight(ws)) for ix, ws in corners]
            vec = fma(*terms[3], terms[2][0] * terms[2][1])
            vec = fma(*terms[0], fma(*terms[1], vec))
            out[(Ellipsis, slice(0, full), slice(None), slice(None))] = vec
    return np.ascontiguousarray(out)


def ordered_backward(g, in_shape, tables):
    """The derivative of a separable interpolation with ``tables`` (per dim, [(index, weight)] over its
    outputs) as torch's linear kernels compute it: output by output in row-major order, every tap's weight
    product (outer dim first) times the gradient fused into the input element's running sum.

    Contributions to one input element are applied in that order; those of equal rank among their element's
    contributions never collide, so each rank is one vectorised gather and scatter.
    """
    n = len(tables)
    outs, size = g.shape[-n:], tuple(in_shape[-n:])
    lead = math.prod(g.shape[:-n])
    dest, weight = 0, None
    for j, taps in enumerate(tables):
        shape = [1] * (2 * n)
        shape[j], shape[n + j] = outs[j], len(taps)
        idx = np.stack([np.asarray(i) for i, _ in taps], 1).reshape(shape)
        w = np.stack([np.asarray(w, dtype=g.dtype) for _, w in taps], 1).reshape(shape)
        dest = dest * size[j] + idx
        weight = w if weight is None else weight * w
    full = np.broadcast_shapes(np.shape(dest), np.shape(weight))
    dest = np.broadcast_to(dest, full).reshape(-1)
    weight = np.broadcast_to(weight, full).reshape(-1)
    src = np.broadcast_to(np.arange(math.prod(outs)).reshape(tuple(outs) + (1,) * n), full).reshape(-1)
    order = np.argsort(dest, kind="stable")
    ranked = dest[order]
    starts = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1] if ranked.size else np.zeros(0, np.int64)
    rank = np.empty_like(order)
    rank[order] = np.arange(ranked.size) - np.repeat(starts, np.diff(np.r_[starts, ranked.size]))
    buf = np.zeros((lead, math.prod(size)), g.dtype)
    flat = g.reshape(lead, -1)
    for k in range(int(rank.max()) + 1 if rank.size and lead else 0):
        sel = rank == k
        d = dest[sel]
        buf[:, d] = fma(np.broadcast_to(weight[sel], (lead, d.size)), flat[:, src[sel]], buf[:, d])
    return buf.reshape(g.shape[:-n] + size)
