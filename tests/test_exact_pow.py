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
