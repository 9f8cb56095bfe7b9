"""F.linear/F.bilinear and Linear, Bilinear, Identity, LazyLinear, Flatten, Unflatten against torch."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand, to_np

LINEAR_SHAPES = [((3, 4), (5, 4), (5,)), ((3, 4), (5, 4), None), ((2, 3, 4), (5, 4), (5,)),
                 ((2, 3, 4), (5, 4), None), ((4,), (5, 4), (5,)), ((4,), (5, 4), None), ((0, 4), (5, 4), (5,)),
                 ((3, 4), (5, 4), (3, 5)), ((3, 4), (5, 4), (1,)), ((3, 4), (4,), None),
                 ((2, 3, 4), (5, 4), (3, 5)), ((1, 4), (1, 4), (1,)), ((3, 0), (5, 0), (5,))]


def _data(shapes, dtype):
    return [None if s is None else rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]


@pytest.mark.parametrize("shapes", LINEAR_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear(shapes, dtype):
    check(lambda m, x, w, b: m.nn.functional.linear(x, w, b), *_data(shapes, dtype))


@pytest.mark.parametrize("shapes", LINEAR_SHAPES[:4])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_linear_complex(shapes, dtype):
    # the gradients conjugate the other factor (torch's convention for complex products)
    data = [None if d is None else (d + 1j * rand(*d.shape, seed=9)).astype(dtype)
            for d in _data(shapes, "float64")]
    check(lambda m, x, w, b: m.nn.functional.linear(x, w, b).abs(), *data, atol=1e-5)
    x, w = (numtorch.tensor(d.astype("complex128"), requires_grad=True) for d in data[:2])
    assert numtorch.autograd.gradgradcheck(lambda x, w: numtorch.nn.functional.linear(x, w), (x, w))


def test_linear_node_names():
    torch = need_torch()
    for xs, b in [((3, 4), True), ((3, 4), False), ((2, 3, 4), True), ((4,), True)]:
        names = []
        for lib in (torch, numtorch):
            x = lib.ones(*xs, requires_grad=True)
            w = lib.ones(5, 4, requires_grad=True)
            out = lib.nn.functional.linear(x, w, lib.ones(5, requires_grad=True) if b else None)
            names.append(out.grad_fn.name())
        assert names[0] == names[1]


def test_linear_views_and_partial_grads():
    x = rand(4, 6)
    check(lambda m, x, w, b: m.nn.functional.linear(x.t()[:, ::2], w, b), x, rand(5, 2, seed=1), rand(5, seed=2))
    check(lambda m, x, w, b: m.nn.functional.linear(x, w.t(), b.expand(5)), rand(3, 4), rand(4, 5), rand(1))
    check(lambda m, x, w: m.nn.functional.linear(x.detach(), w), rand(3, 4), rand(5, 4))
    check(lambda m, x, w: m.nn.functional.linear(x, w.detach()), rand(3, 4), rand(5, 4))


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_linear_int(dtype):
    check(lambda m, x, w, b: m.nn.functional.linear(x, w, b), rand(3, 4, dtype=dtype), rand(5, 4, dtype=dtype),
          rand(5, dtype=dtype), grad=False)


LINEAR_ERRORS = [((3, 4), (5, 3), None), ((3, 4), (5, 4), (4,)), ((), (5, 4), None), ((3, 4), (2, 5, 4), None),
                 ((3, 4), (4,), ()), ((2, 3, 4), (5, 3), (5,))]


@pytest.mark.parametrize("shapes", LINEAR_ERRORS)
def test_linear_errors(shapes):
    check_raises(lambda m, x, w, b: m.nn.functional.linear(x, w, b), *_data(shapes, "float32"))


def test_linear_type_errors():
    check_raises(lambda m, w: m.nn.functional.linear([1.0] * 4, w), rand(5, 4))
    check_raises(lambda m, x, w: m.nn.functional.linear(x, w.double()), rand(3, 4), rand(5, 4))
    check_raises(lambda m, x, w, b: m.nn.functional.linear(x, w, b.double()), rand(3, 4), rand(5, 4), rand(5))


def test_linear_matches_composed_and_double_backward():
    x = numtorch.tensor(rand(3, 4, dtype="float64"), requires_grad=True)
    w = numtorch.tensor(rand(5, 4, dtype="float64", seed=1), requires_grad=True)
    b = numtorch.tensor(rand(5, dtype="float64", seed=2), requires_grad=True)
    fused = numtorch.nn.functional.linear(x, w, b)
    composed = x @ w.t() + b
    np.testing.assert_allclose(to_np(fused), to_np(composed), rtol=1e-12)
    g1 = numtorch.autograd.grad(fused.sum(), (x, w, b))
    g2 = numtorch.autograd.grad(composed.sum(), (x, w, b))
    for a, c in zip(g1, g2):
        np.testing.assert_allclose(to_np(a), to_np(c), rtol=1e-12)
    f = numtorch.nn.functional.linear
    assert numtorch.autograd.gradcheck(f, (x, w, b))
    assert numtorch.autograd.gradgradcheck(f, (x, w, b))
    x3 = numtorch.tensor(rand(2, 3, 4, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda x, w: f(x, w), (x3, w))


BILINEAR = [((2, 3), (2, 4), (5, 3, 4), (5,)), ((2, 3), (2, 4), (5, 3, 4), None), ((3,), (4,), (5, 3, 4), (5,)),
            ((2, 6, 3), (2, 6, 4), (5, 3, 4), (5,)), ((1, 1), (1, 1), (1, 1, 1), None)]


@pytest.mark.parametrize("shapes", BILINEAR)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bilinear(shapes, dtype):
    check(lambda m, a, b, w, bias: m.nn.functional.bilinear(a, b, w, bias), *_data(shapes, dtype), atol=1e-5)


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4), (5, 3, 4), None), ((2, 3), (2, 4), (5, 3, 5), None),
                                    ((2, 3), (2, 4), (5, 4, 4), None), ((2, 3), (2, 4), (5, 3, 4), (4,)),
                                    ((2, 3), (4,), (5, 3, 4), None)])
def test_bilinear_errors(shapes):
    check_raises(lambda m, a, b, w, bias: m.nn.functional.bilinear(a, b, w, bias), *_data(shapes, "float32"))


def test_bilinear_gradcheck():
    args = [numtorch.tensor(d, requires_grad=True) for d in _data(((2, 3), (2, 4), (5, 3, 4), (5,)), "float64")]
    assert numtorch.autograd.gradcheck(numtorch.nn.functional.bilinear, args)


# ------------------------------------------------------------------------------------------------ layers
def _build(lib, name, args, kwargs, seed=0):
    lib.manual_seed(seed)
    return getattr(lib.nn, name)(*args, **kwargs)


LAYERS = [("Linear", (784, 10), {}, [(5, 784)]), ("Linear", (4, 3), dict(bias=False), [(2, 5, 4)]),
          ("Linear", (4, 3), {}, [(4,)]), ("Linear", (0, 3), {}, [(2, 0)]),
          ("Bilinear", (3, 4, 5), {}, [(2, 3), (2, 4)]), ("Bilinear", (3, 4, 5), dict(bias=False), [(2, 3), (2, 4)]),
          ("Identity", (3,), dict(foo=1), [(2, 3)]), ("Flatten", (), {}, [(2, 3, 4, 5)]),
          ("Flatten", (0, -2), {}, [(2, 3, 4)]), ("Unflatten", (1, (2, 3)), {}, [(4, 6, 2)]),
          ("Unflatten", (-1, [2, -1]), {}, [(4, 6)])]


@pytest.mark.parametrize("name,args,kwargs,inputs", LAYERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_against_torch(name, args, kwargs, inputs, dtype):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        m = _build(lib, name, args, kwargs)
        m.to(getattr(lib, dtype))
        xs = [lib.tensor(rand(*s, dtype=dtype, seed=i), requires_grad=True) for i, s in enumerate(inputs)]
        outs = []
        for mode in ("train", "eval"):
            getattr(m, mode)()
            y = m(*xs)
            y.backward(lib.ones_like(y))
            outs.append(to_np(y))
        grads = [to_np(x.grad) for x in xs] + [to_np(p.grad) for p in m.parameters()]
        state = {k: to_np(v) for k, v in m.state_dict().items()}
        res.append((repr(m), outs, grads, state, m.training))
    (tr, to, tg, ts, tt), (nr, no, ng, ns, nt) = res
    assert nr == tr and nt == tt
    assert list(ns) == list(ts)
    for k in ts:
        np.testing.assert_array_equal(ns[k], ts[k])  # exact RNG parity of the initialisation
    tol = 1e-5 if dtype == "float32" else 1e-12
    for a, b in zip(no + ng, to + tg):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_lazy_linear():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        m = lib.nn.LazyLinear(4)
        before = repr(m)
        y = m(lib.tensor(rand(2, 3)))
        res.append((before, repr(m), type(m).__name__, to_np(y), to_np(m.weight), list(m.state_dict())))
    assert res[0][:3] == res[1][:3]
    np.testing.assert_array_equal(res[1][4], res[0][4])
    np.testing.assert_allclose(res[1][3], res[0][3], rtol=1e-5, atol=1e-6)
    assert res[0][5] == res[1][5]


@pytest.mark.parametrize("args", [(1, 5), (1, (2.0, 3)), (1, ((2, 3),))])
def test_unflatten_errors(args):
    check_raises(lambda m: m.nn.Unflatten(*args))


def test_linear_constructor_dtype_and_attrs():
    torch = need_torch()
    for lib in (torch, numtorch):
        m = lib.nn.Linear(3, 2, dtype=lib.float64)
        assert str(m.weight.dtype) == "torch.float64"
        assert (m.in_features, m.out_features) == (3, 2)
        assert m.weight.requires_grad and m.weight.is_leaf


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_16bit_bits(dtype, bias):
    # torch adds the bias to the float32 product and rounds once to the 16-bit type (rounding the product
    # first put ~30% of half results 1 ulp off); left: torch sums the products in order over the inner
    # dimension, BLAS in blocks, which can fall on the other side of a rounding midpoint (1 in 768 here)
    rng = np.random.default_rng(4)
    x, w, b = (rng.standard_normal((32, 40)) * 2, rng.standard_normal((24, 40)) * 0.3, rng.standard_normal(24))

    def bits(lib):
        t = lambda a: lib.tensor(a.astype(np.float32)).to(getattr(lib, dtype))  # noqa: E731
        out = lib.nn.functional.linear(t(x), t(w), t(b) if bias else None)
        return out.to(lib.float16 if dtype == "float16" else lib.bfloat16).view(lib.int16).numpy().astype(int)
    ulps = np.abs(bits(numtorch) - bits(need_torch()))
    assert ulps.max() <= 1 and np.count_nonzero(ulps) <= ulps.size // 500


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("out_features", [1, 2, 5])
def test_linear_one_feature_bits(dtype, out_features):
    # one input feature: torch's GEMM fuses the bias into x * w (one rounding) for several outputs, while one
    # output takes its matrix-vector product, which adds the bias after the product
    rng = np.random.default_rng(out_features)
    x, w, b = rng.standard_normal((100, 1)), rng.standard_normal((out_features, 1)), rng.standard_normal(out_features)

    def run(lib):
        t = lambda a: lib.tensor(a).to(getattr(lib, dtype))  # noqa: E731
        return lib.nn.functional.linear(t(x), t(w), t(b)).double().numpy()
    assert np.array_equal(run(numtorch), run(need_torch()))
