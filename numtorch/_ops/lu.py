"""LU factorisation and solves, matrix exponential and powers, multi_dot, lstsq, matrix rank and the
deprecated ``torch.*`` linear-algebra aliases."""
import math
import warnings

import numpy as np

from .. import _dtype
from ._registry import call, register
from .pointwise import _need_tensor, public
from .sorting import return_type
from .matrix import _eye_like, _f, _write
from .decomp import (_CHOLESKY, _eye_batch, _lu_arrays, check_linalg, det, inv, logdet, slogdet,
                     solve_triangular)
from .spectral import eigvalsh, pinv, pinverse, qr, svd, svdvals


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
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
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
