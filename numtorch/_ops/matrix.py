"""Matrix ops: scaled products (addmm & co.), outer/cross, diagonals, einsum, tensordot, kron, cdist,
meshgrid, counting helpers, and the decompositions behind ``torch.linalg`` (each with its derivative)."""
import itertools
import math
import string
import warnings

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ._registry import DEFAULT, FUNCTIONS, OPS, call, register
from .pointwise import _need_tensor, _reject, public
from .reduction import norm_dims
from .sorting import return_type


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
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        # beta=0 ignores the input (NaN and inf included), as in torch.
        return xp.broadcast_to(xp.zeros((), prod.dtype), prod.shape) + prod
    base = inp if beta == 1 else inp * beta
    try:
        return (base + prod).astype(prod.dtype, copy=False)
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
    _reject("addmm_impl_cpu_", NP2DT[a.dtype], (_dtype.BOOL,))
    beta, alpha = _int_scalars(NP2DT[a.dtype], beta, alpha)
    return _scaled(xp, inp, xp.matmul(a, b), beta, alpha)


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
    _reject("addbmm", NP2DT[b1.dtype], (_dtype.BOOL,))
    beta, alpha = _int_scalars(NP2DT[b1.dtype], beta, alpha)
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


# ---------------------------------------------------------------------------------------- einsum

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _einsum(xp, *arrays_and_eq):
    *arrays, eq = arrays_and_eq
    return xp.einsum(eq, *arrays, optimize=len(arrays) > 2)


def _einsum_backward(grad, *rest):
    *ops, out, eq = rest
    lhs, rhs = eq.split("->")
    terms = lhs.split(",")
    sizes = {c: n for t, op in zip(terms, ops) for c, n in zip(t, op.shape)}
    return tuple(_einsum_grad(grad, ops, terms, rhs, i, sizes) for i in range(len(ops)))


def _einsum_grad(grad, ops, terms, rhs, i, sizes):
    """Gradient of operand i: contract the output gradient with the other operands back to term i."""
    subs = [rhs] + [t for j, t in enumerate(terms) if j != i]
    args = [grad] + [op.conj() for j, op in enumerate(ops) if j != i]
    target, seen = "", set()
    fresh = iter(c for c in _LETTERS if c not in sizes)
    for c in terms[i]:
        if c in seen:
            # A repeated label is a diagonal: spread the gradient with an identity matrix.
            new = next(fresh)
            subs.append(c + new)
            args.append(_eye_like(grad, sizes[c]))
            target += new
        else:
            seen.add(c)
            target += c
    present = set("".join(subs))
    for c in seen - present:
        subs.append(c)
        args.append(_f("ones")(sizes[c], dtype=grad.dtype, device=grad.device))
    return call(_EINSUM, (args, ",".join(subs) + "->" + target), {})


_EINSUM = register("einsum", _einsum, _einsum_backward, listin=True, save=tuple(range(64)), method=False,
                   function=False)


def _sublist_equation(args):
    ops, terms = list(args[0::2]), list(args[1::2])
    out = None
    if len(terms) < len(ops):
        ops, out = ops[:-1], None
    elif len(args) % 2:
        out = args[-1]
    if len(args) % 2:
        ops, terms, out = list(args[0:-1:2]), list(args[1:-1:2]), args[-1]

    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)
    eq = ",".join(letters(t) for t in terms)
    return (eq if out is None else eq + "->" + letters(out)), ops


def _ellipsis_letters(eq, ops, terms):
    spare = [c for c in _LETTERS if c not in eq]
    nell = 0
    for t, op in zip(terms, ops):
        if "..." in t:
            nell = max(nell, op.ndim - len(t) + 3)
    return "".join(spare[:nell]), nell


def _expand_ellipsis(ops, terms, ell, nell):
    """Replace '...' by letters; expand operands whose ellipsis dims broadcast."""
    sizes = {}
    for t, op in zip(terms, ops):
        if "..." in t:
            k = op.ndim - len(t) + 3
            shape = op.shape[t.index("."):t.index(".") + k]
            for c, n in zip(ell[nell - k:], shape):
                if n != 1 or c not in sizes:
                    sizes[c] = n
    new_terms, new_ops = [], []
    for t, op in zip(terms, ops):
        if "..." in t:
            k = op.ndim - len(t) + 3
            t = t.replace("...", ell[nell - k:])
            target = [sizes.get(c, n) for c, n in zip(t, op.shape)]
            if list(op.shape) != target:
                op = op.expand(*target)
        new_terms.append(t)
        new_ops.append(op)
    return new_terms, new_ops


def _check_term(t, op, i):
    if "..." not in t and len(t) != op.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not "
                           "match the "
                           f"number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given")
    if "..." in t and len(t) - 3 > op.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t) - 3}) is "
                           "more than the "
                           f"number of dimensions ({op.ndim}) for operand {i}")


def _implicit_output(terms, ell):
    counts = {}
    for t in terms:
        for c in t:
            counts[c] = counts.get(c, 0) + 1
    return ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))


def einsum(*args):
    """Sums the product of the operands' elements over the dimensions named by the Einstein equation."""
    if args and isinstance(args[0], Tensor):
        eq, ops = _sublist_equation(args)
    else:
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ops):
        what = "more" if len(ops) > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {what} operands were provided than specified in the equation")
    for i, (t, op) in enumerate(zip(terms, ops)):
        _need_tensor("einsum", op, i + 1, "operands")
        _check_term(t, op, i)
    if any(op.dtype != ops[0].dtype for op in ops):
        bad = next(op for op in ops if op.dtype != ops[0].dtype)
        raise RuntimeError(f"expected scalar type {ops[0].dtype._legacy} but found {bad.dtype._legacy}")
    ell, nell = _ellipsis_letters(eq, ops, terms)
    terms, ops = _expand_ellipsis(ops, terms, ell, nell)
    rhs = rhs.replace("...", ell) if arrow else _implicit_output(terms, ell)
    for c in rhs:
        if c not in "".join(terms):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for "
                               "any input "
                               "operand")
    return call(_EINSUM, (ops, ",".join(terms) + "->" + rhs), {})


public(einsum, method=False)


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
    return gd.sum(-2), -gd.sum(-3)


_CDIST = register("cdist", _cdist, _cdist_backward, nin=2, save=(0, 1), save_out=True, method=False,
                  function=False)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each pair of row vectors of ``x1`` and ``x2``."""
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
        raise RuntimeError(f"\"{which}_indices\" not implemented for '{dt._legacy}'")
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


# ---------------------------------------------------------------------------------------- counting

def _bincount(xp, a, w=None, minlength=0):
    _reject("bincount_cpu", NP2DT[a.dtype], (_dtype.FLOAT, _dtype.COMPLEX, _dtype.BOOL))
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if w is not None and w.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    n = max(int(a.max()) + 1 if a.size else 0, minlength)
    if w is None:
        return xp.bincount(a, minlength=n).astype(np.int64)
    dt = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return xp.bincount(a, w.astype(np.float64), minlength=n).astype(dt)


_BINCOUNT = register("bincount", _bincount, nin=2, method=False, function=False)


def bincount(input, weights=None, minlength=0):
    """Count of each value in a 1-D tensor of non-negative ints (summing ``weights`` when given)."""
    _need_tensor("bincount", input)
    return call(_BINCOUNT, (input, weights, minlength), {})


public(bincount)


def _histc(xp, a, bins=100, min=0, max=0):
    _reject("histogram_cpu", NP2DT[a.dtype], (_dtype.BOOL, _dtype.INT))
    if bins <= 0:
        raise RuntimeError("torch.histogram(): bins must be > 0, but got " + f"{bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi or not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histogram(): max must be larger than min" if lo > hi else
                           f"range of [{lo}, {hi}] is not finite")
    x = a.astype(np.float64)
    keep = (x >= lo) & (x <= hi)
    pos = ((x[keep] - lo) * bins / (hi - lo)).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins).astype(a.dtype)


register("histc", _histc)


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


# ---------------------------------------------------------------------------------------- decompositions

class LinAlgError(RuntimeError):
    """Error raised by torch.linalg functions when a matrix is singular or not positive-definite."""


# torch's class is torch._C._LinAlgError, exposed as torch.linalg.LinAlgError.
LinAlgError.__module__ = "torch._C"
LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
_LOW = (_dtype.float16, _dtype.bfloat16, _dtype.complex32)


def check_linalg(name, A, square=True, arg="A"):
    """torch's entry checks for linalg functions: a batch of (square) float or complex matrices."""
    _need_tensor(name, A)
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")
    dt = A.dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {dt._legacy}")
    if dt in _LOW:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {dt._legacy}")


def _first_bad(info, ndim):
    flat = np.asarray(info).reshape(-1)
    i = int(np.argmax(flat > 0))
    return ("" if ndim <= 2 else f"(Batch element {i}): "), int(flat[i])


def _lu_arrays(xp, a):
    """Partial-pivoting LU as LAPACK's getrf: packed LU, 1-based int32 pivots, info."""
    *batch, m, n = a.shape
    k = min(m, n)
    lu = a.reshape(-1, m, n).copy()
    piv = xp.empty((lu.shape[0], k), np.int32)
    info = xp.zeros(lu.shape[0], np.int32)
    rows = xp.arange(lu.shape[0])
    for j in range(k):
        col = lu[:, j:, j]
        # LAPACK pivots complex columns on |re| + |im|.
        mag = xp.abs(col.real) + xp.abs(col.imag) if col.dtype.kind == "c" else xp.abs(col)
        p = j + xp.argmax(mag, axis=1)
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        d = lu[:, j, j]
        info = xp.where((info == 0) & (d == 0), j + 1, info)
        lu[:, j + 1:, j] /= xp.where(d == 0, 1, d)[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    return lu.reshape(a.shape), piv.reshape(*batch, k), info.reshape(batch)


def _mT(x):
    return x.swapaxes(-1, -2)


def _info_zero(xp, a):
    return xp.zeros(a.shape[:-2], np.int32)


def _inv_ex(xp, a, check_errors=False):
    try:
        return xp.linalg.inv(a), _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _lu_arrays(xp, a)[2]
    if check_errors:
        prefix, j = _first_bad(info, a.ndim)
        raise LinAlgError(f"linalg.inv: {prefix}The diagonal element {j} is zero, the inversion could not be "
                          "completed because the input matrix is singular.")
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)
    ok = (info == 0)[..., None, None]
    return xp.where(ok, xp.linalg.inv(xp.where(ok, a, eye)), xp.nan), info


def _inv_backward(grads, a, out, check_errors=False):
    g = grads[0]
    return (-(out.mH @ g @ out.mH),)


_INV = register("linalg_inv_ex", _inv_ex, _inv_backward, n_out=2, save_out=True, method=False, function=False)


def inv_ex(A, *, check_errors=False, out=None):
    """Inverse of square matrices, with an ``info`` tensor instead of an error when one is singular."""
    check_linalg("linalg.inv", A)
    res = call(_INV, (A, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_inv_ex", ("inverse", "info"))(res)


def inv(A, *, out=None):
    """Inverse of a square matrix (batched); raises LinAlgError when it is singular."""
    check_linalg("linalg.inv", A)
    res = call(_INV, (A, True), {})[0]
    return res if out is None else _write(out, res)


def _det(xp, a):
    return xp.asarray(xp.linalg.det(a)).astype(a.dtype, copy=False)


def _det_backward(g, a, out):
    inverse = call(_INV, (a, False), {})[0]
    return ((g * out.conj()).unsqueeze(-1).unsqueeze(-1) * inverse.mH,)


_DET = register("linalg_det", _det, _det_backward, save=(0,), save_out=True, method=False, function=False)


def det(A, *, out=None):
    """Determinant of square matrices."""
    check_linalg("linalg.det", A)
    return call(_DET, (A,), {} if out is None else {"out": out})


def _slogdet(xp, a):
    sign, logabs = xp.linalg.slogdet(a)
    return xp.asarray(sign).astype(a.dtype, copy=False), xp.asarray(logabs).astype(a.real.dtype, copy=False)


def _slogdet_backward(grads, a, out):
    g_sign, g_log = grads
    inverse = call(_INV, (a, False), {})[0]
    coef = g_log
    if a.dtype.is_complex:
        sign = call(_SLOGDET, (a,), {})[0]
        coef = g_log + 1j * (g_sign * sign.conj()).imag
    return (coef.unsqueeze(-1).unsqueeze(-1) * inverse.mH,)


_SLOGDET = register("linalg_slogdet", _slogdet, _slogdet_backward, n_out=2, save=(0,), method=False,
                    function=False)


def slogdet(A, *, out=None):
    """Sign and natural log of the absolute value of the determinant."""
    check_linalg("linalg.slogdet", A)
    res = call(_SLOGDET, (A,), {} if out is None else {"out": out})
    return return_type("slogdet", ("sign", "logabsdet"))(res)


def logdet(input):
    """Natural log of the determinant (NaN for negative determinants of real matrices)."""
    check_linalg("logdet", input)
    sign, logabs = call(_SLOGDET, (input,), {})
    if input.dtype.is_complex:
        return logabs + sign.log()
    return _f("where")(sign < 0, math.nan, logabs)


def _eye_batch(xp, a):
    return xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape)


# ---------------------------------------------------------------------------------------- triangular/solve

def _tri_mask(xp, a, upper, unit):
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        idx = xp.arange(a.shape[-1])
        t = t.copy()
        t[..., idx, idx] = 1
    return t


def _solve_arrays(xp, a, b):
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    if a.size == 0 or b.size == 0:
        return xp.zeros(batch + (a.shape[-1], b.shape[-1]), a.dtype)
    return xp.linalg.solve(a, b)


def _solve_tri(xp, a, b, upper, left=True, unitriangular=False):
    t = _tri_mask(xp, a, upper, unitriangular)
    with np.errstate(all="ignore"):
        try:
            if left:
                return _solve_arrays(xp, t, b)
            return _mT(_solve_arrays(xp, _mT(t), _mT(b)))
        except np.linalg.LinAlgError:
            # A zero on the diagonal: torch's triangular solver divides by it.
            inv = xp.linalg.pinv(t) * xp.inf
            return xp.matmul(inv, b) if left else xp.matmul(b, inv)


def _solve_tri_backward(g, a, b, out, upper, left=True, unitriangular=False):
    gb = solve_triangular(a.mH, g, upper=not upper, left=left, unitriangular=unitriangular)
    ga = -(gb @ out.mH) if left else -(out.mH @ gb)
    if unitriangular:
        ga = ga.triu(1) if upper else ga.tril(-1)
    else:
        ga = ga.triu() if upper else ga.tril()
    return ga, gb


_SOLVE_TRI = register("linalg_solve_triangular", _solve_tri, _solve_tri_backward, nin=2, save=(0,),
                      save_out=True, method=False, function=False)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solves ``A X = B`` (or ``X A = B``) for triangular ``A``."""
    check_linalg("linalg.solve_triangular", A)
    _need_tensor("linalg.solve_triangular", B, 2, "B")
    if B.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if A.dtype != B.dtype:
        raise RuntimeError("linalg.solve_triangular: Expected A and B to have the same dtype, but "
                           "found A of "
                           f"type {A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    k = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != k:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_shape_str(A.shape[-2:])} and "
                           f"{_shape_str(B.shape[-2:])})")
    return call(_SOLVE_TRI, (A, B, upper, left, unitriangular), {} if out is None else {"out": out})


def _solve_ex(xp, a, b, left=True, vec=False, check_errors=False):
    if vec:
        b = b[..., None]
    if not left:
        a, b = _mT(a), _mT(b)
    try:
        x = _solve_arrays(xp, a, b)
        info = _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _lu_arrays(xp, a)[2]
        if check_errors:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.")
        x = xp.full(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:], xp.nan, a.dtype)
    if not left:
        x = _mT(x)
    return (x[..., 0] if vec else x), xp.broadcast_to(info, x.shape[:-2]).copy()


def _solve_backward(grads, a, b, out, left=True, vec=False, check_errors=False):
    g = grads[0]
    gb = call(_SOLVE, (a.mH, g, left, vec, False), {})[0]
    if vec:
        ga = -gb.unsqueeze(-1) * out.conj().unsqueeze(-2)
    else:
        ga = -(gb @ out.mH) if left else -(out.mH @ gb)
    return ga, gb


_SOLVE = register("linalg_solve_ex", _solve_ex, _solve_backward, nin=2, n_out=2, save=(0,), save_out=True,
                  method=False, function=False)


def _solve_args(A, B, left):
    check_linalg("linalg.solve", A)
    _need_tensor("linalg.solve", B, 2, "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    vec = B.ndim == 1 or (left and B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    k = A.shape[-1]
    n = B.shape[-1] if vec else (B.shape[-2] if left else B.shape[-1])
    if n != k:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_shape_str(A.shape[-2:])} and "
                           f"{_shape_str(B.shape[-2:] if B.ndim > 1 else B.shape)})")
    return vec


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """Solution of ``A X = B`` with an ``info`` tensor instead of an error for singular ``A``."""
    vec = _solve_args(A, B, left)
    res = call(_SOLVE, (A, B, left, vec, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_solve_ex", ("result", "info"))(res)


def solve(A, B, *, left=True, out=None):
    """Solution of the square system ``A X = B`` (or ``X A = B``)."""
    vec = _solve_args(A, B, left)
    res = call(_SOLVE, (A, B, left, vec, True), {})[0]
    return res if out is None else _write(out, res)


# ---------------------------------------------------------------------------------------- cholesky

def _hermitian_from(xp, a, upper):
    low = xp.tril(_mT(a).conj() if upper else a)
    herm = low + _mT(xp.tril(low, -1)).conj()
    idx = xp.arange(a.shape[-1])
    herm[..., idx, idx] = herm[..., idx, idx].real
    return herm


def _cholesky_info(xp, h):
    n = h.shape[-1]
    info = xp.zeros(h.shape[:-2], np.int32)
    for k in range(n, 0, -1):
        d = xp.linalg.det(h[..., :k, :k]).real
        info = xp.where(~(d > 0), k, info)
    return info


def _cholesky_ex(xp, a, upper=False, check_errors=False):
    h = _hermitian_from(xp, a, upper)
    try:
        low = xp.linalg.cholesky(h)
        info = _info_zero(xp, a)
    except np.linalg.LinAlgError:
        info = _cholesky_info(xp, h)
        if check_errors:
            prefix, k = _first_bad(info, a.ndim)
            raise LinAlgError(f"linalg.cholesky: {prefix}The factorization could not be completed "
                              "because the "
                              f"input is not positive-definite (the leading minor of order {k} is not "
                              "positive-definite).")
        ok = (info == 0)[..., None, None]
        low = xp.where(ok, xp.linalg.cholesky(xp.where(ok, h, _eye_batch(xp, h))), 0)
    return (_mT(low).conj() if upper else low).astype(a.dtype, copy=False), info


def _cholesky_backward(grads, a, out, upper=False, check_errors=False):
    low = out.mH if upper else out
    gl = grads[0].mH if upper else grads[0]
    y = low.mH @ gl
    z = y.tril(-1) + 0.5 * y.diagonal(0, -2, -1).diag_embed()
    x = solve_triangular(low.mH, z, upper=True)
    ga = solve_triangular(low, x, upper=False, left=False)
    return (0.5 * (ga + ga.mH),)


_CHOLESKY = register("linalg_cholesky_ex", _cholesky_ex, _cholesky_backward, n_out=2, save_out=True,
                     method=False, function=False)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Cholesky factor of Hermitian positive-definite matrices, with an ``info`` tensor."""
    check_linalg("linalg.cholesky", A)
    res = call(_CHOLESKY, (A, upper, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_cholesky_ex", ("L", "info"))(res)


def linalg_cholesky(A, *, upper=False, out=None):
    """Cholesky factor ``L`` (``A = L L^H``) of Hermitian positive-definite matrices."""
    check_linalg("linalg.cholesky", A)
    res = call(_CHOLESKY, (A, upper, True), {})[0]
    return res if out is None else _write(out, res)


# ---------------------------------------------------------------------------------------- svd / pinv

def _svd(xp, a, full_matrices=True):
    m, n = a.shape[-2:]
    if a.size == 0:
        k = min(m, n)
        mu, nv = (m, n) if full_matrices else (k, k)
        u = _eye_batch(xp, xp.zeros(a.shape[:-2] + (m, m), a.dtype))[..., :mu].copy()
        vh = _eye_batch(xp, xp.zeros(a.shape[:-2] + (n, n), a.dtype))[..., :nv, :].copy()
        return u, xp.zeros(a.shape[:-2] + (k,), a.real.dtype), vh
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s.astype(a.real.dtype, copy=False), vh


def _svd_grad(a, u, s, vh, gu, gs, gvh):
    """Gradient of a reduced SVD A = U diag(S) Vh for given output gradients."""
    m, n = a.shape[-2:]
    k = s.shape[-1]
    eye = _f("eye")(k, dtype=s.dtype, device=s.device)
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye
    uhgu = u.mH @ gu
    vhgv = vh @ gvh.mH
    inner = ((uhgu - uhgu.mH) * s.unsqueeze(-2) + s.unsqueeze(-1) * (vhgv - vhgv.mH)) / e
    inner = inner * (1 - eye) + gs.diag_embed()
    if a.dtype.is_complex:
        inner = inner + (1j * uhgu.diagonal(0, -2, -1).imag / s).diag_embed()
    if m > n:
        gus = gu / s.unsqueeze(-2)
        return (u @ inner + gus - u @ (u.mH @ gus)) @ vh
    if m < n:
        sgvh = gvh / s.unsqueeze(-1)
        return u @ (inner @ vh + sgvh - (sgvh @ vh.mH) @ vh)
    return u @ inner @ vh


def _svd_backward(grads, a, out, full_matrices=True):
    gu, gs, gvh = grads
    u, s, vh = call(_SVD, (a, False), {})
    k = s.shape[-1]
    return (_svd_grad(a, u, s, vh, gu[..., :k], gs, gvh[..., :k, :]),)


_SVD = register("linalg_svd", _svd, _svd_backward, n_out=3, save=(0,), method=False, function=False)


def _svdvals(xp, a):
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (min(a.shape[-2:]),), a.real.dtype)
    return xp.linalg.svd(a, compute_uv=False).astype(a.real.dtype, copy=False)


def _svdvals_backward(g, a, out):
    u, s, vh = call(_SVD, (a, False), {})
    return ((u * g.unsqueeze(-2).to(u.dtype)) @ vh,)


_SVDVALS = register("linalg_svdvals", _svdvals, _svdvals_backward, save=(0,), node="LinalgSvdBackward0",
                    method=False, function=False)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``."""
    check_linalg("linalg.svd", A, square=False)
    res = call(_SVD, (A, full_matrices), {} if out is None else {"out": out})
    return return_type("linalg_svd", ("U", "S", "Vh"))(res)


def svdvals(A, *, driver=None, out=None):
    """Singular values of ``A``, in descending order."""
    check_linalg("linalg.svdvals", A, square=False)
    return call(_SVDVALS, (A,), {} if out is None else {"out": out})


def svd(input, some=True, compute_uv=True, *, out=None):
    """Singular value decomposition ``input = U diag(S) V^H`` (returns V, not Vh)."""
    check_linalg("svd", input, square=False)
    if compute_uv:
        u, s, vh = call(_SVD, (input, not some), {})
        res = (u, s, vh.mH)
    else:
        s = call(_SVDVALS, (input,), {})
        m, n = input.shape[-2:]
        zeros = _f("zeros")
        batch = tuple(input.shape[:-2])
        res = (zeros(*batch, m, m, dtype=input.dtype), s, zeros(*batch, n, n, dtype=input.dtype))
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("svd", ("U", "S", "V"))(res)


def _pinv(xp, a, atol=None, rtol=None, hermitian=False):
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (n, m), a.dtype)
    if hermitian:
        w, q = xp.linalg.eigh(a)
        s, u, vh = xp.abs(w), q, _mT(q).conj() * xp.sign(w)[..., :, None]
    else:
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
    smax = s.max(-1, keepdims=True)
    rt = (max(m, n) * np.finfo(s.dtype).eps if not atol else 0.0) if rtol is None else rtol
    tol = xp.maximum(0.0 if atol is None else atol, rt * smax)
    sinv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0)
    return (_mT(vh).conj() * sinv[..., None, :]) @ _mT(u).conj()


def _pinv_backward(g, a, out, atol=None, rtol=None, hermitian=False):
    p = out
    ph = p.mH
    gh = g.mH
    first = -(ph @ g @ ph)
    second = (gh @ p) @ ph - a @ (p @ ((gh @ p) @ ph))
    third = (ph @ p) @ gh - ((ph @ p) @ gh @ p) @ a
    return (first + second + third,)


_PINV = register("linalg_pinv", _pinv, _pinv_backward, save=(0,), save_out=True, method=False, function=False)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse, from the singular values above ``max(atol, rtol * sigma_max)``."""
    check_linalg("linalg.pinv", A, square=False)
    for t in (atol, rtol):
        if isinstance(t, Tensor):
            raise TypeError("numtorch.linalg.pinv takes Python float tolerances")
    return call(_PINV, (A, atol, rtol, hermitian), {} if out is None else {"out": out})


def pinverse(input, rcond=1e-15):
    """Pseudo-inverse with singular values below ``rcond * sigma_max`` dropped."""
    check_linalg("pinverse", input, square=False)
    return call(_PINV, (input, None, rcond, False), {})


# ---------------------------------------------------------------------------------------- eigen

def _eigh(xp, a, UPLO="L"):
    if a.size == 0:
        return xp.zeros(a.shape[:-1], a.real.dtype), a.copy()
    w, q = xp.linalg.eigh(a, UPLO=UPLO)
    return w.astype(a.real.dtype, copy=False), q


def _eigh_grad(q, w, gw, gq):
    k = w.shape[-1]
    eye = _f("eye")(k, dtype=w.dtype, device=w.device)
    e = w.unsqueeze(-2) - w.unsqueeze(-1) + eye
    m = q.mH @ gq
    # Only the skew-Hermitian part of Q^H gQ moves the eigenvectors of a Hermitian matrix.
    inner = (m - m.mH) / (2 * e) * (1 - eye) + gw.to(q.dtype).diag_embed()
    return q @ inner @ q.mH


def _eigh_backward(grads, a, out, UPLO="L"):
    w, q = call(_EIGH, (a, UPLO), {})
    return (_eigh_grad(q, w, grads[0], grads[1]),)


_EIGH = register("linalg_eigh", _eigh, _eigh_backward, n_out=2, save=(0,), method=False, function=False)


def _eigvalsh(xp, a, UPLO="L"):
    if a.size == 0:
        return xp.zeros(a.shape[:-1], a.real.dtype)
    return xp.linalg.eigvalsh(a, UPLO=UPLO).astype(a.real.dtype, copy=False)


def _eigvalsh_backward(g, a, out, UPLO="L"):
    w, q = call(_EIGH, (a, UPLO), {})
    return ((q * g.unsqueeze(-2).to(q.dtype)) @ q.mH,)


_EIGVALSH = register("linalg_eigvalsh", _eigvalsh, _eigvalsh_backward, save=(0,), node="LinalgEighBackward0",
                     method=False, function=False)


def _check_uplo(name, UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of Hermitian matrices."""
    check_linalg("linalg.eigh", A)
    _check_uplo("linalg.eigh", UPLO)
    res = call(_EIGH, (A, UPLO), {} if out is None else {"out": out})
    return return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))(res)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of Hermitian matrices."""
    check_linalg("linalg.eigvalsh", A)
    _check_uplo("linalg.eigvalsh", UPLO)
    return call(_EIGVALSH, (A, UPLO), {} if out is None else {"out": out})


def _complex_of(dt):
    return np.complex64 if dt in (np.float32, np.complex64) else np.complex128


def _eig(xp, a):
    ct = _complex_of(a.dtype)
    if a.size == 0:
        return xp.zeros(a.shape[:-1], ct), xp.zeros(a.shape, ct)
    w, v = xp.linalg.eig(a)
    return w.astype(ct), v.astype(ct)


def _eig_backward(grads, a, out):
    gw, gv = grads
    w, v = call(_EIG, (a,), {})
    k = w.shape[-1]
    eye = _f("eye")(k, dtype=v.dtype, device=v.device)
    vhgv = v.mH @ gv
    vhgv = vhgv - (v.mH @ v) * vhgv.diagonal(0, -2, -1).real.to(v.dtype).unsqueeze(-2)
    e = (w.unsqueeze(-2) - w.unsqueeze(-1)).conj() + eye
    inner = vhgv / e * (1 - eye) + gw.diag_embed()
    return (call(_SOLVE, (v.mH, inner @ v.mH, True, False, False), {})[0],)


_EIG = register("linalg_eig", _eig, _eig_backward, n_out=2, save=(0,), method=False, function=False)


def _eigvals(xp, a):
    ct = _complex_of(a.dtype)
    if a.size == 0:
        return xp.zeros(a.shape[:-1], ct)
    return xp.linalg.eigvals(a).astype(ct)


def _eigvals_backward(g, a, out):
    w, v = call(_EIG, (a,), {})
    rhs = (g.unsqueeze(-1) * v.mH)
    return (call(_SOLVE, (v.mH, rhs, True, False, False), {})[0],)


_EIGVALS = register("linalg_eigvals", _eigvals, _eigvals_backward, save=(0,), node="LinalgEigBackward0",
                    method=False, function=False)


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of square matrices (always complex)."""
    check_linalg("linalg.eig", A)
    res = call(_EIG, (A,), {} if out is None else {"out": out})
    return return_type("linalg_eig", ("eigenvalues", "eigenvectors"))(res)


def eigvals(A, *, out=None):
    """Eigenvalues of square matrices (always complex)."""
    check_linalg("linalg.eigvals", A)
    return call(_EIGVALS, (A,), {} if out is None else {"out": out})


# ---------------------------------------------------------------------------------------- qr

def _qr(xp, a, mode="reduced"):
    m, n = a.shape[-2:]
    if a.size == 0:
        k = m if mode == "complete" else min(m, n)
        q = _eye_batch(xp, xp.zeros(a.shape[:-2] + (m, m), a.dtype))[..., :k].copy()
        r = xp.zeros(a.shape[:-2] + (k, n), a.dtype)
        return (xp.zeros((0,), a.dtype) if mode == "r" else q), r
    if mode == "r":
        return xp.zeros((0,), a.dtype), xp.linalg.qr(a, mode="r")
    q, r = xp.linalg.qr(a, mode=mode)
    return q, r


def _qr_square_grad(q, r, gq, gr):
    m = r @ gr.mH - gq.mH @ q
    low = m.tril(-1)
    sym = low + low.mH + m.diagonal(0, -2, -1).real.to(m.dtype).diag_embed()
    b = gq + q @ sym
    return solve_triangular(r.mH, b, upper=False, left=False)


def _qr_backward(grads, a, out, mode="reduced"):
    m, n = a.shape[-2:]
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                           "Please use linalg.qr(A, mode='reduced') if you are going to "
                           "differentiate through "
                           "linalg.qr.")
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    gq, gr = grads
    q, r = call(_QR, (a, mode), {})
    if m >= n:
        return (_qr_square_grad(q, r, gq, gr),)
    y = a[..., m:]
    gx = _qr_square_grad(q, r[..., :m], gq + y @ gr[..., m:].mH, gr[..., :m])
    return (_f("cat")([gx, q @ gr[..., m:]], -1),)


_QR = register("linalg_qr", _qr, _qr_backward, n_out=2, save=(0,), method=False, function=False)


def linalg_qr(A, mode="reduced", *, out=None):
    """QR decomposition ``A = Q R`` (mode 'reduced', 'complete' or 'r')."""
    check_linalg("linalg.qr", A, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    res = call(_QR, (A, mode), {} if out is None else {"out": out})
    return return_type("linalg_qr", ("Q", "R"))(res)


def qr(input, some=True, *, out=None):
    """QR decomposition (``some=False`` gives the complete Q)."""
    check_linalg("qr", input, square=False)
    res = call(_QR, (input, "reduced" if some else "complete"), {})
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("qr", ("Q", "R"))(res)


# ---------------------------------------------------------------------------------------- lu

def _lu_factor_ex(xp, a, pivot=True, check_errors=False):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv, info = _lu_arrays(xp, a)
    if check_errors and (info > 0).any():
        j = int(info.reshape(-1)[int((info.reshape(-1) > 0).argmax())])
        raise RuntimeError(f"torch.linalg.lu_factor: U[{j},{j}] is zero and using it on lu_solve "
                           "would result "
                           "in a division by zero. If you still want to perform the factorization, consider "
                           "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return lu, piv, info


def _perm_matrix(piv, m, like):
    """The permutation P of ``A = P L U`` from LAPACK pivots (1-based row swaps)."""
    p = piv._data.astype(np.int64) - 1
    batch = p.shape[:-1]
    perm = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    flat, pf = perm.reshape(-1, m), p.reshape(-1, p.shape[-1])
    rows = np.arange(flat.shape[0])
    for j in range(pf.shape[-1]):
        top = flat[:, j].copy()
        flat[:, j] = flat[rows, pf[:, j]]
        flat[rows, pf[:, j]] = top
    mat = np.zeros(flat.shape + (m,), like._data.dtype)
    idx = np.arange(m)
    mat[rows[:, None], flat, idx[None, :]] = 1
    return _f("tensor")(mat.reshape(batch + (m, m)), device=like.device)


def _unpack(lu, m, n):
    k = min(m, n)
    eye = _f("eye")(m, k, dtype=lu.dtype, device=lu.device)
    return lu[..., :, :k].tril(-1) + eye, lu[..., :k, :].triu()


def _lu_core(low, up, gl, gu):
    inner = (low.mH @ gl).tril(-1) + (gu @ up.mH).triu()
    x = solve_triangular(low.mH, inner, upper=True, unitriangular=True)
    return solve_triangular(up.mH, x, upper=False, left=False)


def _lu_factor_backward(grads, a, out, pivot=True, check_errors=False):
    g = grads[0]
    m, n = a.shape[-2:]
    lu, piv, _ = call(_LU, (a, pivot, False), {})
    low, up = _unpack(lu, m, n)
    gl, gu = _unpack(g, m, n)
    gl = gl - _f("eye")(m, min(m, n), dtype=g.dtype, device=g.device)
    perm = _perm_matrix(piv, m, a)
    if m == n:
        return (perm @ _lu_core(low, up, gl, gu),)
    if m > n:
        ga2 = solve_triangular(up.mH, gl[..., n:, :], upper=False, left=False)
        ga1 = _lu_core(low[..., :n, :], up, gl[..., :n, :], gu - low[..., n:, :].mH @ ga2)
        return (perm @ _f("cat")([ga1, ga2], -2),)
    ga2 = solve_triangular(low.mH, gu[..., m:], upper=True, unitriangular=True)
    ga1 = _lu_core(low, up[..., :m], gl - ga2 @ up[..., m:].mH, gu[..., :m])
    return (perm @ _f("cat")([ga1, ga2], -1),)


_LU = register("linalg_lu_factor_ex", _lu_factor_ex, _lu_factor_backward, n_out=3, save=(0,), method=False,
               function=False)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """Packed LU factorization with partial pivoting, pivots, and an ``info`` tensor."""
    check_linalg("linalg.lu_factor_ex", A, square=False)
    res = call(_LU, (A, pivot, check_errors), {} if out is None else {"out": out})
    return return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))(res)


def lu_factor(A, *, pivot=True, out=None):
    """Packed LU factorization with partial pivoting and its pivots."""
    check_linalg("linalg.lu_factor", A, square=False)
    lu, piv, _ = call(_LU, (A, pivot, True), {})
    if out is not None:
        lu, piv = _write(out[0], lu), _write(out[1], piv)
    return return_type("linalg_lu_factor", ("LU", "pivots"))((lu, piv))


def lu(A, *, pivot=True, out=None):
    """LU decomposition with partial pivoting ``A = P L U``."""
    check_linalg("linalg.lu", A, square=False)
    packed, piv, _ = call(_LU, (A, pivot, False), {})
    m, n = A.shape[-2:]
    low, up = _unpack(packed, m, n)
    res = (_perm_matrix(piv, m, A), low, up)
    if out is not None:
        res = tuple(_write(o, r) for o, r in zip(out, res))
    return return_type("linalg_lu", ("P", "L", "U"))(res)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solves ``A X = B`` (``X A = B`` when not ``left``; ``A^H`` when ``adjoint``) from A's LU factors."""
    check_linalg("linalg.lu_solve", LU)
    n = LU.shape[-1]
    low, up = _unpack(LU, n, n)
    perm = _perm_matrix(pivots, n, LU)
    tri = solve_triangular
    if left and not adjoint:
        x = tri(up, tri(low, perm.mT @ B, upper=False, unitriangular=True), upper=True)
    elif left:
        x = perm @ tri(low.mH, tri(up.mH, B, upper=False), upper=True, unitriangular=True)
    elif not adjoint:
        y = tri(up, B, upper=True, left=False)
        x = tri(low, y, upper=False, left=False, unitriangular=True) @ perm.mT
    else:
        y = tri(low.mH, B @ perm, upper=True, left=False, unitriangular=True)
        x = tri(up.mH, y, upper=False, left=False)
    return x if out is None else _write(out, x)


# ---------------------------------------------------------------------------------------- exp / power

# Degree-13 Pade coefficients of exp, with the matching scaling threshold (Higham 2005).
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _matrix_exp(xp, a):
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    x = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    norm = xp.abs(x).sum(-2).max(-1).max() if x.ndim > 2 else xp.abs(x).sum(0).max()
    steps = max(0, int(math.ceil(math.log2(float(norm) / _THETA13)))) if norm > _THETA13 else 0
    x = x / (2.0 ** steps)
    eye = _eye_batch(xp, x)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    c = _PADE13
    u = x @ (x6 @ (c[13] * x6 + c[11] * x4 + c[9] * x2) + c[7] * x6 + c[5] * x4 + c[3] * x2 + c[1] * eye)
    v = x6 @ (c[12] * x6 + c[10] * x4 + c[8] * x2) + c[6] * x6 + c[4] * x4 + c[2] * x2 + c[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(steps):
        r = r @ r
    return r.astype(a.dtype)


def _matrix_exp_backward(g, a, out):
    # The adjoint of the Frechet derivative is the top-right block of exp([[A^H, G], [0, A^H]]).
    n = a.shape[-1]
    ah = a.mH
    zero = _f("zeros_like")(ah)
    block = _f("cat")([_f("cat")([ah, g], -1), _f("cat")([zero, ah], -1)], -2)
    return (call(_MATRIX_EXP, (block,), {})[..., :n, n:],)


_MATRIX_EXP = register("linalg_matrix_exp", _matrix_exp, _matrix_exp_backward, save=(0,), method=False,
                       function=False)


def matrix_exp(A):
    """Matrix exponential of square matrices."""
    check_linalg("linalg.matrix_exp", A)
    return call(_MATRIX_EXP, (A,), {})


def matrix_power(A, n, *, out=None):
    """``A`` raised to the integer power ``n`` (negative powers invert first)."""
    _need_tensor("matrix_power", A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim > 1 else 1} by {A.shape[-1] if A.ndim else 1} matrices")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        # torch copies the identity into a clone of A, so the result stays attached to A's graph.
        res = A.clone()
        res.copy_(_eye_like(A, A.shape[-1]).expand(A.shape))
    else:
        base = inv(A) if n < 0 else A
        res = _power(base, abs(n))
    return res if out is None else _write(out, res)


def _power(a, n):
    # Square-and-multiply, as torch does, so that rounding follows the same product order.
    result = None
    z = a
    while n:
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
        if n:
            z = z @ z
    return result


def chain_matmul(*matrices, out=None):
    """Product of the given 2-D matrices (deprecated in torch: use linalg.multi_dot)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 1:
        res = matrices[0].clone()
    else:
        res = multi_dot(matrices)
    return res if out is None else _write(out, res)


def multi_dot(tensors, *, out=None):
    """Product of two or more matrices, in the cheapest order (first and last may be vectors)."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        _need_tensor("multi_dot", t, 1, "tensors")
        want = "1D or 2D" if i in (0, n - 1) else "2D"
        if t.ndim != 2 and not (t.ndim == 1 and i in (0, n - 1)):
            raise RuntimeError(f"multi_dot(): {'the first' if i == 0 else 'the last' if i == n - 1 else ''}"
                               f"{'' if i in (0, n - 1) else 'tensor ' + str(i)} must be {want} but got "
                               f"{t.ndim}D".replace("the firsttensor", "the first tensor"))
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{tensors[0].dtype._legacy} and tensor {i} {t.dtype._legacy}")
    mats = list(tensors)
    first_vec, last_vec = mats[0].ndim == 1, mats[-1].ndim == 1
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    res = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0, n - 1)
    if first_vec and last_vec:
        res = res.reshape(())
    elif first_vec:
        res = res.squeeze(0)
    elif last_vec:
        res = res.squeeze(1)
    return res if out is None else _write(out, res)


def _chain_order(dims):
    """Matrix-chain dynamic programme: split[i][j] is the best split of the product i..j."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k).mm(_chain(mats, split, k + 1, j))


# ---------------------------------------------------------------------------------------- lstsq / rank

def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Numerical rank: the number of singular values above ``max(atol, rtol * sigma_max)``."""
    check_linalg("linalg.matrix_rank", A, square=False)
    if hermitian:
        s = eigvalsh(A).abs()
    else:
        s = svdvals(A)
    m, n = A.shape[-2:]
    if rtol is None:
        rtol = 0.0 if atol and atol > 0 else max(m, n) * _dtype.finfo(s.dtype).eps
    smax = s.amax(-1, keepdim=True) if s.shape[-1] else s.sum(-1, keepdim=True)
    tol = (smax * rtol).clamp(min=0.0 if atol is None else atol)
    res = (s > tol).sum(-1)
    return res if out is None else _write(out, res)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` with residuals, rank and singular values (driver-dependent)."""
    check_linalg("torch.linalg.lstsq", A, square=False)
    _need_tensor("linalg.lstsq", B, 2, "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype._legacy} and other's dtype {B.dtype._legacy}")
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of {_LSTSQ_DRIVERS}")
    vec = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vec else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    rt = max(m, n) * _dtype.finfo(A.dtype).eps if rcond is None or rcond < 0 else rcond
    x = pinv(A, rtol=rt) @ b
    # Outputs a driver does not compute are empty, yet attached to A's graph as in torch.
    none = A.reshape(-1)[:0].abs()
    rank = matrix_rank(A, rtol=rt) if driver != "gels" else _f("empty")(0, dtype=_dtype.int64)
    sv = svdvals(A) if driver in ("gelsd", "gelss") else none
    full = driver != "gelsy" and m > n and bool((matrix_rank(A, rtol=rt) == n).all())
    res = ((A @ x - b).abs() ** 2).sum(-2) if full else none
    if vec:
        x = x.squeeze(-1)
    fields = ("solution", "residuals", "rank", "singular_values")
    return return_type("linalg_lstsq", fields)((x, res, rank, sv))


def householder_product(A, tau, *, out=None):
    """The first n columns of the product of Householder reflectors ``I - tau_i v_i v_i^H``."""
    check_linalg("torch.linalg.householder_product", A, square=False, arg="input")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal "
                           "to input.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal "
                           "to tau.shape[-1]")
    eye = _f("eye")(m, dtype=A.dtype, device=A.device)
    q = eye[:, :n].expand(*A.shape[:-2], m, n)
    low = A.tril(-1) + _f("eye")(m, n, dtype=A.dtype, device=A.device)
    for i in range(k - 1, -1, -1):
        v = low[..., :, i:i + 1]
        q = q - tau[..., i, None, None] * (v @ (v.mH @ q))
    return q if out is None else _write(out, q)


# ---------------------------------------------------------------------------------------- torch.* aliases

_warned = set()


def _warn_once(key, msg):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(msg, UserWarning, stacklevel=3)


def inverse(input, *, out=None):
    """Inverse of a square matrix (alias of linalg.inv)."""
    return inv(input, out=out)


def cholesky(input, upper=False, *, out=None):
    """Cholesky factor (deprecated in torch: use linalg.cholesky)."""
    _warn_once("cholesky", "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will "
                           "be removed "
               "in a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
               "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be "
               "replaced with\nU = "
               "torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for all valid "
               "(symmetric positive definite) inputs.")
    check_linalg("cholesky", input)
    res = call(_CHOLESKY, (input, upper, True), {})[0]
    return res if out is None else _write(out, res)


def _qr_top(input, some=True, *, out=None):
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                     "future PyTorch "
               "release.\nThe boolean parameter 'some' has been replaced with a string parameter "
               "'mode'.\nQ, R = "
               "torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, 'reduced' if some else "
               "'complete')")
    return qr(input, some, out=out)


def _chain_matmul_top(*matrices, out=None):
    _warn_once("chain_matmul", "torch.chain_matmul is deprecated and will be removed in a future "
                               "PyTorch release. "
               "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
               "multiple parameters.")
    return chain_matmul(*matrices, out=out)


def _named(fn, name):
    fn.__name__ = fn.__qualname__ = name
    return fn


for _fn, _name, _method in ((inverse, "inverse", True), (det, "det", True), (logdet, "logdet", True),
                            (slogdet, "slogdet", True), (svd, "svd", True), (pinverse, "pinverse", True),
                            (matrix_power, "matrix_power", True), (matrix_exp, "matrix_exp", True),
                            (cholesky, "cholesky", True), (_qr_top, "qr", True),
                            (_chain_matmul_top, "chain_matmul", False)):
    public(_named(_fn, _name) if _fn.__name__ != _name else _fn, method=_method)
