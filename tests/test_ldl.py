"""torch.linalg.ldl_factor/ldl_factor_ex/ldl_solve against torch: LAPACK's Bunch-Kaufman pivots and
compact LD (1x1 and 2x2 pivots, ties, zero diagonals), real, complex symmetric and Hermitian; solves."""
import numpy as np
import pytest

from conftest import check, check_raises


def _sym(n, kind, seed, batch=()):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=batch + (n, n))
    if kind == "ties":
        a = np.round(a)
    if kind == "zero-diagonal":
        a[..., np.arange(n), np.arange(n)] = 0
    if kind == "complex":
        a = a + 1j * rng.normal(size=batch + (n, n))
    return a + np.swapaxes(a, -1, -2)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["random", "ties", "zero-diagonal", "complex"])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_ldl_factor(n, kind, seed):
    a = _sym(n, kind, seed)
    check(lambda m, a: tuple(m.linalg.ldl_factor_ex(a)), a, grad=False, atol=1e-10)
    if kind == "complex":
        h = (a + a.conj().T) / 2
        check(lambda m, a: tuple(m.linalg.ldl_factor_ex(a, hermitian=True)), h, grad=False, atol=1e-10)


@pytest.mark.parametrize("kind", ["random", "ties", "zero-diagonal", "complex"])
def test_ldl_factor_batches(kind):
    # the matrices of a batch take 1x1 and 2x2 pivots at different columns and all step together
    a = _sym(6, kind, 7, batch=(3, 4))
    check(lambda m, a: tuple(m.linalg.ldl_factor_ex(a)), a, grad=False, atol=1e-10)
    check(lambda m, a: tuple(m.linalg.ldl_factor_ex(a.float())), a.real, grad=False, atol=1e-5)
    if kind == "complex":
        h = (a + np.conj(np.swapaxes(a, -1, -2))) / 2
        check(lambda m, a: tuple(m.linalg.ldl_factor_ex(a, hermitian=True)), h, grad=False, atol=1e-10)
        b = np.random.default_rng(2).normal(size=(3, 4, 6, 2)).astype(a.dtype)
        check(lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a, hermitian=True), b, hermitian=True),
              h, b, grad=False, atol=1e-9)


@pytest.mark.parametrize("kind", ["random", "zero-diagonal", "complex"])
def test_ldl_solve(kind):
    a = _sym(5, kind, 3, batch=(2,))
    b = np.random.default_rng(1).normal(size=(2, 5, 3)).astype(a.dtype)
    check(lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a), b), a, b, grad=False, atol=1e-9)
    check(lambda m, a, b: m.linalg.ldl_solve(*m.linalg.ldl_factor(a[0]), b), a, b, grad=False, atol=1e-9)
    check(lambda m, a: tuple(m.linalg.ldl_factor(a.float())), a.real, grad=False, atol=1e-5)


@pytest.mark.parametrize("fn", [
    lambda m, a: m.linalg.ldl_factor(a * 0), lambda m, a: m.linalg.ldl_factor_ex(a * 0, check_errors=True),
    lambda m, a: m.linalg.ldl_factor(a[:, :2]), lambda m, a: m.linalg.ldl_factor(a.long()),
    lambda m, a: m.linalg.ldl_factor(a.half()),
    lambda m, a: m.linalg.ldl_solve(*m.linalg.ldl_factor(a), a[0]),
])
def test_ldl_errors(fn):
    check_raises(fn, _sym(3, "random", 0))
