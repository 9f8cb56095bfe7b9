"""torch.histogram and torch.histogramdd against torch: edges, counts, weights, density, errors."""
import numpy as np
import pytest

from conftest import check, check_raises, rand

X = np.array([1., 2, 1, 4, 2.5], "float32")
NORMAL = np.random.default_rng(0).normal(size=1000)


@pytest.mark.parametrize("fn, data", [
    (lambda m, x: m.histogram(x, 4), X),
    (lambda m, x: m.histogram(x * 0 + 1, 4), X),
    (lambda m, x: m.histogram(x[:0], 4), X),
    (lambda m, x: m.histogram(x, 4, range=(0., 2.)), X),
    (lambda m, x: m.histogram(x, m.tensor([0., 1.5, 3, 10])), X),
    (lambda m, x: m.histogram(x, m.tensor([0., 1.5, 3, 10]), weight=m.ones(5) * 2, density=True), X),
    (lambda m, x: m.histogram(x.view(5, 1), 2), X),
    (lambda m, x: x.histogram(2, range=[0, 4]), X),
    (lambda m, x: x.histogram(17, density=True), NORMAL.astype("float32")),
    (lambda m, x: m.histogram(x, 10, weight=x.abs()), NORMAL),
    (lambda m, x: m.histogram(x.t(), 5), rand(4, 6)),
])
def test_histogram(fn, data):
    check(lambda m, x: tuple(fn(m, x)), data, grad=False)


@pytest.mark.parametrize("fn, data", [
    (lambda m, x: m.histogramdd(x, bins=[3, 3], weight=m.tensor([1., 2, 4, 8])),
     np.array([[0., 1], [1, 0], [2, 0], [2, 2]], "float32")),
    (lambda m, x: m.histogramdd(x, bins=[2, 2], range=[0., 1., 0., 1.], density=True),
     np.array([[0., 0], [1, 1], [2, 2]], "float32")),
    (lambda m, x: m.histogramdd(x, bins=2), np.array([[0., 0], [1, 1], [2, 2]], "float32")),
    (lambda m, x: m.histogramdd(x, bins=[m.tensor([0., 1, 2]), m.tensor([0., 3])]),
     np.array([[0., 0], [1, 1], [2, 2]], "float32")),
    (lambda m, x: m.histogramdd(x, [3, 4, 5]), NORMAL[:999].reshape(333, 3)),
    (lambda m, x: m.histogramdd(x, 4, density=True), NORMAL[:999].reshape(3, 111, 3)),
])
def test_histogramdd(fn, data):
    check(lambda m, x: (fn(m, x).hist, *fn(m, x).bin_edges), data, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.histogram(x, 4, range=(3., 2.)),
    lambda m, x: m.histogram(x.long(), 3),
    lambda m, x: m.histogram(x, m.tensor([0, 1])),
    lambda m, x: m.histogram(x, 0),
    lambda m, x: m.histogram(x / 0, 2),
    lambda m, x: m.histogramdd(x.view(5, 1), bins=[2, 2]),
    lambda m, x: m.histogramdd(x.view(5, 1), 2, range=[0., 1., 2., 3.]),
])
def test_histogram_errors(fn):
    check_raises(fn, X)
