"""torch.linalg: norms, decompositions, solvers and matrix functions (batched over leading dims)."""
import math

from . import _dtype
from ._ops import FUNCTIONS as _F
from ._ops.decomp import (LinAlgError, check_linalg as _check, cholesky_ex, det, inv, inv_ex,
                          linalg_cholesky as cholesky, slogdet, solve, solve_ex, solve_triangular)
from ._ops.lu import (householder_product, lstsq, lu, lu_factor, lu_factor_ex, lu_solve, matrix_exp,
                      matrix_power, matrix_rank, multi_dot)
from ._ops.matrix import linalg_cross as cross, _write
from ._ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from ._ops.spectral import eig, eigh, eigvals, eigvalsh, linalg_qr as qr, linalg_svd as svd, pinv, svdvals
from ._ops.limited import kernel_error
from ._ops.pointwise import _need_tensor
from ._ops.reduction import norm_dims
from ._ops.statistics import _VNORM
from ._ops._registry import call

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig", "eigh",
           "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor", "ldl_factor_ex",
           "ldl_solve", "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
           "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve", "vander",
           "vecdot", "vector_norm"]


def matmul(input, other, *, out=None):
    """Matrix product (alias of torch.matmul)."""
    return _F["matmul"](input, other, out=out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of a batch of matrices (a view, alias of torch.diagonal with other defaults)."""
    return A.diagonal(offset, dim1, dim2)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product ``sum(conj(x) * y)`` along ``dim``, broadcasting."""
    _need_tensor("linalg.vecdot", x)
    _need_tensor("linalg.vecdot", y, 2, "y")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{x.dtype._legacy} and y of type {y.dtype._legacy} instead")
    if x.dtype._limited:
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. Got "
                               f"{x.dtype._legacy}")
        raise kernel_error("dot", x.dtype)
    res = (x.conj() * y).sum(dim)
    return res if out is None else _write(out, res)


def vander(x, *, N=None):
    """Vandermonde matrix with increasing powers ``x**0, ..., x**(N-1)`` along a new last dim."""
    _need_tensor("linalg.vander", x)
    if x.ndim == 0:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n < 2:
        raise RuntimeError("N must be greater than 1.")
    if x.dtype._limited and x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, but got "
                           f"{x.dtype._legacy}")
    base = x if (x.dtype.is_floating_point or x.dtype.is_complex) else x.to(_dtype.int64)
    cols = [_F["ones_like"](base).unsqueeze(-1)]
    if n > 1:
        cols.append(base.unsqueeze(-1).expand(*base.shape, n - 1))
    return _F["cat"](cols, -1).cumprod(-1)


# ---------------------------------------------------------------------------------------- norms

def _float_check(name, x):
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype._legacy}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector ``ord``-norm over ``dim`` (all elements when None)."""
    _need_tensor("linalg.vector_norm", x)
    if dtype is None:
        _float_check("linalg.vector_norm", x)
    if isinstance(dim, int):
        dim = (dim,)
    norm_dims(dim, x.ndim)
    if ord < 0 and x.numel() == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the {} norm on an empty tensor because the "
                           "operation does not have an identity".format(ord))
    kw = {} if dtype is None else {"dtype": dtype}
    if out is not None:
        kw["out"] = out
    return call(_VNORM, (x, float(ord), dim, keepdim), kw)


def _matrix_dims(name, A, dim):
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = [d % A.ndim if -A.ndim <= d < A.ndim else d for d in dim]
    norm_dims(dim, A.ndim)
    return d0, d1


def _svd_sum(A, dims, keepdim):
    res = svdvals(A.movedim(dims, (-2, -1))).sum(-1)
    if keepdim:
        res = res.unsqueeze(min(dims)).unsqueeze(max(dims))
    return res


def _svd_norm(A, ord, dims, keepdim):
    s = svdvals(A.movedim(dims, (-2, -1)))
    res = s.amax(-1) if ord == 2 else s.amin(-1)
    if keepdim:
        res = res.unsqueeze(min(dims)).unsqueeze(max(dims))
    return res


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm: 'fro', 'nuc', 2, -2 (singular values), 1, -1, inf, -inf (row / column sums)."""
    _need_tensor("linalg.matrix_norm", A)
    if dtype is not None:
        A = A.to(dtype)
    _float_check("linalg.matrix_norm", A)
    d0, d1 = _matrix_dims("linalg.matrix_norm", A, tuple(dim))
    if ord == "fro":
        res = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord == "nuc":
        res = _svd_sum(A, (d0, d1), keepdim)
    elif ord in (2, -2):
        res = _svd_norm(A, ord, (d0, d1), keepdim)
    elif ord in (1, -1, math.inf, -math.inf):
        res = _sum_norm(A, ord, d0, d1, keepdim)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    return res if out is None else _write(out, res)


def _sum_norm(A, ord, d0, d1, keepdim):
    if ord in (math.inf, -math.inf):
        d0, d1 = d1, d0
    sums = A.abs().sum(d0, keepdim=True)
    res = sums.amax(d1, keepdim=True) if ord > 0 else sums.amin(d1, keepdim=True)
    if not keepdim:
        res = res.squeeze((d0, d1))
    return res


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector or matrix norm, chosen from ``ord`` and ``dim`` as torch.linalg.norm does."""
    _need_tensor("linalg.norm", A)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if dim is None and ord is not None:
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
        if A.ndim != 1:
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                               "1D or 2D. "
                               f"Got {A.ndim}D.")
    if isinstance(ord, str):
        raise RuntimeError("linalg.norm: If dim is specified, it mut be of length 1 or 2. Got "
                           f"{list(dim or [])}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def cond(A, p=None, *, out=None):
    """Condition number of ``A`` in the ``p``-norm (2-norm via singular values by default)."""
    _need_tensor("linalg.cond", A)
    if p in (None, 2, -2):
        _check("linalg.cond", A, square=False)
        s = svdvals(A)
        res = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    else:
        _check("linalg.cond", A)
        res = matrix_norm(A, p) * matrix_norm(inv_ex(A)[0], p)
    return res if out is None else _write(out, res)


# ---------------------------------------------------------------------------------------- tensor inverses

def tensorinv(A, ind=2, *, out=None):
    """The tensor ``X`` with ``tensordot(A, X, ind)`` the identity."""
    _need_tensor("linalg.tensorinv", A)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    left, right = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = math.prod(left), math.prod(right)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    res = inv(A.reshape(rows, cols)).reshape(right + left)
    return res if out is None else _write(out, res)


def tensorsolve(A, B, dims=None, *, out=None):
    """The tensor ``X`` with ``tensordot(A, X, X.ndim) == B``."""
    _need_tensor("linalg.tensorsolve", A)
    _need_tensor("linalg.tensorsolve", B, 2, "B")
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        keep = [d for d in range(A.ndim) if d not in dims]
        A = A.permute(*keep, *dims)
    rows = B.numel()
    rest = tuple(A.shape[B.ndim:])
    if math.prod(A.shape[:B.ndim]) != rows or math.prod(rest) != rows:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {math.prod(rest)} != "
                           f"{math.prod(A.shape[:B.ndim])}")
    res = solve(A.reshape(rows, rows), B.reshape(rows)).reshape(rest)
    return res if out is None else _write(out, res)
