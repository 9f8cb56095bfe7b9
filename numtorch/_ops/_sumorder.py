"""torch's CPU summation order for float32/float64 sums, reproduced with vectorised NumPy.

torch (aten SumKernel) does not sum pairwise like NumPy. Per reduced row it keeps four levels of
accumulators: elements are added one by one into blocks of 2**p (p = max(4, ceil(log2 n) // 4)),
blocks carry into the next level in groups of 2**p, and the levels are added at the end. Contiguous
rows are read as 32-byte SIMD vectors split four ways for instruction-level
parallelism; columns of a contiguous outer reduction are summed four vectors at a time. Which of these
applies follows the TensorIterator layout: reduced dims innermost, then by stride, adjacent dims merged.
Every partial sum below is rounded where torch rounds, so results are bit-identical to torch's.
"""
import math

import numpy as np

from .._config import get_num_threads
from .layouts import sort_dims

# torch runs one reduction single-threaded below this many elements
_GRAIN = 32768


# torch registers its sum kernel without AVX-512 (it was slower), so vectors are 32 bytes everywhere
VECTOR_BYTES = 32


def _seq(x, axis=-1):
    """Left-to-right sum along ``axis`` (what one scalar accumulator gives), zero when empty."""
    if x.shape[axis] == 0:
        return np.zeros(np.delete(x.shape, axis % x.ndim), dtype=x.dtype)
    if x.shape[axis] == 1:
        return np.take(x, 0, axis=axis)
    return np.take(np.add.accumulate(x, axis=axis), -1, axis=axis)


def _lanes_seq(x):
    """Left-to-right sum over axis -2 of (..., L, W): W independent accumulators (SIMD lanes)."""
    n, w = x.shape[-2], x.shape[-1]
    if n == 0:
        return np.zeros(x.shape[:-2] + (w,), dtype=x.dtype)
    # NumPy reduces a non-innermost axis row after row (the sequential order), but in short inner loops:
    # for big inputs a few whole-array adds are faster
    if w > 1 and abs(x.strides[-1]) < abs(x.strides[-2]) and (n > 32 or x.size < 65536):
        return np.add.reduce(x, axis=-2)
    if n <= 32:
        out = x[..., 0, :] + x[..., 1, :] if n > 1 else x[..., 0, :].copy()
        for i in range(2, n):
            out += x[..., i, :]
        return out
    return _seq(x, -2)


def _cascade(x):
    """torch's multi-level sum over axis -2 of (..., n, W), one accumulator set per lane."""
    n, w = x.shape[-2], x.shape[-1]
    step = 1 << max(4, (n - 1).bit_length() // 4) if n > 1 else 16
    if n < step:  # only the first level is used (the others add zeros; the caller fixes the sign of 0)
        return _lanes_seq(x)
    lead = x.shape[:-2]
    full = n // step
    # level 0 keeps the elements after the last whole block, levels 1 and 2 their last incomplete group,
    # level 3 everything above; empty levels only add zeros, so they are skipped
    accs = [x[..., full * step:, :]] if full * step < n else []
    level = _lanes_seq(x[..., :full * step, :].reshape(lead + (full, step, w)))
    for depth in range(3):
        done = level.shape[-2] // step * step if depth < 2 else 0
        if done < level.shape[-2]:
            accs.append(level[..., done:, :])
        if not done:
            break
        level = _lanes_seq(level[..., :done, :].reshape(lead + (done // step, step, w)))
    out = None
    for part in accs:
        part = _lanes_seq(part)
        out = part if out is None else out + part
    return out


def _row_sum(x):
    """(..., n, W): per lane, four interleaved cascades, leftovers added to the first, then the four."""
    n, w = x.shape[-2], x.shape[-1]
    k = n // 4
    part = _cascade(x[..., :4 * k, :].reshape(x.shape[:-2] + (k, 4 * w)))
    part = part.reshape(part.shape[:-1] + (4, w))
    first = _lanes_seq(np.concatenate([part[..., :1, :], x[..., 4 * k:, :]], axis=-2))
    return ((first + part[..., 1, :]) + part[..., 2, :]) + part[..., 3, :]


def _inner_vector(x, lanes):
    """Contiguous rows: vectors of ``lanes`` summed as row_sum, then scalar leftovers, then the lanes."""
    n = x.shape[-1]
    vs = n // lanes
    acc = _row_sum(x[..., :vs * lanes].reshape(x.shape[:-1] + (vs, lanes)))
    return _seq(np.concatenate([x[..., vs * lanes:], acc], axis=-1))


def _grouped(x, group):
    """(..., n, columns): columns in whole groups are summed as plain cascades, the rest as row sums."""
    g = x.shape[-1] // group * group
    if g == x.shape[-1]:
        return _cascade(x)
    if g == 0:
        return _row_sum(x)
    return np.concatenate([_cascade(x[..., :g]), _row_sum(x[..., g:])], axis=-1)


def _order(shape, in_str, out_str):
    """TensorIterator's dim order (fastest first): reduced dims first, then ascending strides."""
    def swap(d0, d1):
        for k, s in enumerate((out_str, in_str)):
            s0, s1 = s[d0], s[d1]
            if k == 0 and (s0 == 0) != (s1 == 0):
                return 1 if s1 == 0 else -1
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if shape[d0] > shape[d1]:
                return 1
        return 0

    return sort_dims(len(shape), swap)


def _strides(v):
    return v.strides[-1], (v.strides[-2] if v.ndim > 1 else 0)


def _independent(v, item):
    """Whether each reduced row is summed on its own (not grouped with neighbouring columns)."""
    s0, s1 = _strides(v)
    return (s0 == item and v.shape[-1] >= VECTOR_BYTES // item) or not (s1 == item or 0 < s1 < s0)


def _loop_sum(v, item, strides=None):
    """Sum a (..., n1, n0) view laid out as torch's 2-D loop (n0 reduced) over its last axis."""
    s0, s1 = strides or _strides(v)
    if v.ndim == 1:
        return _loop_sum(v[None], item, (s0, 0))[0]
    n0, n1 = v.shape[-1], v.shape[-2]
    lanes = VECTOR_BYTES // item
    if s0 == item and n0 >= lanes:
        return _inner_vector(v, lanes)
    cols = np.swapaxes(v, -1, -2)
    if s1 == item and n1 >= lanes:
        return _grouped(cols, 4 * lanes)
    if 0 < s0 < s1 or s1 == 0:
        return _row_sum(cols)
    return _grouped(cols, 4)


def _two_pass(v, item, threads):
    """Full reduction split among threads into equal ranges of the iteration, then the partial sums added.

    A range starting or ending inside a row sums that piece of the row in a separate loop call.
    """
    n0 = v.shape[-1]
    n = v.size
    rows = v.reshape(-1, n0)
    s0 = v.strides[-1]
    if v.ndim > 1:
        if not _independent(v, item):
            return None
        full = _loop_sum(rows, item, (s0, s0 * n0 + 1))
    used = min(threads, -(-n // _GRAIN))
    chunk = -(-n // used)
    parts = []
    for b in range(0, n, chunk):
        e = min(n, b + chunk)
        r0, r1 = -(-b // n0), e // n0
        pieces = []
        if b % n0:
            pieces.append(_loop_sum(rows[b // n0, b % n0:min(n0, b % n0 + e - b)], item, (s0, 0))[None])
        if r1 > r0:
            pieces.append(full[r0:r1])
        if e % n0 and e // n0 >= r0:
            pieces.append(_loop_sum(rows[e // n0, :e % n0], item, (s0, 0))[None])
        parts.append(_seq(np.concatenate(pieces)) if v.ndim > 1 else _loop_sum(rows[0, b:e], item, (s0, 0)))
    parts += [v.dtype.type(0)] * (threads - len(parts))
    return _loop_sum(np.array(parts, dtype=v.dtype), item)


def torch_sum(a, axes, threads):
    """Sum float32/float64 ``a`` over ``axes`` (None: all) in torch's order; None when not modelled."""
    nd = a.ndim
    if axes is None and a.flags.c_contiguous and (a.size < _GRAIN or threads == 1) and a.size:
        # a contiguous full reduction is one row
        return np.asarray(_loop_sum(a.reshape(-1), a.itemsize) + a.dtype.type(0))
    red = set(range(nd)) if axes is None else {axes} if isinstance(axes, int) else set(axes)
    if a.size == 0 or nd == 0 or any(s < 0 for s in a.strides):
        return None
    item = a.itemsize
    dims = [d for d in range(nd) if a.shape[d] != 1]
    b = a[tuple(slice(None) if a.shape[d] != 1 else 0 for d in range(nd))]
    flags = [d in red for d in dims]
    if not any(flags):
        return None
    shape = b.shape
    in_str = [s // item for s in b.strides]
    out_str, acc = [0] * len(dims), 1
    for i in reversed(range(len(dims))):
        if not flags[i]:
            out_str[i], acc = acc, acc * shape[i]
    perm = _order(shape, in_str, out_str)
    groups = [[perm[0]]]
    for p in perm[1:]:
        q = groups[-1][-1]
        if flags[p] == flags[q] and in_str[p] == in_str[q] * shape[q] and out_str[p] == out_str[q] * shape[q]:
            groups[-1].append(p)
        else:
            groups.append([p])
    sizes = [math.prod(shape[p] for p in g) for g in groups]
    # the view in iteration order (outermost first), coalesced dims merged
    v = b.transpose(perm[::-1]).reshape(sizes[::-1])
    nred = sum(flags[g[0]] for g in groups)
    if a.size >= _GRAIN and threads > 1 and nred == len(groups):
        r = _two_pass(v, item, threads)
        return None if r is None else np.asarray(r + a.dtype.type(0))
    vals = _loop_sum(v, item)
    if nred > 1:  # each further reduced row is added into the output in iteration order
        vals = _seq(vals.reshape(vals.shape[:vals.ndim - nred + 1] + (-1,)))
    vals = vals + a.dtype.type(0)
    kept = [p for p in perm[::-1] if not flags[p]]
    vals = vals.reshape([shape[p] for p in kept])
    return vals.transpose(np.argsort(kept)).reshape([a.shape[d] for d in range(nd) if d not in red])


def ordered_sum(xp, a, axes, keepdim, dt):
    """Sum over ``axes`` in torch's order when that is modelled (NumPy float32/float64, same-dtype result)."""
    if xp is not np or dt.char not in "fd" or a.dtype.kind != "f" or a.size <= 4:
        return None
    if a.dtype != dt:  # torch converts the input to the requested dtype before reducing
        a = a.astype(dt)
    r = torch_sum(a, axes, get_num_threads())
    if r is None or not keepdim:
        return r
    return r.reshape([1 if axes is None or d in axes else s for d, s in enumerate(a.shape)])
