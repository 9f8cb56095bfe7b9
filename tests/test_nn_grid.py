"""F.grid_sample and F.affine_grid against the torch oracle: values, input and grid grads, errors."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, check, check_raises, need_torch, rand

MODES = ["bilinear", "nearest", "bicubic"]
PADS = ["zeros", "border", "reflection"]


def _grid(*shape, seed=1, lim=1.3):
    return rand(*shape, seed=seed, low=-lim, high=lim)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pad", PADS)
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_2d(mode, pad, align):
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pad, align_corners=align),
          rand(2, 3, 5, 6), _grid(2, 4, 7, 2), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("pad", PADS)
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_3d(mode, pad, align):
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pad, align_corners=align),
          rand(2, 2, 4, 5, 3), _grid(2, 3, 2, 4, 3), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("mode", MODES)
def test_grid_sample_float64_far_and_unit(mode):
    # Far-outside points, a unit-size input dimension, and the default (warning) align_corners.
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, mode=mode, padding_mode="reflection"),
          rand(1, 2, 1, 4, dtype="float64"), _grid_f64(1, 3, 3, 2, lim=4.0), atol=1e-10, rtol=1e-8)
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, mode=mode, padding_mode="border",
                                                      align_corners=True),
          rand(2, 1, 3, 3, dtype="float64"), _grid_f64(2, 2, 5, 2, lim=3.0), atol=1e-10, rtol=1e-8)


def _grid_f64(*shape, lim=1.3):
    return rand(*shape, seed=1, low=-lim, high=lim, dtype="float64")


def test_grid_sample_empty_grid_and_channels():
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, align_corners=False), rand(2, 3, 4, 4),
          _grid(2, 0, 3, 2))
    check(lambda m, x, g: m.nn.functional.grid_sample(x, g, align_corners=False), rand(2, 0, 4, 4),
          _grid(2, 2, 3, 2))


def test_grid_sample_node_names_and_functions():
    torch = need_torch()
    for lib in (torch, numtorch):
        x = lib.ones(1, 1, 2, 2, requires_grad=True)
        y = lib.grid_sampler(x, lib.zeros(1, 1, 1, 2), 0, 0, False)
        assert y.grad_fn.name() == "GridSampler2DBackward0"
        x3 = lib.ones(1, 1, 2, 2, 2, requires_grad=True)
        z = lib.grid_sampler(x3, lib.zeros(1, 1, 1, 1, 3), 1, 1, True)
        assert z.grad_fn.name() == "GridSampler3DBackward0"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pad", PADS)
def test_grid_sample_gradcheck(mode, pad):
    numtorch.manual_seed(0)
    x = numtorch.randn(1, 2, 3, 4, dtype=numtorch.float64, requires_grad=True)
    g = (numtorch.rand(1, 2, 3, 2, dtype=numtorch.float64) * 2.4 - 1.2).requires_grad_()
    fn = lambda x, g: numtorch.nn.functional.grid_sample(x, g, mode, pad, align_corners=False)  # noqa: E731
    assert numtorch.autograd.gradcheck(fn, (x, g), atol=1e-6)


def test_grid_sample_gradcheck_3d():
    numtorch.manual_seed(0)
    x = numtorch.randn(1, 2, 3, 2, 3, dtype=numtorch.float64, requires_grad=True)
    g = (numtorch.rand(1, 2, 1, 2, 3, dtype=numtorch.float64) * 2.4 - 1.2).requires_grad_()
    fn = lambda x, g: numtorch.nn.functional.grid_sample(x, g, "bilinear", "reflection", True)  # noqa: E731
    assert numtorch.autograd.gradcheck(fn, (x, g))


@pytest.mark.parametrize("case", [
    lambda m, x, g: m.nn.functional.grid_sample(x, g, mode="linear", align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g, padding_mode="wrap", align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g.double(), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[0], g[0], align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g[..., :1], align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x, g.expand(3, -1, -1, -1), align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[:, :, :0], g, align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x[..., None], g[..., None, :].expand(-1, -1, -1, 1, 3),
                                                mode="bicubic", align_corners=False),
    lambda m, x, g: m.nn.functional.grid_sample(x.long(), g.long(), align_corners=False),
])
def test_grid_sample_errors(case):
    check_raises(case, rand(1, 2, 3, 3), _grid(1, 2, 2, 2))


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 3, 1, 5), (2, 1, 3, 4, 2)])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_affine_grid(size, align, dtype):
    theta = rand(2, len(size) - 2, len(size) - 1, dtype=dtype)
    check(lambda m, t: m.nn.functional.affine_grid(t, size, align_corners=align), theta)


def test_affine_grid_node_and_gradcheck():
    torch = need_torch()
    for lib in (torch, numtorch):
        t = lib.zeros(1, 2, 3, requires_grad=True)
        assert lib.nn.functional.affine_grid(t, [1, 1, 2, 2], False).grad_fn.name() == \
            "AffineGridGeneratorBackward0"
    theta = numtorch.randn(2, 3, 4, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: numtorch.nn.functional.affine_grid(t, (2, 1, 2, 3, 2), True),
                                       (theta,))


@pytest.mark.parametrize("case", [
    lambda m, t: m.nn.functional.affine_grid(t.long(), [2, 1, 3, 3], False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 1, 3, 3, 3], False),
    lambda m, t: m.nn.functional.affine_grid(t[:, :, :2], [2, 1, 3, 3], False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 3, 3], False),
    lambda m, t: m.nn.functional.affine_grid(t, [2, 1, 0, 3], False),
])
def test_affine_grid_errors(case):
    check_raises(case, rand(2, 2, 3))


def test_spatial_transformer_chain():
    """affine_grid feeding grid_sample: grads reach both the image and theta."""
    def fn(m, x, t):
        grid = m.nn.functional.affine_grid(t, list(x.shape), align_corners=False)
        return m.nn.functional.grid_sample(x, grid, align_corners=False)
    theta = np.tile(np.array([[0.9, 0.2, 0.1], [-0.1, 1.1, 0.05]], dtype=np.float32), (2, 1, 1))
    check(fn, rand(2, 3, 6, 5), theta, atol=1e-5, rtol=1e-4)


# ------------------------------------------------------------------ antialiased interpolate (resampling)

AA_CASES = [((2, 3, 17, 13), {"size": (5, 4)}), ((1, 2, 8, 9), {"size": (20, 3)}),
            ((1, 1, 30, 30), {"scale_factor": 0.3}), ((1, 1, 7, 7), {"size": (7, 3)}),
            ((1, 2, 5, 6), {"scale_factor": (2.5, 0.5)}), ((1, 1, 9, 4), {"size": 4, "align_corners": True})]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape,kw", AA_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate_antialias(mode, shape, kw, dtype):
    tol = {"atol": 1e-6, "rtol": 1e-5} if dtype == "float32" else {"atol": 1e-12, "rtol": 1e-10}
    check(lambda m, x: m.nn.functional.interpolate(x, mode=mode, antialias=True, **kw),
          rand(*shape, dtype=dtype), **tol)


def test_interpolate_antialias_node_and_gradgradcheck():
    torch = need_torch()
    for lib in (torch, numtorch):
        x = lib.ones(1, 1, 6, 6, requires_grad=True)
        y = lib.nn.functional.interpolate(x, size=(3, 2), mode="bicubic", antialias=True)
        assert y.grad_fn.name() == "UpsampleBicubic2DAaBackward0"
    x = numtorch.tensor(rand(1, 2, 7, 5, dtype="float64"), requires_grad=True)
    fn = lambda t: numtorch.nn.functional.interpolate(t, size=(3, 8), mode="bilinear",  # noqa: E731
                                                      antialias=True)
    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("case", [
    lambda m, x: m.nn.functional.interpolate(x[0], size=3, mode="linear", antialias=True),
    lambda m, x: m.nn.functional.interpolate(x, size=3, mode="nearest", antialias=True),
    lambda m, x: m.nn.functional.interpolate(x[None], size=3, mode="trilinear", antialias=True),
])
def test_interpolate_antialias_errors(case):
    check_raises(case, rand(1, 2, 6, 6))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_half(dtype, mode):
    # Sampled in the input's own precision, as torch's CPU kernel does (nearest then picks the same pixel).
    check(lambda m, x, g: m.nn.functional.grid_sample(x.to(getattr(m, dtype)), g.to(getattr(m, dtype)),
                                                      mode=mode, align_corners=False).float(),
          rand(2, 3, 5, 6), _grid(2, 4, 7, 2), grad=False, atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("pad", PADS)
def test_grid_sample_double_backward(mode, pad):
    """Second derivatives (torch's GridSampler2DBackwardBackward0) through input and grid."""
    torch = need_torch()
    x, g = rand(2, 2, 4, 5, dtype="float64"), _grid_f64(2, 3, 2, 2)
    res = []
    for lib in (torch, numtorch):
        xs, gs = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = lib.nn.functional.grid_sample(xs, gs, mode=mode, padding_mode=pad, align_corners=False)
        gx, gg = lib.autograd.grad(y, (xs, gs), lib.tensor(rand(*y.shape, seed=3, dtype="float64")),
                                   create_graph=True)
        loss = (gx * lib.tensor(rand(*gx.shape, seed=4, dtype="float64"))).sum() + (gg * gg).sum()
        res.append(lib.autograd.grad(loss, (xs, gs)))
    for a, b in zip(res[1], res[0]):
        assert_same(a, b, 1e-10, 1e-8)


def test_grid_sample_gradgradcheck():
    xs = numtorch.tensor(rand(1, 1, 3, 3, dtype="float64"), requires_grad=True)
    gs = numtorch.tensor(_grid_f64(1, 2, 1, 2), requires_grad=True)
    for mode in ("bilinear", "bicubic"):
        fn = lambda x, g: numtorch.nn.functional.grid_sample(x, g, mode, "reflection", True)  # noqa: E731
        assert numtorch.autograd.gradgradcheck(fn, (xs, gs))


def test_grid_sample_warning_location():
    # the align_corners warning names the caller's line, as torch's (not numtorch's autocast wrapper)
    import warnings
    for lib in (numtorch, need_torch()):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.functional.grid_sample(lib.zeros(1, 1, 4, 4), lib.zeros(1, 2, 2, 2))
        assert [x.filename for x in w] == [__file__]
