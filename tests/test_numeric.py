"""Composite numerical ops against torch: trapezoid family, gradient, cov/corrcoef, quantile, renorm,
inner/vdot, isin, unravel_index; and complex/polar/conj_physical/frexp and friends."""
import numpy as np
import pytest

from conftest import check, check_raises, rand


@pytest.mark.parametrize("fn, data", [
    (lambda m, y: m.trapezoid(y), (rand(5),)),
    (lambda m, y: m.trapezoid(y, dx=0.5, dim=0), (rand(4, 3),)),
    (lambda m, y, x: m.trapezoid(y, x), (rand(3, 5), np.sort(rand(5, seed=1)))),
    (lambda m, y, x: m.trapezoid(y, x, dim=0), (rand(4, 3), np.sort(rand(4, 3, seed=1), 0))),
    (lambda m, y: m.trapz(y, dx=2.0), (rand(6),)),
    (lambda m, y, x: m.trapz(y, x), (rand(2, 5), np.sort(rand(5, seed=2)))),
    (lambda m, y: m.trapezoid(y), (rand(3, 0),)),
    (lambda m, y: m.cumulative_trapezoid(y), (rand(2, 5),)),
    (lambda m, y: m.cumulative_trapezoid(y, dx=0.25, dim=0), (rand(4, 3),)),
    (lambda m, y, x: m.cumulative_trapezoid(y, x), (rand(3, 5), np.sort(rand(5, seed=1)))),
])
def test_trapezoid(fn, data):
    check(fn, *data, atol=1e-5)
    check(fn, *[d.astype("float64") for d in data])


def test_trapezoid_ints():
    check(lambda m, y: m.trapezoid(y), np.arange(6), grad=False)
    check(lambda m, y: m.cumulative_trapezoid(y, dx=2), np.arange(6), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.gradient(x),
    lambda m, x: m.gradient(x, spacing=2.0),
    lambda m, x: m.gradient(x, spacing=[0.5, 2.0], edge_order=2),
    lambda m, x: m.gradient(x, dim=1),
    lambda m, x: m.gradient(x, spacing=(m.tensor([0., 1, 3, 4, 7]),), dim=0),
    lambda m, x: m.gradient(x, spacing=(m.tensor([0., 1, 3, 4, 7]),), dim=0, edge_order=2),
])
def test_gradient(fn):
    check(fn, rand(5, 4, dtype="float64"))


def test_gradient_errors():
    check_raises(lambda m, x: m.gradient(x, edge_order=3), rand(5))
    check_raises(lambda m, x: m.gradient(x, edge_order=2), rand(2))
    check_raises(lambda m, x: m.gradient(x, spacing=[1.0, 2.0]), rand(5))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.cov(x), lambda m, x: x.cov(correction=0), lambda m, x: m.corrcoef(x),
    lambda m, x: m.cov(x, fweights=m.tensor([1, 2, 3, 1, 1]), aweights=m.tensor([0.5, 1, 1, 2, 0.1])),
    lambda m, x: m.cov(x[0]), lambda m, x: m.corrcoef(x[0]), lambda m, x: m.cov(x.t()[:2]),
    lambda m, x: m.cov(x, aweights=m.tensor([0.5, 1, 1, 2, 0.1])),
])
def test_cov_corrcoef(fn):
    check(fn, rand(3, 5, dtype="float64"))
    check(fn, rand(3, 5), atol=1e-5)


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("fn", [
    lambda m, x, i: m.quantile(x, 0.3, interpolation=i),
    lambda m, x, i: x.quantile(m.tensor([0.0, 0.25, 0.5, 1.0], dtype=x.dtype), dim=1, interpolation=i),
    lambda m, x, i: m.quantile(x, m.tensor([0.1, 0.9], dtype=x.dtype), dim=0, keepdim=True, interpolation=i),
    lambda m, x, i: m.nanquantile(x.masked_fill(x > 1, float("nan")), 0.4, dim=1, interpolation=i),
    lambda m, x, i: m.quantile(x.masked_fill(x > 1.5, float("nan")), 0.4, dim=1, interpolation=i),
    lambda m, x, i: x.nanquantile(m.tensor(0.75, dtype=x.dtype), interpolation=i),
])
def test_quantile(fn, interpolation):
    check(lambda m, x: fn(m, x, interpolation), rand(4, 6, dtype="float64"))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.quantile(x.long(), 0.5), lambda m, x: m.quantile(x, 1.5),
    lambda m, x: m.quantile(x, 0.5, interpolation="cubic"), lambda m, x: m.quantile(x[:0], 0.5),
    lambda m, x: m.quantile(x, m.tensor([[0.5]])),
])
def test_quantile_errors(fn):
    check_raises(fn, rand(4, 6))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.renorm(x, 2, 0, 1.5), lambda m, x: x.renorm(1, 1, 2.0), lambda m, x: x.renorm(3, -1, 0.5),
    lambda m, x: x.clone().renorm_(2, 0, 1.0),
])
def test_renorm(fn):
    check(fn, rand(3, 4, dtype="float64"))
    check_raises(lambda m, x: m.renorm(x[0], 2, 0, 1.0), rand(3, 4))


@pytest.mark.parametrize("fn, shapes", [
    (lambda m, a, b: m.inner(a, b), ((3,), (3,))),
    (lambda m, a, b: m.inner(a, b), ((2, 3), (4, 3))),
    (lambda m, a, b: a.inner(b), ((2, 1, 3), (3,))),
    (lambda m, a, b: m.inner(a, b), ((), (2, 3))),
    (lambda m, a, b: m.vdot(a, b), ((4,), (4,))),
    (lambda m, a, b: m.vdot(m.complex(a, b), m.complex(b, a)), ((4,), (4,))),
])
def test_inner_vdot(fn, shapes):
    check(fn, *[rand(*s, dtype="float64", seed=i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.inner(a, b[:2]), lambda m, a, b: m.vdot(a, b.double()),
    lambda m, a, b: m.vdot(a, b[:2]), lambda m, a, b: m.vdot(a[None], b), lambda m, a, b: m.inner(a, 2.0),
])
def test_inner_vdot_errors(fn):
    check_raises(fn, rand(3), rand(3, seed=1))


@pytest.mark.parametrize("fn", [
    lambda m, a: m.isin(a, m.tensor([2, 5])), lambda m, a: m.isin(a, 2), lambda m, a: m.isin(3, a),
    lambda m, a: m.isin(a, m.tensor([2.0, 5.0]), invert=True), lambda m, a: m.isin(a[:0], a),
    lambda m, a: m.unravel_index(a, (2, 4)), lambda m, a: m.unravel_index(a.reshape(2, 3), (3, 2, 2)),
    lambda m, a: m.unravel_index(5, (2, 4)), lambda m, a: m.unravel_index(a - 3, 8),
])
def test_isin_unravel(fn):
    check(fn, np.array([1, 2, 3, 5, 7, 0]), grad=False)


def test_unravel_errors():
    check_raises(lambda m, a: m.unravel_index(a.float(), (2, 4)), np.array([1, 2]))


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.complex(a, b), lambda m, a, b: m.polar(a.abs(), b),
    lambda m, a, b: m.conj_physical(m.complex(a, b)), lambda m, a, b: m.complex(a, b).conj_physical() * 2,
    lambda m, a, b: m.complex(a, b).resolve_conj().resolve_neg(), lambda m, a, b: a.conj_physical(),
])
def test_complex_construction(fn):
    check(fn, rand(2, 3, dtype="float64"), rand(2, 3, dtype="float64", seed=1))
    check(fn, rand(4), rand(4, seed=2))


def test_complex_predicates():
    check(lambda m, a: (m.frexp(a).mantissa, a.frexp().exponent), np.array([8., 0.3, 0, -5, np.inf, 1e-40]),
          grad=False)
    check(lambda m, a: m.frexp(a.half()), np.array([8., 0.3, 0, -5]), grad=False)
    check(lambda m, a: (m.is_nonzero(a[:1]), a[1:2].is_nonzero(), m.is_conj(a), a.is_neg(),
                        a.is_same_size(a[None]), a.is_same_size(a * 2)), np.array([0., 2.]), grad=False)
    check(lambda m, a: (m.is_signed(a), m.is_signed(a.to(m.uint8)), m.is_signed(a.bool())), np.array([1.0]),
          grad=False)
    check_raises(lambda m, a: m.frexp(a.long()), np.array([1.0]))
    check_raises(lambda m, a: a.is_nonzero(), np.array([1.0, 2.0]))
    check_raises(lambda m, a: a[:0].is_nonzero(), np.array([1.0, 2.0]))
    check_raises(lambda m, a: m.complex(a, a.double()), np.array([1.0, 2.0], "float32"))
    check_raises(lambda m, a: m.complex(a.long(), a.long()), np.array([1.0, 2.0]))


@pytest.mark.parametrize("name", ["hann_window", "hamming_window", "bartlett_window", "blackman_window",
                                  "kaiser_window"])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 6, 33])
def test_windows(name, n):
    check(lambda m: getattr(m, name)(n), grad=False, atol=1e-6)
    check(lambda m: getattr(m, name)(n, False, dtype=m.float64), grad=False, rtol=1e-12, atol=1e-15)
    check(lambda m: getattr(m, name)(n, periodic=True, requires_grad=True), grad=False, atol=1e-6)


def test_window_arguments_and_errors():
    check(lambda m: m.hamming_window(7, True, 0.6, 0.3), grad=False)
    check(lambda m: m.kaiser_window(9, False, 5.0, dtype=m.float64), grad=False, rtol=1e-12)
    check_raises(lambda m: m.hann_window(-1))
    check_raises(lambda m: m.hann_window(3, dtype=m.int64))
