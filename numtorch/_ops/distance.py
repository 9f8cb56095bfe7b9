"""Distances between vectors: cosine_similarity, pairwise_distance and pdist (cdist lives in matrix)."""
import math

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import FUNCTIONS, _xp_of, call, register
from .pointwise import kernel_error, public
from .shape import unimplemented_derivative


def _need(name, x, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _clamped(norm, eps):
    # torch clamps the norms without recording it: the gradient passes through the clamp unchanged.
    d = norm.detach()
    return norm + (d.clamp_min(eps) - d)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine similarity between x1 and x2, computed along dim."""
    _need("cosine_similarity", x1, "x1", 1)
    _need("cosine_similarity", x2, "x2", 2)
    dt = _dtype.result_type_of([x1, x2])
    if not dt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {dt._legacy}")
    x1, x2 = FUNCTIONS["broadcast_tensors"](x1.to(dt), x2.to(dt))
    n1 = _clamped(x1.norm(2, dim, True), eps)
    n2 = _clamped(x2.norm(2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm distance between vectors of x1 and x2 along the last dimension."""
    _need("pairwise_distance", x1, "x1", 1)
    _need("pairwise_distance", x2, "x2", 2)
    nd = max(x1.dim(), x2.dim())
    if nd == 0:
        return (x1 - x2 + eps).abs() if p != 0 else (x1 - x2 + eps != 0).to(x1.dtype)
    return (x1 - x2 + eps).norm(p, nd - 1, keepdim)


def _pairs(xp, n):
    return xp.triu_indices(n, 1)


def _pnorm(xp, d, p):
    a = xp.abs(d)
    if p == 0:
        return (a != 0).sum(-1).astype(d.dtype)
    if p == math.inf:
        return a.max(-1, initial=0)
    if p == 1:
        return a.sum(-1)
    if p == 2:
        return xp.sqrt((a * a).sum(-1))
    return (a ** p).sum(-1) ** (1 / p)


def _pdist(xp, x, p):
    i, j = _pairs(xp, x.shape[0])
    return _pnorm(xp, x[i] - x[j], p).astype(x.dtype, copy=False)


def _pdist_backward(grad, x, out, p):
    # torch's _pdist_backward kernel has no derivative: computed without a graph, linked to raise
    with grad_mode.no_grad():
        r = _pdist_grad(grad, x, out, p)
    return (_PDIST_BACKWARD(r, grad, x, out),)


def _pdist_grad(grad, x, out, p):
    xp = _xp_of([x._data])
    i, j = (Tensor._wrap(k) for k in _pairs(xp, x.shape[0]))
    d = x.index_select(0, i) - x.index_select(0, j)
    where = FUNCTIONS["where"]
    dist = out.unsqueeze(1)
    g = grad.unsqueeze(1)
    if p == 0:
        gd = d * 0
    elif p == 1:
        gd = d.sign() * g
    elif p == math.inf:
        gd = d.sign() * (d.abs() == dist) * g
    elif p == 2:
        gd = where(dist == 0, 0.0, d / dist) * g
    else:
        gd = where((dist == 0) | (d == 0), 0.0, d.sign() * d.abs() ** (p - 1) / dist ** (p - 1)) * g
    return x.new_zeros(x.shape).index_add(0, i, gd).index_add(0, j, -gd)


_PDIST_BACKWARD = unimplemented_derivative("_pdist_backward", "PdistBackwardBackward0", NotImplementedError)
_PDIST = register("pdist", _pdist, _pdist_backward, save=(0,), save_out=True, node="PdistBackward0",
                  method=False, function=False)


def pdist(input, p=2):
    """The p-norm distance between every pair of row vectors in the input."""
    _need("pdist", input, "input", 1)
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input.dtype.itemsize == 2:
        # torch's pdist kernel takes float and double only
        raise kernel_error("pdist", input.dtype)
    return call(_PDIST, (input, p), {})


for _fn in (cosine_similarity, pairwise_distance, pdist):
    public(_fn, method=False)
