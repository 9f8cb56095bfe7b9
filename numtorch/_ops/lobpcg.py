"""torch.lobpcg: a few extreme eigenpairs of ``A x = lambda B x`` (A, B symmetric, B positive-definite) by
locally optimal block preconditioned conjugate gradients -- Knyazev (2001) for method "basic", the
B-orthogonal basis of Stathopoulos & Wu (2002) / Duersch et al. (2018) for "ortho". The iteration follows
torch's step for step (same start block from the default generator, same Rayleigh-Ritz reductions, same
stopping test), so a seeded run lands on torch's eigenpairs. The worker's math runs on backend arrays;
its state is exposed as tensors for a tracker. Dense ``A`` only: numtorch has no sparse tensors."""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, bump
from ..autograd.function import Function
from ._registry import FUNCTIONS
from .decomp import _cholesky_ex, _solve_tri, linalg_cholesky
from .pointwise import public
from .solvers import cholesky_solve

_F = FUNCTIONS
# torch's default tolerance is the square root of these rounded machine epsilons (float16 has none:
# torch fails with a KeyError, and so does this table).
_FEPS = {_dtype.float32: 1.2e-07, _dtype.float64: 2.23e-16}


# ---------------------------------------------------------------------------------------- array helpers

def _times(M, x):
    """``M @ x`` where a missing ``M`` (B or iK not given) is the identity."""
    return x if M is None else M @ x


def _qform(M, S):
    return S.T @ _times(M, S)


def _symeig(xp, M, largest=False):
    """Eigenpairs of a small symmetric matrix (upper triangle), descending when ``largest``."""
    E, Z = xp.linalg.eigh(M, UPLO="U")
    return (E[::-1], Z[:, ::-1]) if largest else (E, Z)


def _col_norms(x):
    return (x * x).sum(0) ** 0.5


def _fro(x):
    return float((x * x).sum() ** 0.5)


def _data(t):
    return None if t is None else t._data


# ---------------------------------------------------------------------------------------- the worker

class LOBPCG:
    """The state of one LOBPCG run; a tracker gets this object after every iteration.

    ``iparams``/``fparams``/``bparams`` hold the int/float/bool settings, ``ivars``/``fvars``/``bvars``/
    ``tvars`` the int/float/bool/tensor iteration variables (``ivars["istep"]``,
    ``ivars["converged_count"]``, ``tvars["rerr"]``, ...); ``X``, ``E``, ``R``, ``S`` are the current
    eigenvectors, eigenvalues, residuals and search basis. A tracker that sets
    ``bvars["force_stop"] = True`` ends the iteration.
    """

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method, tracker):
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = _F["zeros"]((n,), dtype=X.dtype, device=X.device)
        self.R = _F["zeros"]((m, n), dtype=X.dtype, device=X.device)
        self.S = _F["zeros"]((m, 3 * n), dtype=X.dtype, device=X.device)
        self.tvars = {}
        self.ivars = {"istep": 0}
        self.fvars = {"_": 0.0}
        self.bvars = {"_": False}

    def __str__(self):
        names = ("iparams", "fparams", "bparams", "ivars", "fvars", "bvars", "tvars", "A", "B", "iK", "X",
                 "E")
        return "LOBPCG:\n" + "".join(f"  {name}={getattr(self, name)}\n" for name in names)

    @property
    def _xp(self):
        return self.X._xp

    @staticmethod
    def _put(t, index, value):
        t._data[index] = value
        bump(t)

    def update(self):
        """Set up (first call) or advance the iteration variables by one step."""
        if self.ivars["istep"] == 0:
            x = self.X._data
            x_norm = _fro(x)
            inv_norm = x_norm ** -1
            self.fvars["X_norm"] = x_norm
            self.fvars["A_norm"] = _fro(_times(_data(self.A), x)) * inv_norm
            self.fvars["B_norm"] = _fro(_times(_data(self.B), x)) * inv_norm
            self.ivars["iterations_left"] = self.iparams["niter"]
            self.ivars["converged_count"] = 0
            self.ivars["converged_end"] = 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.method == "ortho":
                self._update_ortho()
            else:
                self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self):
        """R = A X - B X diag(E)."""
        x = self.X._data
        self.R = Tensor._wrap(_times(_data(self.A), x) - _times(_data(self.B), x) * self.E._data)

    def update_converged_count(self):
        """Count the leading eigenpairs whose backward-stable relative residual (Duersch et al. 2018,
        section 4.3) is below ``tol``; later pairs do not count before earlier ones."""
        before = self.ivars["converged_count"]
        x, r, e = self.X._data, self.R._data, self.E._data
        scale = self.fvars["A_norm"] + abs(e[:x.shape[-1]]) * self.fvars["B_norm"]
        rerr = _col_norms(r) / (_col_norms(x) * scale)
        converged = (rerr < self.fparams["tol"]).tolist()
        count = converged.index(False) if False in converged else len(converged)
        if count < before:
            raise AssertionError(f"the number of converged eigenpairs (was {before}, got {count}) cannot "
                                 "decrease")
        self.ivars["converged_count"] = count
        self.tvars["rerr"] = Tensor._wrap(rerr)
        return count

    def stop_iteration(self):
        """True once a tracker forces a stop, the iterations run out or ``k`` pairs have converged."""
        return (self.bvars.get("force_stop", False) or self.ivars["iterations_left"] == 0
                or self.ivars["converged_count"] >= self.iparams["k"])

    def run(self):
        """Iterate until ``stop_iteration``, calling the tracker after every step."""
        self.update()
        if self.tracker is not None:
            self.call_tracker()
        while not self.stop_iteration():
            self.update()
            if self.tracker is not None:
                self.call_tracker()

    def call_tracker(self):
        """Hand this worker to the user's tracker."""
        self.tracker(self)

    # -------------------------------------------------------------------------- one step per method

    def _start(self, ortho):
        """Step 0 (both methods): Rayleigh-Ritz on the start block, then S = [X, W]."""
        xp, n = self._xp, self.iparams["n"]
        x = self.X._data
        Ri = self._get_rayleigh_ritz_transform(x)
        E, Z = _symeig(xp, _qform(_qform(_data(self.A), x), Ri), self.bparams["largest"])
        if ortho:
            # torch leaves E at zero here, so the first residual of "ortho" is just A X.
            self.X = Tensor._wrap(x @ (Ri @ Z))
        else:
            self._put(self.X, slice(None), x @ (Ri @ Z))
            self._put(self.E, slice(None), E)
        self.update_residual()
        self.update_converged_count()
        self._put(self.S, (slice(None), slice(None, n)), self.X._data)
        r = self.R._data
        W = self._get_ortho(r, self.X._data) if ortho else _times(_data(self.iK), r)
        self._set_search(n, W)

    def _set_search(self, top, W):
        end = self.ivars["converged_end"] = top + W.shape[-1]
        self._put(self.S, (slice(None), slice(top, end)), W)

    def _ritz_update(self, X, E, nc, n):
        """X[:, nc:] and E[nc:] from the leading Ritz pairs of the active basis S[:, nc:ns]."""
        self._put(self.X, (slice(None), slice(nc, None)), X)
        self._put(self.E, slice(nc, None), E[:n - nc])

    def _update_basic(self):
        if self.ivars["istep"] == 0:
            self._start(False)
            return
        n, nc, ns = self.iparams["n"], self.ivars["converged_count"], self.ivars["converged_end"]
        S_ = self.S._data[:, nc:ns]
        Ri = self._get_rayleigh_ritz_transform(S_)
        E_, Z = _symeig(self._xp, _qform(_qform(_data(self.A), S_), Ri), self.bparams["largest"])
        self._ritz_update(S_ @ (Ri @ Z[:, :n - nc]), E_, nc, n)
        P = S_ @ (Ri @ Z[:, n:2 * n - nc])
        self._refresh(n, P, lambda r, nc: _times(_data(self.iK), r[:, nc:]))

    def _update_ortho(self):
        if self.ivars["istep"] == 0:
            self._start(True)
            return
        xp = self._xp
        n, nc, ns = self.iparams["n"], self.ivars["converged_count"], self.ivars["converged_end"]
        S_ = self.S._data[:, nc:ns]
        # S is B-orthonormal here, so the Rayleigh-Ritz problem is a standard one.
        E_, Z = _symeig(xp, _qform(_data(self.A), S_), self.bparams["largest"])
        self._ritz_update(S_ @ Z[:, :n - nc], E_, nc, n)
        basis = xp.linalg.qr(Z[:n - nc, n - nc:].T)[0]
        P = S_ @ (Z[:, n - nc:] @ basis)
        self._refresh(n, P, lambda r, nc: self._get_ortho(r[:, nc:], self.S._data[:, :n + P.shape[-1]]))

    def _refresh(self, n, P, new_directions):
        """New residual and convergence count, then S = [X, P, W] with W from the unconverged residuals."""
        self.update_residual()
        nc = self.update_converged_count()
        np_ = P.shape[-1]
        self._put(self.S, (slice(None), slice(None, n)), self.X._data)
        self._put(self.S, (slice(None), slice(n, n + np_)), P)
        self._set_search(n + np_, new_directions(self.R._data, nc))

    # -------------------------------------------------------------------------- bases

    def _get_rayleigh_ritz_transform(self, S):
        """Ri with ``Ri^T S^T B S Ri = I``: Cholesky of the unit-diagonal scaling of S^T B S, inverted."""
        xp = self._xp
        SBS = _qform(_data(self.B), S)
        d = xp.diagonal(SBS) ** -0.5
        R = _cholesky_ex(xp, SBS * d * d[:, None], upper=True, check_errors=True)[0]
        return _solve_tri(xp, R, xp.diag(d), True, left=False)

    def _get_svqb(self, U, drop, tau):
        """B-orthonormal columns spanning U (SVQB); with ``drop`` columns of small weight are removed."""
        xp, B = self._xp, _data(self.B)
        if U.size == 0:
            return U
        UBU = _qform(B, U)
        d = xp.diagonal(UBU)
        nonzero = d != 0
        if not bool(nonzero.all()):
            # An exactly zero column would make d ** -0.5 infinite: drop it first.
            U = U[:, nonzero]
            if U.size == 0:
                return U
            UBU = _qform(B, U)
            d = xp.diagonal(UBU)
        d_col = (d ** -0.5)[:, None]
        E, Z = _symeig(xp, (UBU * d_col) * d_col.T)
        t = tau * abs(E).max()
        if drop:
            keep = E > t
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            E = xp.where(E < t, t, E)
        return (U * d_col.T) @ (Z * E ** -0.5)

    def _get_ortho(self, U, V):
        """B-orthonormal columns spanning U, B-orthogonal to V (may come back with fewer or no columns)."""
        xp, ip, fp = self._xp, self.iparams, self.fparams
        B = _data(self.B)
        for key in [key for key in self.fvars if key.startswith("ortho_") and key.endswith("_rerr")]:
            del self.fvars[key]
        self.ivars.pop("ortho_i", 0)
        self.ivars.pop("ortho_j", 0)
        BV_norm = _fro(_times(B, V))
        VBU = V.T @ _times(B, U)
        i = j = 0
        for i in range(ip["ortho_i_max"]):
            U = U - V @ VBU
            drop, tau = False, fp["ortho_tol_drop"]
            for j in range(ip["ortho_j_max"]):
                if self.bparams["ortho_use_drop"]:
                    U = self._get_svqb(U, drop, tau)
                    drop, tau = True, fp["ortho_tol_replace"]
                else:
                    U = self._get_svqb(U, False, fp["ortho_tol_replace"])
                if U.size == 0:
                    self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
                    return U
                BU = _times(B, U)
                UBU = U.T @ BU
                UBU[xp.diag_indices(UBU.shape[-1])] -= 1
                rerr = _fro(UBU) * (_fro(BU) * _fro(U)) ** -1
                self.fvars[f"ortho_UBUmI_rerr[{i}, {j}]"] = rerr
                if rerr < fp["ortho_tol"]:
                    break
            VBU = V.T @ BU
            rerr = _fro(VBU) * (BV_norm * _fro(U)) ** -1
            self.fvars[f"ortho_VBU_rerr[{i}]"] = rerr
            if rerr < fp["ortho_tol"]:
                break
            if ip["m"] < U.shape[-1] + V.shape[-1]:
                if self.B is None:
                    raise AssertionError("B must not be None")
                raise ValueError(f"Overdetermined shape of U: #B-cols(={self.B.shape[-1]}) >= "
                                 f"#U-cols(={U.shape[-1]}) + #V-cols(={V.shape[-1]}) must hold")
        self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
        return U


# ---------------------------------------------------------------------------------------- driver

def _floating(A):
    dt = A.dtype
    return dt if dt in (_dtype.float16, _dtype.float32, _dtype.float64) else _dtype.float32


def _check_operands(X, *mats):
    """torch's first product with each operand fails on a dtype or size mismatch: fail the same way."""
    for M in mats:
        if M is not None and (M.dtype != X.dtype or M.shape[-1] != X.shape[-2]):
            _F["matmul"](M, X)


def _settings(m, n, k, niter, tol, largest, method, ortho_iparams, ortho_fparams, ortho_bparams):
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)
    return iparams, fparams, bparams


def _solve_one(A, B, X, iK, m, n, settings, method, tracker):
    if not (X.ndim == 2 and tuple(X.shape) == (m, n)):
        raise AssertionError(f"X shape mismatch: got {X.shape}, expected {(m, n)}")
    # "ortho" never applies iK.
    _check_operands(X, A, B, iK if method != "ortho" else None)
    worker = LOBPCG(A, B, X, iK, *settings, method, tracker)
    worker.run()
    return worker


def _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
            ortho_bparams):
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype, device = _floating(A), A.device
    if tol is None:
        tol = _FEPS[dtype] ** 0.5
    m = A.shape[-1]
    if k is None:
        k = 1 if X is None else X.shape[-1]
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller "
                         f"than 3 x the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    settings = _settings(m, n, k, niter, tol, largest, method, ortho_iparams, ortho_fparams, ortho_bparams)

    def start(X_):
        return _F["randn"]((m, n), dtype=dtype, device=device) if X_ is None else X_

    if A.ndim == 2:
        worker = _solve_one(A, B, start(X), iK, m, n, settings, method, tracker)
        return worker.E[:k], worker.X[:, :k]
    # Batches run one matrix at a time, each with its own random start block when X is None.
    N = math.prod(A.shape[:-2])
    bA = A.reshape((N,) + tuple(A.shape[-2:]))
    bB = None if B is None else B.reshape((N,) + tuple(A.shape[-2:]))
    bX = None if X is None else X.reshape((N,) + tuple(X.shape[-2:]))
    bE = _F["empty"]((N, k), dtype=dtype, device=device)
    bU = _F["empty"]((N, m, k), dtype=dtype, device=device)
    for i in range(N):
        settings[0]["batch_index"] = i
        worker = _solve_one(bA[i], None if bB is None else bB[i], start(None if bX is None else bX[i]), iK,
                            m, n, settings, method, tracker)
        bE[i] = worker.E[:k]
        bU[i] = worker.X[:, :k]
    return bE.reshape(tuple(A.shape[:-2]) + (k,)), bU.reshape(tuple(A.shape[:-2]) + (m, k))


# ---------------------------------------------------------------------------------------- backward

def _full_space_grad(D_grad, U_grad, D, U):
    """A's gradient when U spans the whole space: ``U (diag(gD) + (U^T gU) o F) U^T``,
    ``F_ij = 1 / (d_j - d_i)`` off the diagonal and 0 on it."""
    eye = _F["eye"](D.shape[-1], dtype=D.dtype, device=D.device)
    gaps = D.unsqueeze(-2) - D.unsqueeze(-1) + eye
    inner = D_grad.diag_embed() + (U.mT @ U_grad) * (gaps.reciprocal() * (1 - eye))
    return U @ (inner @ U.mT)


def _poly_from_roots(roots):
    """Ascending coefficients of the monic ``prod_i (x - roots[..., i])``, one factor at a time."""
    c = _F["ones_like"](roots[..., :1])
    for i in range(roots.shape[-1]):
        r = roots[..., i:i + 1]
        zero = _F["zeros_like"](r)
        c = _F["cat"]([zero, c], -1) - r * _F["cat"]([c, zero], -1)
    return c


def _partial_space_grad(D_grad, U_grad, A, D, U, largest):
    """A's gradient for k < m eigenpairs: the span(U) part plus the solution of the Sylvester equation
    on the orthogonal complement, by the characteristic polynomial p of D (Hu & Cheng 2006)."""
    m, k = U.shape[-2], U.shape[-1]
    eye = _F["eye"](m, dtype=A.dtype, device=A.device)
    # A complement basis from noise of a fresh default-seeded generator, as torch draws it, so the
    # result does not depend on (nor disturb) the global random state.
    from ..random import Generator
    noise = _F["randn"]((*A.shape[:-1], m - k), dtype=A.dtype, device=A.device, generator=Generator(A.device))
    U_ortho = (eye - U @ U.mT) @ noise
    coeffs = _poly_from_roots(D)
    # sum_j (A^(j-1) gU) q_j(D), where q_j(x) = sum_i coeffs[j + i] x^i; Horner gives q_k = 1 and
    # q_j = coeffs[j] + x q_(j+1) for all j in one pass.
    q = [_F["ones_like"](D)]
    for j in range(k - 1, 0, -1):
        q.append(coeffs[..., j:j + 1] + D * q[-1])
    series, term = _F["zeros_like"](U_grad), U_grad
    for j in range(1, k + 1):
        series = series + term * q[k - j].unsqueeze(-2)
        if j < k:
            term = A @ term
    p_of_A = eye
    for j in range(k - 1, -1, -1):
        p_of_A = A @ p_of_A + coeffs[..., j, None, None] * eye
    # p restricted to the complement is definite: positive for the smallest eigenpairs, of sign (-1)^k
    # for the largest (A's other eigenvalues all lie below D then).
    sign = -1 if (largest and k % 2 == 1) else 1
    L = linalg_cholesky(sign * (U_ortho.mT @ (p_of_A @ U_ortho)))
    sylvester = U_ortho @ (sign * cholesky_solve(U_ortho.mT @ series, L)) @ U.mT
    return _full_space_grad(D_grad, U_grad, D, U) - sylvester


class LOBPCGAutogradFunction(Function):
    """lobpcg as an autograd Function: the eigenpairs' gradient flows back to A (B = None only)."""

    @staticmethod
    def forward(ctx, A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
                method=None, tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
        A = A.contiguous()
        B = None if B is None else B.contiguous()
        D, U = _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
                       ortho_bparams)
        ctx.save_for_backward(A, B, D, U)
        ctx.largest = largest
        return D, U

    @staticmethod
    def backward(ctx, D_grad, U_grad):
        A, B, D, U = ctx.saved_tensors
        if A.dtype.is_complex or (B is not None and B.dtype.is_complex):
            raise ValueError("lobpcg.backward does not support complex input yet. Note that lobpcg.forward "
                             "does though.")
        if B is not None:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        largest = True if ctx.largest is None else ctx.largest
        if U.shape[-1] == U.shape[-2]:
            A_grad = _full_space_grad(D_grad, U_grad, D, U)
        else:
            A_grad = _partial_space_grad(D_grad, U_grad, A, D, U, largest)
        return (A_grad,) + (None,) * 13


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """The k largest (or smallest) eigenpairs of the symmetric positive-definite generalized eigenproblem
    ``A x = lambda B x`` by LOBPCG (method "ortho", the default, or "basic"); A may be a batch (*, m, m)."""
    args = (k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams, ortho_bparams)
    if A.requires_grad or (B is not None and B.requires_grad):
        # The gradient of a symmetric input should be symmetric: differentiate through (A + A^T) / 2.
        A_sym = (A + A.mT) / 2
        B_sym = None if B is None else (B + B.mT) / 2
        return LOBPCGAutogradFunction.apply(A_sym, k, B_sym, *args[2:])
    return _lobpcg(A, *args)


public(lobpcg, method=False)
