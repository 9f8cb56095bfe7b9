"""Smoke tests of the core: arithmetic, autograd, views, through the oracle helper."""
import pytest

from conftest import check, check_raises, rand


@pytest.mark.parametrize("shapes", [((), ()), ((3, 4), (3, 4)), ((2, 1, 4), (3, 1)), ((0, 4), (4,))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mul(shapes, dtype):
    check(lambda m, x, y: m.mul(x, y), rand(*shapes[0], dtype=dtype), rand(*shapes[1], dtype=dtype, seed=1))


def test_chain():
    check(lambda m, x, y: ((x * y).exp() + y.sin()).sum(0) / 3, rand(3, 4), rand(4))


def test_broadcast_error():
    check_raises(lambda m, x, y: x + y, rand(3), rand(4))
