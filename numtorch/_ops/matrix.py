"""Matrix ops: scaled products (addmm & co.), outer/cross, diagonals, tensordot, kron, cdist, meshgrid
and assembling (block_diag, cartesian_prod, combinations, diff, vander), each with its derivative.

einsum, counting (bincount, histc), decompositions and solvers live in their own modules."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ..autograd import grad_mode
from . import float8, limited
from ._registry import DEFAULT, FUNCTIONS, OPS, call, register
from .linalg import gemm_reject
from .pointwise import _need_tensor, _reject, public
from .shape import unimplemented_derivative


def _f(name):
    return FUNCTIONS[name]


def _dim(d, ndim):
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if d < lo or d > hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
    return d % ndim if ndim else 0


def _legacy(a):
    return NP2DT[a.dtype]._legacy


def _eye_like(t, n):
    return _f("eye")(n, dtype=t.dtype, device=t.device)


# ---------------------------------------------------------------------------------------- scaled products

def _int_scalars(dt, beta, alpha):
    # The BLAS-backed integer kernels truncate float scalars silently, as torch's do.
    if dt._cat <= _dtype.INT:
        return int(beta), int(alpha)
    return beta, alpha


def _same_dtype(a, b, c, what):
    if not (a.dtype == b.dtype == c.dtype):
        bad = b if b.dtype != a.dtype else c
        raise RuntimeError(f"{what} must have the same dtype, but got {_legacy(a)} and {_legacy(bad)}")


def _scaled(xp, inp, prod, beta, alpha):
    # NumPy widens bfloat16 products to float32: the result keeps the operands' dtype, as in torch
    dt = inp.dtype
    if float8.is_float8(dt):
        # torch sums in float and rounds once
        return float8.convert(_scaled(xp, float8.wide(inp), prod, beta, alpha), dt)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        # beta=0 ignores the input (NaN and inf included), as in torch.
        return (xp.broadcast_to(xp.zeros((), prod.dtype), prod.shape) + prod).astype(dt, copy=False)
    base = inp if beta == 1 else inp * beta
    try:
        return (base + prod).astype(dt, copy=False)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({prod.shape[-1]}) must match the existing size "
                           f"({inp.shape[-1]}) at non-singleton dimension {inp.ndim - 1}.  Target sizes: "
                           f"{list(prod.shape)}.  Tensor sizes: {list(inp.shape)}") from None


def _shape_str(s):
    return "x".join(map(str, s))


def _addmm(xp, inp, a, b, beta=1, alpha=1):
    if a.ndim != 2 or b.ndim != 2:
        which, nd = ("mat1", a.ndim) if a.ndim != 2 else ("mat2", b.ndim)
        raise RuntimeError(f"{which} must be a matrix, got {nd}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    _same_dtype(inp, a, b, "self and mat2")
    gemm_reject("addmm_impl_cpu_", a, b)
    beta, alpha = _int_scalars(NP2DT[a.dtype], beta, alpha)
    return _scaled(xp, inp, _matmul(xp, a, b), beta, alpha)


def _matmul(xp, a, b):
    # float8 operands: their exact products summed in float64, for _scaled to round once
    if float8.is_float8(a.dtype):
        return xp.matmul(float8.wide(a), float8.wide(b))
    return xp.matmul(a, b)


def _addmm_backward(g, inp, a, b, out, beta=1, alpha=1):
    return g * beta, (g * alpha).mm(b.mH), a.mH.mm(g * alpha)


def _addmv(xp, inp, a, v, beta=1, alpha=1):
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {inp.ndim}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({inp.shape[0] if inp.ndim else 1}), mat "
                           f"({_shape_str(a.shape)}), vec ({v.shape[0]})")
    _same_dtype(inp, a, v, "addmv input tensors")
    _reject("addmv_impl_cpu", NP2DT[a.dtype], (_dtype.BOOL,))
    beta, alpha = _int_scalars(NP2DT[a.dtype], beta, alpha)
    return _scaled(xp, inp, xp.matmul(a, v), beta, alpha)


def _addmv_backward(g, inp, a, v, out, beta=1, alpha=1):
    ga = g * alpha
    return g * beta, ga.unsqueeze(-1) * v.conj(), a.mH.mv(ga)


def _addr(xp, inp, u, v, beta=1, alpha=1):
    if u.ndim != 1 or v.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec{1 if u.ndim != 1 else 2}, but got "
                           f"{u.ndim if u.ndim != 1 else v.ndim}-D")
    if NP2DT[u.dtype]._cat <= _dtype.INT:
        for what, value in (("beta", beta), ("alpha", alpha)):
            if isinstance(value, float):
                raise RuntimeError(f"For integral input tensors, argument {what} must not be a "
                                   "floating point "
                                   "number.")
    limited.check("addr_cpu", NP2DT[u.dtype])
    prod = u[:, None] * v[None, :]
    if prod.dtype == np.bool_:
        keep = xp.zeros((), bool) if beta == 0 else inp.astype(bool)
        return keep | (prod & bool(alpha))
    return _scaled(xp, inp, prod, beta, alpha)


def _addr_backward(g, inp, u, v, out, beta=1, alpha=1):
    ga = g * alpha
    return g * beta, ga.mv(v.conj()), ga.mT.mv(u.conj())


def _check_batches(name, b1, b2):
    if b1.ndim != 3 or b2.ndim != 3:
        raise RuntimeError(f"batch{1 if b1.ndim != 3 else 2} must be a 3D tensor")
    if b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, "
                           f"{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")


def _baddbmm(xp, inp, b1, b2, beta=1, alpha=1):
    _check_batches("baddbmm", b1, b2)
    _same_dtype(inp, b1, b2, "self and batch2")
    _reject("baddbmm", NP2DT[b1.dtype], (_dtype.BOOL,))
    beta, alpha = _int_scalars(NP2DT[b1.dtype], beta, alpha)
    return _scaled(xp, inp, xp.matmul(b1, b2), beta, alpha)


def _baddbmm_backward(g, inp, b1, b2, out, beta=1, alpha=1):
    ga = g * alpha
    return g * beta, ga.bmm(b2.mH), b1.mH.bmm(ga)


def _addbmm(xp, inp, b1, b2, beta=1, alpha=1):
    _check_batches("addbmm", b1, b2)
    _same_dtype(inp, b1, b2, "self and batch2")
    dt = NP2DT[b1.dtype]
    # torch sums the batch through addmm: the limited dtypes meet its kernel
    _reject("addmm_impl_cpu_" if dt._limited else "addbmm", dt, (_dtype.BOOL,))
    beta, alpha = _int_scalars(NP2DT[b1.dtype], beta, alpha)
    if float8.is_float8(b1.dtype):
        return _scaled(xp, inp, _matmul(xp, b1, b2).sum(0), beta, alpha)
    prod = xp.matmul(b1, b2).sum(0) if b1.shape[0] else xp.zeros((b1.shape[1], b2.shape[2]), b1.dtype)
    return _scaled(xp, inp, prod.astype(b1.dtype, copy=False), beta, alpha)


def _addbmm_backward(g, inp, b1, b2, out, beta=1, alpha=1):
    ga = (g * alpha).unsqueeze(0).expand(b1.shape[0], *g.shape)
    return g * beta, ga.bmm(b2.mH), b1.mH.bmm(ga)


for _name, _fwd, _bwd in (("addmm", _addmm, _addmm_backward), ("addmv", _addmv, _addmv_backward),
                          ("addr", _addr, _addr_backward), ("baddbmm", _baddbmm, _baddbmm_backward),
                          ("addbmm", _addbmm, _addbmm_backward)):
    register(_name, _fwd, _bwd, nin=3, save=(1, 2), inplace=True)


def outer(input, vec2, *, out=None):
    """Outer product of vectors ``input`` and ``vec2``."""
    _need_tensor("outer", input)
    _need_tensor("outer", vec2, 2, "vec2")
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    kw = {} if out is None else {"out": out}
    return _f("mul")(input.reshape(-1, 1), vec2, **kw)


def ger(input, vec2, *, out=None):
    """Alias of outer."""
    return outer(input, vec2, out=out)


public(outer)
public(ger)


# ---------------------------------------------------------------------------------------- cross

def _cross(xp, a, b, dim):
    return xp.cross(a, b, axis=dim)


def _cross_backward(g, a, b, out, dim):
    return _cross_call(b.conj(), g, dim), _cross_call(g, a.conj(), dim)


_CROSS = register("linalg_cross", _cross, _cross_backward, nin=2, save=(0, 1), promote=DEFAULT, method=False,
                  function=False)


def _cross_call(a, b, dim, out=None):
    return call(_CROSS, (a, b, dim), {} if out is None else {"out": out})


_cross_warned = []  # torch warns once per process about the implicit dim


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim``, broadcasting the other dims."""
    _need_tensor("linalg.cross", input)
    _need_tensor("linalg.cross", other, 2, "other")
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. Got {input.ndim} "
                           f"and {other.ndim}")
    shape = _f("broadcast_shapes")(input.shape, other.shape)
    d = _dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} "
                           f"and {other.shape[d]}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._legacy} but found {other.dtype._legacy}")
    return _cross_call(input, other, d, out)


def cross(input, other, dim=None, *, out=None):
    """Cross product along ``dim`` (default: the first dimension of size 3)."""
    _need_tensor("cross", input)
    if dim is None:
        if not _cross_warned:
            _cross_warned.append(True)
            warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                          "either pass "
                          "the dim explicitly or simply use torch.linalg.cross.\nThe default value "
                          "of dim will "
                          "change to agree with that of linalg.cross in a future release.", UserWarning,
                          stacklevel=2)
        shape = _f("broadcast_shapes")(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


public(cross)


# ---------------------------------------------------------------------------------------- trace / diagonals

def _trace(xp, a):
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    _reject("trace", NP2DT[a.dtype], (_dtype.BOOL,))
    dt = np.int64 if a.dtype.kind in "biu" else a.dtype
    return xp.asarray(xp.trace(a, dtype=dt))


def _trace_backward(g, a, out):
    eye = _f("eye")(a.shape[0], a.shape[1], dtype=g.dtype, device=g.device)
    return (g * eye,)


register("trace", _trace, _trace_backward)


def _embed_axes(ndim, offset, dim1, dim2):
    d1, d2 = _dim(dim1, ndim), _dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diag_embed(xp, a, offset=0, dim1=-2, dim2=-1):
    d1, d2 = _embed_axes(a.ndim + 1, offset, dim1, dim2)
    k = a.shape[-1] if a.ndim else 1
    n = k + abs(offset)
    out = xp.zeros(a.shape[:-1] + (n, n), a.dtype)
    idx = xp.arange(k)
    out[..., idx + max(-offset, 0), idx + max(offset, 0)] = a
    return xp.ascontiguousarray(xp.moveaxis(out, (-2, -1), (d1, d2)))


def _diag_embed_backward(g, a, out, offset=0, dim1=-2, dim2=-1):
    return (g.diagonal(offset, dim1, dim2),)


register("diag_embed", _diag_embed, _diag_embed_backward)


def _diag_copy(xp, a, diagonal=0):
    return xp.diagonal(a, diagonal).copy()


def _diag_copy_backward(g, a, out, diagonal=0):
    n, m = a.shape
    return (call(_DIAG_OUT, (g, n, m, diagonal), {}),)


def _diag_out(xp, g, n, m, diagonal):
    out = xp.zeros((n, m), g.dtype)
    k = g.shape[0]
    idx = xp.arange(k)
    out[idx + max(-diagonal, 0), idx + max(diagonal, 0)] = g
    return out


_DIAG_COPY = register("diagonal_copy", _diag_copy, _diag_copy_backward, node="DiagonalBackward0_copy",
                      method=False, function=False)
_DIAG_OUT = register("_diag_out", _diag_out, lambda g, a, out, n, m, d: (g.diagonal(d),),
                     node="DiagonalBackwardBackward0", method=False, function=False)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with ``input`` on a diagonal; 2-D input: that diagonal as a 1-D tensor."""
    _need_tensor("diag", input)
    kw = {} if out is None else {"out": out}
    if input.ndim == 1:
        return call(OPS["diag_embed"], (input, diagonal, 0, 1), kw)
    if input.ndim != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input.ndim}D")
    return call(_DIAG_COPY, (input, diagonal), kw)


def diagflat(input, offset=0):
    """A 2-D tensor with the flattened ``input`` on diagonal ``offset``."""
    _need_tensor("diagflat", input)
    return call(OPS["diag_embed"], (input.reshape(-1), offset, 0, 1), {})


public(diag)
public(diagflat)


# ---------------------------------------------------------------------------------------- tensordot / kron

def _tensordot_dims(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(a.ndim - dims, a.ndim)), list(range(dims))
    da, db = dims
    if isinstance(da, int) or isinstance(db, int):
        raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not int")
    da, db = list(da), list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return [_dim(d, a.ndim) for d in da], [_dim(d, b.ndim) for d in db]


def tensordot(a, b, dims=2, out=None):
    """Contracts ``a`` and ``b`` over the given dimensions."""
    _need_tensor("tensordot", a)
    _need_tensor("tensordot", b, 2, "b")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da, db = _tensordot_dims(a, b, dims)
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim "
                               f"{x} and second has size {b.shape[y]} in dim {y}")
    fa = [d for d in range(a.ndim) if d not in da]
    fb = [d for d in range(b.ndim) if d not in db]
    if not fa and not fb:
        limited.check("dot", a.dtype)  # torch contracts everything with dot
    k = math.prod(a.shape[d] for d in da)
    left = a.permute(*fa, *da).reshape(-1, k)
    right = b.permute(*db, *fb).reshape(k, -1)
    shape = [a.shape[d] for d in fa] + [b.shape[d] for d in fb]
    res = left.mm(right).reshape(shape)
    if out is not None:
        return _write(out, res)
    return res


def _write(out, res):
    from ._registry import _copy_into_out
    _copy_into_out(out, res)
    return out


def kron(input, other, *, out=None):
    """Kronecker product of ``input`` and ``other``."""
    _need_tensor("kron", input)
    _need_tensor("kron", other, 2, "other")
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    sa = [x for s in a.shape for x in (s, 1)]
    sb = [x for s in b.shape for x in (1, s)]
    res = (a.reshape(sa) * b.reshape(sb)).reshape([p * q for p, q in zip(a.shape, b.shape)])
    return res if out is None else _write(out, res)


public(tensordot, method=False)
public(kron)


# ---------------------------------------------------------------------------------------- cdist

def _cdist(xp, a, b, p):
    d = xp.abs(a[..., :, None, :] - b[..., None, :, :])
    if p == 2:
        r = xp.sqrt((d * d).sum(-1))
    elif p == 1:
        r = d.sum(-1)
    elif p == math.inf:
        r = d.max(-1, initial=0)
    elif p == 0:
        r = (d != 0).sum(-1)
    else:
        r = (d ** p).sum(-1) ** (1.0 / p)
    return r.astype(a.dtype, copy=False)


def _cdist_backward(g, a, b, out, p):
    # torch's _cdist_backward kernel has no derivative: computed without a graph, linked to raise
    with grad_mode.no_grad():
        ga, gb = _cdist_grads(g, a, b, out, p)
    return _CDIST_BACKWARD(ga, g, a, b, out), -gb


def _cdist_grads(g, a, b, out, p):
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)
    dist = out.unsqueeze(-1)
    where = _f("where")
    if p == 0:
        gd = diff * 0
    elif p == 1:
        gd = diff.sgn()
    elif p == 2:
        gd = where(dist == 0, 0.0, diff / dist)
    elif p == math.inf:
        gd = diff.sgn() * (diff.abs() == dist)
    else:
        gd = where(dist == 0, 0.0, diff.sgn() * diff.abs().pow(p - 1) / dist.pow(p - 1))
    gd = gd * g.unsqueeze(-1)
    return gd.sum(-2), gd.sum(-3)


_CDIST_BACKWARD = unimplemented_derivative("_cdist_backward", "CdistBackwardBackward0", NotImplementedError)
_CDIST = register("cdist", _cdist, _cdist_backward, nin=2, save=(0, 1), save_out=True, method=False,
                  function=False, contiguous=True)


def _euclidean_dist(a, b):
    """torch's matrix-product form of Euclidean distances: ||a||^2 + ||b||^2 - 2 a.b from one product of
    augmented rows, clamped at 1e-30 before the root (its rounding differs from the direct form's)."""
    an = a.pow(2).sum(-1, keepdim=True)
    bn = b.pow(2).sum(-1, keepdim=True)
    cat = _f("cat")
    a_ = cat([a.mul(-2), an, _f("ones_like")(an)], -1)
    b_ = cat([b, _f("ones_like")(bn), bn], -1)
    return a_.matmul(b_.mT).clamp_min(1e-30).sqrt()


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each pair of row vectors of ``x1`` and ``x2``; ``compute_mode`` picks the
    matrix-product form for p=2 (always, never, or when either input has more than 25 rows)."""
    mode = _CDIST_MODES.get(compute_mode)
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    _need_tensor("cdist", x1)
    _need_tensor("cdist", x2, 2, "x2")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x.dtype._legacy}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"X1 and X2 must have the same dtype, but got {x1.dtype._legacy} and "
                           f"{x2.dtype._legacy}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = tuple(_f("broadcast_shapes")(x1.shape[:-2], x2.shape[:-2]))
    a = x1.expand(*batch, *x1.shape[-2:])
    b = x2.expand(*batch, *x2.shape[-2:])
    rows = (x1.shape[-2], x2.shape[-2])
    if p == 2 and a.numel() and b.numel() and (mode == 1 or (mode == 0 and max(rows) > 25)):
        return _euclidean_dist(a, b)
    return call(_CDIST, (a, b, float(p)), {})


public(cdist, method=False)


# ---------------------------------------------------------------------------------------- grids, indices

_meshgrid_warned = []


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors (``indexing`` 'ij' or 'xy')."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _meshgrid_warned:
            _meshgrid_warned.append(True)
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                          "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("torch.meshgrid expects a non-empty TensorList")
    for t in tensors:
        _need_tensor("meshgrid", t)
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("torch.meshgrid: Expected all tensors in the tensor list to have the "
                               "same dtype.")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = [t.shape[0] for t in flat]
    n = len(flat)
    grids = [t.reshape([-1 if i == j else 1 for j in range(n)]).expand(*shape) for i, t in enumerate(flat)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _tri_indices(which, row, col, offset, dtype, device):
    from .creation import _place
    from .._device import to_device
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.int64
    if dt not in (_dtype.int64, _dtype.int32):
        raise NotImplementedError(f"\"{which}_indices\" not implemented for '{dt._legacy}'")
    fn = np.tril_indices if which == "tril" else np.triu_indices
    r, c = fn(row, offset, col) if row > 0 and col > 0 else (np.zeros(0, int), np.zeros(0, int))
    arr = np.stack([r, c]).astype(dt._np)
    return Tensor._wrap(_place(arr, to_device(device) if device is not None else None))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Indices of the lower triangle of a ``row`` x ``col`` matrix, as a 2 x N tensor."""
    return _tri_indices("tril", row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """Indices of the upper triangle of a ``row`` x ``col`` matrix, as a 2 x N tensor."""
    return _tri_indices("triu", row, col, offset, dtype, device)


public(meshgrid, method=False)
public(tril_indices, method=False)
public(triu_indices, method=False)


# ---------------------------------------------------------------------------------------- assembling

def _as_2d(a):
    return a.reshape(1, 1) if a.ndim == 0 else a.reshape(1, -1) if a.ndim == 1 else a


def _block_diag(xp, *arrays):
    arrays = [a.reshape(1, 1) if a.ndim == 0 else a.reshape(1, -1) if a.ndim == 1 else a for a in arrays]
    rows = sum(a.shape[0] for a in arrays)
    cols = sum(a.shape[1] for a in arrays)
    out = xp.zeros((rows, cols), arrays[0].dtype if arrays else np.float32)
    r = c = 0
    for a in arrays:
        out[r:r + a.shape[0], c:c + a.shape[1]] = a
        r, c = r + a.shape[0], c + a.shape[1]
    return out


def _block_diag_backward(grad, *rest):
    metas = rest[:-1]
    grads, r, c = [], 0, 0
    for m in metas:
        shape = tuple(m.shape)
        h, w = (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape
        grads.append(grad[r:r + h, c:c + w].reshape(shape))
        r, c = r + h, c + w
    return tuple(grads)


_BLOCK_DIAG = register("block_diag", _block_diag, _block_diag_backward, listin=True, promote=DEFAULT,
                       method=False, function=False)


def block_diag(*tensors):
    """A block-diagonal matrix built from the given tensors (0-d, 1-d or 2-d)."""
    for i, t in enumerate(tensors):
        _need_tensor("block_diag", t, i + 1, "tensors")
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has "
                               f"{t.ndim} dimensions")
    if not tensors:
        return _f("empty")(1, 0)
    return call(_BLOCK_DIAG, (list(tensors),), {})


def cartesian_prod(*tensors):
    """Cartesian product of the given 1-D tensors, one row per combination."""
    for i, t in enumerate(tensors):
        _need_tensor("cartesian_prod", t, i + 1, "tensors")
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _f("stack")([g.flatten() for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Combinations of length ``r`` of the elements of 1-D ``input`` (as itertools.combinations)."""
    _need_tensor("combinations", input)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    limited.check("masked_select", input.dtype)
    if r == 0:
        return _f("empty")(0, dtype=input.dtype, device=input.device)
    n = input.shape[0]
    grid = np.indices((n,) * r).reshape(r, -1)
    steps = np.diff(grid, axis=0)
    keep = np.all(steps >= 0 if with_replacement else steps > 0, axis=0)
    idx = grid[:, keep]
    pick = _f("tensor")(idx, dtype=_dtype.int64, device=input.device)
    return _f("stack")([input[pick[k]] for k in range(r)], 1)


public(block_diag, method=False)
public(cartesian_prod, method=False)
public(combinations, method=False)


def _diff_once(x, dim):
    n = x.shape[dim]
    hi, lo = x.narrow(dim, 1, n - 1), x.narrow(dim, 0, n - 1)
    if x.dtype == _dtype.bool:
        return _f("logical_xor")(hi, lo)
    return hi - lo


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along ``dim``, with optional values prepended or appended."""
    _need_tensor("diff", input)
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, input.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = _f("cat")(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        if x.shape[d] == 0:
            break
        x = _diff_once(x, d)
    return x


def vander(x, N=None, increasing=False):
    """Vandermonde matrix with columns ``x**(N-1), ..., x**0`` (or increasing powers)."""
    _need_tensor("vander", x)
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype._limited:
        _dtype.promote_types(x.dtype, _dtype.int64)  # torch's cumulative product promotes; these cannot
    if x.dtype.is_floating_point or x.dtype.is_complex:
        base = x
    else:
        base = x.to(_dtype.int64)
    cols = [_f("ones_like")(base).unsqueeze(1)]
    if N > 1:
        cols.append(base.unsqueeze(1).expand(x.shape[0], N - 1))
    res = _f("cat")(cols, 1).cumprod(1) if N else base.unsqueeze(1).narrow(1, 0, 0).cumprod(1)
    return res if increasing else res.flip(1)


public(diff)
public(vander, method=False)
