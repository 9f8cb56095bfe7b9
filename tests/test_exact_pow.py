"""pow with the exponents torch spells out (2, 3, -1, -2, -0.5) gives torch's float results bit for bit."""
import numpy as np
import pytest

from conftest import check
from test_exact_sum import assert_exact


def data(dtype, positive=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(20000) * 10.0 ** rng.uniform(-3, 3, 20000)
    x[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0]
    return (np.abs(x) if positive else x).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("exponent", [2, 3, 3.0, -1, -1.0, -2, -2.0, -0.5])
def test_special_exponents(exponent, dtype):
    assert_exact(lambda m, t: t ** exponent, data(dtype))
    assert_exact(lambda m, t: m.pow(t, exponent), data(dtype, positive=True))


def test_inplace_and_views():
    x = data("float32")
    assert_exact(lambda m, t: t.clone().pow_(3), x)
    assert_exact(lambda m, t: t[::3] ** -2, x)


@pytest.mark.parametrize("exponent", [3, -2, -0.5])
def test_gradients(exponent):
    x = np.random.default_rng(1).uniform(0.5, 2, (3, 4))
    check(lambda m, t: t ** exponent, x)


def test_integer_and_bool_bases():
    assert_exact(lambda m, t: t ** 3, np.arange(-5, 6))
    assert_exact(lambda m, t: t ** -0.5, np.arange(0, 6))
    assert_exact(lambda m, t: t ** -2, np.arange(1, 6).astype("float16"))


def _complex_bits(a):
    # real and imaginary parts side by side, signs of zero and NaN positions included
    f = np.asarray(a).view(np.float32 if a.dtype == np.complex64 else np.float64)
    return np.isnan(f), np.where(np.isnan(f), 0, f), np.signbit(np.where(np.isnan(f), 0, f))


def _assert_complex_exact(fn, *data):
    from conftest import run_both, to_np
    res = run_both(fn, *data)
    (t, _, _, te), (n, _, _, ne) = res["torch"], res["numtorch"]
    assert te is None and ne is None, (te, ne)
    t, n = to_np(t), to_np(n)
    assert t.dtype == n.dtype and t.shape == n.shape
    for x, y in zip(_complex_bits(n), _complex_bits(t)):
        assert np.array_equal(x, y), f"{int(np.sum(x != y))} of {x.size} differ"


_SPECIAL = [0, -0.0, complex(0, -0.0), complex(-0.0, -0.0), 1, -1, 1j, 2 + 3j, -2.5 + 0.5j, np.inf, -np.inf,
            complex(0, np.inf), complex(np.inf, np.inf), np.nan, complex(np.nan, 1), 1e-30 + 1e-30j, 1e30 - 1e30j]
_EXPONENTS = [0, 1, 2, 3, -1, -2, 0.5, 1.5, 1 + 1j, -1 + 0.5j, 1j, np.inf, -np.inf, np.nan, complex(0, -0.0),
              complex(2, -0.0), 100]


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_pow_is_cpow(dtype):
    # torch's complex pow calls C's cpow = exp(e * log(b)); NumPy's power multiplies repeatedly for integer
    # exponents and answers 0 ** 0 = 1 (cpow: NaN), so every case here is checked bit for bit
    grid = np.array([(b, e) for b in _SPECIAL for e in _EXPONENTS], dtype=dtype)
    rng = np.random.default_rng(2)
    rand = (rng.standard_normal((2, 500)) + 1j * rng.standard_normal((2, 500))).astype(dtype)
    ints = rng.integers(-4, 5, 500).astype(dtype)
    _assert_complex_exact(lambda m, b, e: m.pow(b, e), grid[:, 0], grid[:, 1])
    _assert_complex_exact(lambda m, b, e: m.pow(b, e), rand[0], rand[1])
    _assert_complex_exact(lambda m, b, e: m.pow(b, e), rand[0], ints)
    _assert_complex_exact(lambda m, b, e: m.pow(b, e), ints, rand[1])
    _assert_complex_exact(lambda m, b, e: m.pow(b, e.real), rand[0], rand[1])


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("exponent", [0, 1, 2, 3, 0.5, 1.5, -2.5, 7, 1.5 + 0.5j, 1j])
def test_complex_scalar_exponents(exponent, dtype):
    # a multiple of torch's vectorised chunk: its scalar tail loop (the last few elements otherwise) is
    # compiled with fused multiply-adds, which these products do not reproduce
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(1024) + 1j * rng.standard_normal(1024)).astype(dtype)
    x[:4] = [0, complex(0, -0.0), np.inf, np.nan]
    _assert_complex_exact(lambda m, t: t ** exponent, x)
    _assert_complex_exact(lambda m, t: m.pow(exponent, t), x)
