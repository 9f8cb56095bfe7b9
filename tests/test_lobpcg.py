"""torch.lobpcg against the torch oracle: eigenpairs of both methods (eigenvectors compared up to the sign
of each column), the random start block, B, iK, batches, the tracker protocol, gradients and errors."""
import numpy as np
import pytest

from conftest import assert_same, lib_of, need_torch, to_np

TOL = {"float64": dict(atol=1e-10, rtol=1e-10), "float32": dict(atol=2e-4, rtol=2e-5)}


def spd(m, seed=0, dtype="float64", batch=()):
    """A symmetric positive-definite test matrix with well separated eigenvalues 1..10 (plus noise)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (m, m))
    return (a @ np.swapaxes(a, -1, -2) / m + np.diag(np.linspace(1, 10, m))).astype(dtype)


def canonical(X):
    """Eigenvectors with the first entry of each column made positive (a sign-free comparison)."""
    return X * X[..., :1, :].sign()


def seeded(seed=0):
    """Each library in turn, its global generator seeded with ``seed``."""
    need_torch()
    for name in ("torch", "numtorch"):
        lib = lib_of(name)
        lib.manual_seed(seed)
        yield name, lib


def solve_both(make, **kw):
    """``lib.lobpcg(**make(lib), **kw)`` after manual_seed(0) in both libraries, with a tracker that records
    the state it is shown; returns {lib name: (E, canonical X, tracker records, inputs)}."""
    res = {}
    for name, lib in seeded():
        inputs = make(lib)
        seen = []

        def tracker(w):
            seen.append((w.ivars["istep"], w.ivars["converged_count"], to_np(w.E), to_np(w.tvars["rerr"])))
        E, X = lib.lobpcg(**inputs, tracker=tracker, **kw)
        res[name] = (E, canonical(X), seen, inputs)
    return res


def check(make, dtype="float64", **kw):
    res = solve_both(make, **kw)
    (Et, Xt, st, _), (En, Xn, sn, _) = res["torch"], res["numtorch"]
    assert_same(En, Et, **TOL[dtype])
    assert_same(Xn, Xt, **TOL[dtype])
    assert [s[:2] for s in sn] == [s[:2] for s in st], "tracker calls (istep, converged_count) differ"
    for (_, _, en, rn), (_, _, et, rt) in zip(sn, st):
        np.testing.assert_allclose(en, et, **TOL[dtype])
        # relative residuals are differences of nearly equal products: in float32 only a few digits agree
        np.testing.assert_allclose(rn, rt, **(dict(rtol=0.05, atol=5e-6) if dtype == "float32" else
                                              dict(rtol=1e-4, atol=1e-12)))
    return res


def tensors(**arrays):
    return lambda lib: {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in arrays.items()}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k,n", [(1, None), (2, 3), (3, None)])
def test_random_start(dtype, method, largest, k, n):
    check(tensors(A=spd(20, 1, dtype)), dtype, k=k, n=n, method=method, largest=largest)


@pytest.mark.parametrize("method", [None, "basic", "something else"])
def test_given_start_block(method):
    res = check(tensors(A=spd(18, 2), X=np.random.default_rng(3).standard_normal((18, 3))), k=2,
                method=method)
    # method "basic" writes its first Ritz vectors into the caller's X (any other name runs "basic").
    assert_same(canonical(res["numtorch"][3]["X"]), canonical(res["torch"][3]["X"]), atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
def test_generalized(method, largest):
    check(tensors(A=spd(20, 4), B=spd(20, 5) / 5), k=2, method=method, largest=largest)


@pytest.mark.parametrize("method", ["ortho", "basic"])
def test_preconditioner(method):
    a = spd(20, 6)
    check(tensors(A=a, iK=np.linalg.inv(a + 2 * np.eye(20))), k=2, largest=False, method=method)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_batched(dtype):
    check(tensors(A=spd(15, 7, dtype, batch=(2, 2))), dtype, k=2)
    check(tensors(A=spd(15, 8, dtype, batch=(3,)), B=spd(15, 9, dtype, batch=(3,)) / 5), dtype, k=1,
          method="basic")
    x = np.random.default_rng(9).standard_normal((2, 15, 2)).astype(dtype)
    check(tensors(A=spd(15, 8, dtype, batch=(2,)), X=x), dtype, largest=False)


def test_batch_index_and_generator_state():
    out = {}
    for name, lib in seeded(1):
        seen = []
        lib.lobpcg(lib.tensor(spd(12, 1, batch=(2,))), k=2, tracker=lambda w: seen.append(w.iparams.get(
            "batch_index")))
        out[name] = seen, to_np(lib.randn(3))
    assert out["numtorch"][0] == out["torch"][0]
    np.testing.assert_array_equal(out["numtorch"][1], out["torch"][1])


@pytest.mark.parametrize("kw", [dict(niter=4), dict(niter=1, method="basic"), dict(tol=1e-3),
                                dict(ortho_bparams={"ortho_use_drop": True}),
                                dict(ortho_iparams={"ortho_i_max": 1, "ortho_j_max": 1},
                                     ortho_fparams={"ortho_tol": 1e-6})])
def test_settings(kw):
    check(tensors(A=spd(21, 10)), k=3, **kw)


def test_tracker_sees_worker_state():
    rec = {}
    for name, lib in seeded():
        seen = []

        def tracker(w):
            seen.append((sorted(w.ivars), sorted(w.fvars), sorted(w.bvars), sorted(w.tvars), dict(w.iparams),
                         dict(w.fparams), dict(w.bparams), w.method, tuple(w.X.shape), tuple(w.R.shape),
                         tuple(w.S.shape), w.ivars["converged_end"]))
            if w.ivars["istep"] == 3:
                w.bvars["force_stop"] = True
        E, X = lib.lobpcg(lib.tensor(spd(15, 11)), k=2, tracker=tracker)
        rec[name] = seen, to_np(E)
    assert rec["numtorch"][0] == rec["torch"][0]
    np.testing.assert_allclose(rec["numtorch"][1], rec["torch"][1], rtol=1e-10)


# ---------------------------------------------------------------------------------------- gradients

def grads_both(a, dtype="float64", **kw):
    w = np.random.default_rng(12).uniform(0.5, 1.5, a.shape[:-1] + (kw.get("k", 1),))
    res = {}
    for name, lib in seeded():
        A = lib.tensor(a, requires_grad=True)
        E, X = lib.lobpcg(A, **kw)
        X = canonical(X)
        gA, = lib.autograd.grad((E * E).sum() + (X * lib.tensor(w, dtype=X.dtype)).sum(), A)
        res[name] = E, X, gA, type(E.grad_fn).__name__
    return res


@pytest.mark.parametrize("kw", [dict(k=1), dict(k=2, tol=1e-12), dict(k=3, largest=False, tol=1e-12),
                                dict(k=2, n=3, method="basic", tol=1e-12)])
def test_gradients(kw):
    res = grads_both(spd(18, 13), **kw)
    assert_same(res["numtorch"][:3], res["torch"][:3], atol=1e-9, rtol=1e-8)
    assert res["numtorch"][3] == res["torch"][3] == "LOBPCGAutogradFunctionBackward"


def test_gradients_batched_float32():
    res = grads_both(spd(12, 14, batch=(2,)), k=2, tol=1e-12)
    assert_same(res["numtorch"][:3], res["torch"][:3], atol=1e-9, rtol=1e-8)
    res = grads_both(spd(15, 15, "float32"), k=2)
    assert_same(res["numtorch"][:3], res["torch"][:3], atol=1e-3, rtol=1e-3)


def test_gradient_of_nonsymmetric_input_is_symmetric():
    res = grads_both(spd(12, 16) + np.triu(np.full((12, 12), 0.01), 1), k=2, tol=1e-12)
    assert_same(res["numtorch"][2], res["torch"][2], atol=1e-9, rtol=1e-8)
    g = to_np(res["numtorch"][2])
    np.testing.assert_allclose(g, g.T, atol=1e-12)


def test_double_backward():
    res = {}
    for name, lib in seeded():
        A = lib.tensor(spd(9, 3), requires_grad=True)
        E, X = lib.lobpcg(A, k=2, tol=1e-12)
        g, = lib.autograd.grad((E ** 2).sum() + canonical(X).sum(), A, create_graph=True)
        res[name] = lib.autograd.grad((g * g).sum(), A)
    assert_same(res["numtorch"], res["torch"], atol=1e-8, rtol=1e-7)


@pytest.mark.parametrize("largest", [True, False])
def test_gradcheck(largest):
    # Converged to tol=1e-13 from a fixed start block; torch's formula passes too (its check in fast mode,
    # as torch's lobpcg is slow to call a hundred times).
    for name, lib in seeded():
        X0 = lib.tensor(np.random.default_rng(18).standard_normal((6, 2)))

        def f(A):
            E, X = lib.lobpcg(A, X=X0, tol=1e-13, niter=200, largest=largest)
            return E, canonical(X)
        A = lib.tensor(spd(6, 17), requires_grad=True)
        assert lib.autograd.gradcheck(f, (A,), atol=1e-6, rtol=1e-4, fast_mode=name == "torch")

# ---------------------------------------------------------------------------------------- errors

ERRORS = [
    (lambda lib: lib.lobpcg(lib.ones(4, 5)), AssertionError, "A must be square"),
    (lambda lib: lib.lobpcg(lib.eye(9), B=lib.eye(8)), AssertionError, "A and B must have same shape"),
    (lambda lib: lib.lobpcg(lib.eye(12), k=5), ValueError, "smaller than 3 x the number of requested"),
    (lambda lib: lib.lobpcg(lib.eye(12), X=lib.ones(12, 5)), ValueError, "not applicable"),
    (lambda lib: lib.lobpcg(lib.eye(12), X=lib.ones(2, 12, 2)), AssertionError, "X shape mismatch"),
    (lambda lib: lib.lobpcg(lib.eye(12, dtype=lib.float16)), KeyError, "float16"),
    (lambda lib: lib.lobpcg(lib.eye(12, dtype=lib.long)), RuntimeError, "same dtype"),
    (lambda lib: lib.lobpcg(lib.eye(12, dtype=lib.float64), X=lib.ones(12, 2)), RuntimeError, "same dtype"),
    (lambda lib: lib.lobpcg(lib.eye(12), iK=lib.eye(12, dtype=lib.float64), method="basic"), RuntimeError,
     "same dtype"),
    (lambda lib: lib.lobpcg(lib.ones(5)), IndexError, "tuple index out of range"),
    (lambda lib: lib.lobpcg(lib.eye(12), k=0), ZeroDivisionError, "negative power"),
    (lambda lib: lib.lobpcg(lib.eye(12).expand(2, 12, 12), X=lib.ones(12, 2)), RuntimeError, "is invalid"),
    (lambda lib: lib.lobpcg(lib.tensor(spd(12, 1), requires_grad=True), k=2,
                            B=lib.eye(12, dtype=lib.float64))[0].sum().backward(),
     ValueError, "B != I"),
]


@pytest.mark.parametrize("fn,exc,gist", ERRORS)
def test_errors(fn, exc, gist):
    for _, lib in seeded():
        with pytest.raises(exc, match=gist):
            fn(lib)
