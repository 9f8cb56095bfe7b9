"""Pooling functionals and layers against the torch oracle."""
import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import check, check_raises, need_torch, rand, assert_same

X4 = rand(2, 3, 7, 9, dtype="float64")
X3 = X4[0]
X1 = rand(2, 3, 10, dtype="float64")
X5 = rand(2, 2, 5, 6, 7, dtype="float64")
TIE = np.array([[[[1., 1, 2, 2], [1, 1, 2, 2], [0, 0, 0, 0], [0, 0, 0, 0]]]])


def F(lib):
    return lib.nn.functional


MAX2 = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, dilation=2),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
    dict(kernel_size=[3], stride=[1]),
    dict(kernel_size=2, stride=[]),
]


@pytest.mark.parametrize("kw", MAX2)
@pytest.mark.parametrize("x", [X4, X3, X4[:1]], ids=["4d", "3d", "batch1"])
def test_max_pool2d(kw, x):
    check(lambda m, t: F(m).max_pool2d(t, return_indices=True, **kw), x)
    check(lambda m, t: F(m).max_pool2d(t, **kw), x)


@pytest.mark.parametrize("kw", MAX2[:4])
def test_avg_pool2d(kw):
    kw = {k: v for k, v in kw.items() if k != "dilation"}
    for extra in ({}, {"count_include_pad": False}, {"divisor_override": 5}):
        check(lambda m, t: F(m).avg_pool2d(t, **kw, **extra), X4)
        check(lambda m, t: F(m).avg_pool2d(t.transpose(-1, -2), **kw, **extra), X4)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), ceil_mode=True)])
def test_pool3d(kw):
    check(lambda m, t: F(m).max_pool3d(t, return_indices=True, **kw), X5)
    check(lambda m, t: F(m).max_pool3d(t, dilation=(1, 1, 2), **kw), X5)
    check(lambda m, t: F(m).avg_pool3d(t, **kw), X5)
    check(lambda m, t: F(m).avg_pool3d(t, count_include_pad=False, **kw), X5)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=4, stride=3, ceil_mode=True)])
@pytest.mark.parametrize("x", [X1, X1[0]], ids=["3d", "2d"])
def test_pool1d(kw, x):
    check(lambda m, t: F(m).max_pool1d(t, return_indices=True, **kw), x)
    check(lambda m, t: F(m).avg_pool1d(t, **kw), x)
    check(lambda m, t: F(m).avg_pool1d(t, count_include_pad=False, **kw), x)


def test_pool_dtypes():
    x32 = X4.astype("float32")
    check(lambda m, t: F(m).max_pool2d(t, 3, 2, 1), x32)
    check(lambda m, t: F(m).avg_pool2d(t, 3, 2, 1), x32)
    check(lambda m, t: F(m).max_pool2d(t, 2), X4.astype("float16"), grad=False, atol=1e-3)
    check(lambda m, t: F(m).avg_pool2d(t, 2), X4.astype("float16"), grad=False, atol=1e-3)
    ints = (X4 * 10).astype("int64")
    check(lambda m, t: F(m).max_pool2d(t, 3, 2, 1, return_indices=True), ints, grad=False)
    check(lambda m, t: F(m).avg_pool2d(t, 3, 2, 1), ints, grad=False)
    check(lambda m, t: F(m).avg_pool2d(t, 3, 2, 1, count_include_pad=False), -ints, grad=False)


def _awkward(shape, dtype, seed=3):
    # signed zeros, repeated values and NaN runs: the cases that pin down torch's choice of element
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, shape).astype(dtype)
    x[x == 0] = np.where(rng.random(int((x == 0).sum())) < 0.5, -0.0, 0.0)
    x.reshape(-1)[::7] = np.nan
    x.reshape(-1)[1::11] = np.nan
    return x


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1),
                                dict(kernel_size=(3, 2), stride=(2, 3)), dict(kernel_size=2, dilation=2),
                                dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1))])
def test_max_pool_indices_and_bits(kw, dtype):
    """The windows-inside-the-input path: torch's element (first of ties, last NaN) and its exact bits."""
    torch = need_torch()
    x = _awkward((3, 4, 11, 13), dtype)
    vals, idx = numtorch.nn.functional.max_pool2d(numtorch.tensor(x), return_indices=True, **kw)
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(idx.numpy(), ti.numpy())
    bits = "int16" if dtype == "float16" else ("int32" if dtype == "float32" else "int64")
    got, want = vals.numpy(), tv.numpy()
    same = (got.view(bits) == want.view(bits)) | (np.isnan(got) & np.isnan(want))
    assert same.all()


def test_max_pool3d_indices_and_bits():
    torch = need_torch()
    x = _awkward((2, 3, 6, 7, 5), "float32")
    for kw in (dict(kernel_size=2), dict(kernel_size=(2, 3, 2), stride=(1, 2, 1), dilation=(2, 1, 1))):
        vals, idx = numtorch.nn.functional.max_pool3d(numtorch.tensor(x), return_indices=True, **kw)
        tv, ti = torch.nn.functional.max_pool3d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(idx.numpy(), ti.numpy())
        same = (vals.numpy().view("int32") == tv.numpy().view("int32")) | np.isnan(tv.numpy())
        assert same.all() and np.array_equal(np.isnan(vals.numpy()), np.isnan(tv.numpy()))


def test_ties_nan_empty():
    check(lambda m, t: F(m).max_pool2d(t, 2, return_indices=True), TIE)
    check(lambda m, t: F(m).max_pool2d(t, 2, 1, return_indices=True), TIE)
    x = X4.copy()
    x[0, 0, 0, 0] = np.nan
    check(lambda m, t: F(m).max_pool2d(t, 2), x)
    x[0, 0, 1, 1] = np.nan
    check(lambda m, t: F(m).max_pool2d(t, 2, return_indices=True), x, grad=False)
    check(lambda m, t: F(m).max_pool2d(t, 3, 1, 1, return_indices=True), x, grad=False)
    check(lambda m, t: F(m).max_pool2d(t, 3, 2, 1), x, grad=False)
    check(lambda m, t: F(m).max_pool2d(t.float(), 3, 2, 1), x, grad=False)
    check(lambda m, t: F(m).max_pool2d(t, 3, 2, 1, return_indices=True), np.full((1, 1, 4, 4), -np.inf),
          grad=False)
    check(lambda m, t: F(m).max_pool2d(t, 2), np.zeros((0, 3, 4, 4)))
    check(lambda m, t: F(m).avg_pool2d(t, 2), np.zeros((0, 3, 4, 4)))
    check(lambda m, t: F(m).adaptive_avg_pool2d(t, 0), X4, grad=False)


ADAPTIVE = [3, (3, 4), (None, 4), (7, 9), (1, 1), (5, 2), (10, 13)]


@pytest.mark.parametrize("size", ADAPTIVE)
def test_adaptive2d(size):
    check(lambda m, t: F(m).adaptive_avg_pool2d(t, size), X4)
    check(lambda m, t: F(m).adaptive_max_pool2d(t, size, return_indices=True), X4)
    check(lambda m, t: F(m).adaptive_avg_pool2d(t[..., ::2], size), X3)


@pytest.mark.parametrize("size", [1, 3, 4, (2, 3, 4), (None, 2, 9)])
def test_adaptive3d(size):
    check(lambda m, t: F(m).adaptive_avg_pool3d(t, size), X5)
    check(lambda m, t: F(m).adaptive_max_pool3d(t, size, return_indices=True), X5)


@pytest.mark.parametrize("size", [1, 3, 4, 10, 13])
def test_adaptive1d(size):
    check(lambda m, t: F(m).adaptive_avg_pool1d(t, size), X1)
    check(lambda m, t: F(m).adaptive_max_pool1d(t, size, return_indices=True), X1)
    check(lambda m, t: F(m).adaptive_avg_pool1d(t, size), X1[0].astype("float32"))


def test_lp_pool():
    pos = np.abs(X4) + 0.1
    check(lambda m, t: F(m).lp_pool2d(t, 2, 3, 2), pos)
    check(lambda m, t: F(m).lp_pool2d(t, 1.5, (2, 3), ceil_mode=True), pos)
    check(lambda m, t: F(m).lp_pool1d(t, 3, 2), np.abs(X1) + 0.1)
    check(lambda m, t: F(m).lp_pool3d(t, 2, 2), np.abs(X5) + 0.1)


@pytest.mark.parametrize("n,x,kw", [
    (2, X4, dict(kernel_size=2)), (2, X4, dict(kernel_size=3, stride=2, padding=1)),
    (2, X4, dict(kernel_size=2, output_size=(7, 9))), (2, X4, dict(kernel_size=2, output_size=(2, 3, 7, 9))),
    (1, X1, dict(kernel_size=2)), (1, X1, dict(kernel_size=3, stride=2, output_size=(10,))),
    (3, X5, dict(kernel_size=2)), (3, X5, dict(kernel_size=2, output_size=(5, 6, 7))),
])
def test_max_unpool(n, x, kw):
    pool = kw.copy()
    pool.pop("output_size", None)

    def fn(m, t):
        v, i = getattr(F(m), f"max_pool{n}d")(t, return_indices=True, **pool)
        return getattr(F(m), f"max_unpool{n}d")(v, i, **kw)
    check(fn, x)


ERRORS = [
    lambda m, t: F(m).max_pool2d(t, 2, padding=2),
    lambda m, t: F(m).max_pool2d(t, 10),
    lambda m, t: F(m).avg_pool2d(t, 10),
    lambda m, t: F(m).max_pool2d(t[0, 0], 2),
    lambda m, t: F(m).max_pool2d(t, 0),
    lambda m, t: F(m).max_pool2d(t, 2, dilation=0),
    lambda m, t: F(m).max_pool2d(t, 2, padding=-1),
    lambda m, t: F(m).max_pool2d(t, (2, 2, 2)),
    lambda m, t: F(m).avg_pool2d(t, 2, divisor_override=0),
    lambda m, t: F(m).max_pool1d(t, 2),
    lambda m, t: F(m).max_pool2d(t[:, :0], 2),
    lambda m, t: F(m).adaptive_avg_pool2d(t[0, 0, 0], 2),
    lambda m, t: F(m).adaptive_max_pool2d(t, (2, 3, 4)),
    lambda m, t: F(m).adaptive_avg_pool2d(t[..., :0, :], 2),
    lambda m, t: F(m).adaptive_avg_pool2d(t.long(), 2),
    lambda m, t: F(m).max_pool2d(t.bool(), 2),
    lambda m, t: F(m).max_unpool2d(*F(m).max_pool2d(t, 2, return_indices=True), 2, output_size=(9, 9)),
    lambda m, t: F(m).max_unpool2d(F(m).max_pool2d(t, 2), F(m).max_pool2d(t, 2, return_indices=True)[1] * 9,
                                   2),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    check_raises(fn, X4)


def test_grad_fn_names():
    torch = need_torch()
    cases = [lambda m, t: F(m).max_pool2d(t, 2), lambda m, t: F(m).max_pool1d(t[0], 2),
             lambda m, t: F(m).avg_pool2d(t, 2), lambda m, t: F(m).avg_pool3d(t[None], 2),
             lambda m, t: F(m).adaptive_avg_pool2d(t, 3), lambda m, t: F(m).adaptive_avg_pool2d(t, 1),
             lambda m, t: F(m).adaptive_max_pool2d(t, 3), lambda m, t: F(m).max_pool3d(t[None], 2),
             lambda m, t: F(m).max_unpool2d(*F(m).max_pool2d(t[..., :6, :8], 2, return_indices=True), 2)]
    for fn in cases:
        a = fn(torch, torch.tensor(X4, requires_grad=True))
        b = fn(numtorch, numtorch.tensor(X4, requires_grad=True))
        assert b.grad_fn.name() == a.grad_fn.name()


GRADCHECK = [
    lambda m, t: F(m).max_pool2d(t, 3, 2, 1, ceil_mode=True),
    lambda m, t: F(m).avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda m, t: F(m).avg_pool3d(t[None], 2, 1),
    lambda m, t: F(m).max_pool3d(t[None], 2, 1),
    lambda m, t: F(m).max_pool1d(t[0], 2),
    lambda m, t: F(m).avg_pool1d(t[0], 3, 1, 1),
    lambda m, t: F(m).adaptive_avg_pool2d(t, (3, 2)),
    lambda m, t: F(m).adaptive_avg_pool1d(t[0], 3),
    lambda m, t: F(m).adaptive_max_pool2d(t, (3, 2)),
    lambda m, t: F(m).adaptive_max_pool1d(t[0], 3),
    lambda m, t: F(m).lp_pool2d(t.abs() + 0.5, 2, 2),
    lambda m, t: F(m).max_unpool2d(*F(m).max_pool2d(t, 2, return_indices=True), 2),
]


@pytest.mark.parametrize("fn", GRADCHECK)
def test_gradcheck(fn):
    x = numtorch.tensor(rand(1, 2, 5, 6, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: fn(numtorch, t), (x,))
    assert numtorch.autograd.gradgradcheck(lambda t: fn(numtorch, t), (x,))


def test_functional_torch_names():
    torch = need_torch()
    x = rand(1, 2, 6, 6)
    a = torch.nn.functional.max_pool2d_with_indices(torch.tensor(x), 2)
    b = numtorch.nn.functional.max_pool2d_with_indices(numtorch.tensor(x), 2)
    assert_same(b, a)


LAYERS = [
    ("MaxPool2d", (3,), dict(stride=2, padding=1), X4),
    ("MaxPool2d", (2,), dict(return_indices=True, ceil_mode=True), X4),
    ("MaxPool1d", (2,), dict(stride=1, padding=1, dilation=2), X1),
    ("MaxPool3d", (2,), {}, X5),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), X1),
    ("AvgPool2d", ((2, 3),), dict(ceil_mode=True, divisor_override=4), X4),
    ("AvgPool3d", (2,), dict(stride=1), X5),
    ("AdaptiveAvgPool1d", (4,), {}, X1),
    ("AdaptiveAvgPool2d", ((2, None),), {}, X4),
    ("AdaptiveAvgPool3d", (2,), {}, X5),
    ("AdaptiveMaxPool1d", (4,), dict(return_indices=True), X1),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, X4),
    ("AdaptiveMaxPool3d", (2,), {}, X5),
    ("LPPool1d", (2, 3), {}, np.abs(X1) + 0.1),
    ("LPPool2d", (2, 3), dict(stride=2), np.abs(X4) + 0.1),
    ("LPPool3d", (1.5, 2), {}, np.abs(X5) + 0.1),
]


@pytest.mark.parametrize("name,args,kw,x", LAYERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(name, args, kw, x, dtype):
    torch = need_torch()
    mods = {}
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        mods[lib] = getattr(lib.nn, name)(*args, **kw)
    assert repr(mods[numtorch]) == repr(mods[torch])
    assert dict(mods[numtorch].state_dict()) == {}
    for train in (True, False):
        check(lambda m, t: mods[m].train(train)(t), x.astype(dtype))


@pytest.mark.parametrize("n,x", [(1, X1), (2, X4[..., :6, :8]), (3, X5[..., :4, :6])])
def test_unpool_layers(n, x):
    torch = need_torch()

    def fn(m, t):
        v, i = getattr(m.nn, f"MaxPool{n}d")(2, return_indices=True)(t)
        return getattr(m.nn, f"MaxUnpool{n}d")(2)(v, i, output_size=t.shape[-n:])
    check(fn, x)
    assert repr(numtorch.nn.MaxUnpool2d(2, 1, 1)) == repr(torch.nn.MaxUnpool2d(2, 1, 1))


_TIED = {
    "max_pool1d": (lambda F, x: F.max_pool1d(x, 2), (2, 3, 8)),
    "max_pool2d": (lambda F, x: F.max_pool2d(x, 2), (2, 3, 4, 4)),
    "max_pool3d": (lambda F, x: F.max_pool3d(x, 2), (2, 3, 4, 4, 4)),
    "max_unpool2d": (lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2), (2, 3, 4, 4)),
    "adaptive_max_pool1d": (lambda F, x: F.adaptive_max_pool1d(x, 3), (2, 3, 5)),
    "adaptive_max_pool2d": (lambda F, x: F.adaptive_max_pool2d(x, 3), (2, 3, 5, 5)),
    "avg_pool1d": (lambda F, x: F.avg_pool1d(x, 2), (2, 3, 8)),
    "avg_pool2d": (lambda F, x: F.avg_pool2d(x, 2), (2, 3, 4, 4)),
    "avg_pool3d": (lambda F, x: F.avg_pool3d(x, 2), (2, 3, 4, 4, 4)),
    "adaptive_avg_pool1d": (lambda F, x: F.adaptive_avg_pool1d(x, 3), (2, 3, 5)),
    "adaptive_avg_pool2d": (lambda F, x: F.adaptive_avg_pool2d(x, 3), (2, 3, 5, 5)),
    "adaptive_avg_pool3d": (lambda F, x: F.adaptive_avg_pool3d(x, 3), (2, 3, 5, 5, 5)),
    "area": (lambda F, x: F.interpolate(x, size=(3, 3), mode="area"), (2, 3, 5, 5)),
    "reflect1d": (lambda F, x: F.pad(x, (1, 2), mode="reflect"), (2, 3, 4)),
    "reflect2d": (lambda F, x: F.pad(x, (1, 1, 2, 0), mode="reflect"), (2, 3, 4, 4)),
    "replicate2d": (lambda F, x: F.pad(x, (1, 1, 1, 1), mode="replicate"), (2, 3, 4, 4)),
    "replicate3d": (lambda F, x: F.pad(x, (1, 0, 1, 0, 0, 1), mode="replicate"), (1, 2, 3, 3, 3)),
    "prelu": (lambda F, x: F.prelu(x, x.new_full((3,), 0.25)), (2, 3, 4)),
    "rrelu_eval": (lambda F, x: F.rrelu(x, training=False), (2, 3, 4)),
}


@pytest.mark.parametrize("name", sorted(_TIED))
def test_higher_derivatives_through_pooling_and_padding_are_zeros(name):
    # torch's derivatives of these ops name their input even where they use only its shape or indices: the
    # first derivative requires grad, and differentiating it again gives zeros (a bias before the op too)
    torch = need_torch()
    fn, shape = _TIED[name]
    x = rand(*shape, dtype="float64", seed=5)
    res = []
    for lib in (torch, numtorch):
        a = lib.tensor(x, requires_grad=True)
        b = lib.zeros(shape[-1], dtype=lib.float64, requires_grad=True)
        out = fn(lib.nn.functional, a + b)
        g1 = lib.autograd.grad((out * out.detach()).sum(), a, create_graph=True)[0]
        g2 = lib.autograd.grad(g1.sum(), [a, b], allow_unused=True)
        res.append((g1.requires_grad, [None if g is None else g.detach().numpy() for g in g2]))
    assert res[0][0] == res[1][0] is True
    for t, n in zip(res[0][1], res[1][1]):
        assert (t is None) == (n is None)
        if t is not None:
            np.testing.assert_array_equal(n, t)


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
                                  "reflect2d", "rrelu_eval"])
def test_pooling_input_modified_in_place_before_backward_raises(name):
    # the op keeps its input for the derivative, as torch's does: writing into it afterwards is an error
    fn, shape = _TIED[name]

    def body(lib):
        x = lib.tensor(rand(*shape, dtype="float64", seed=6), requires_grad=True) * 1
        y = fn(lib.nn.functional, x)
        x.add_(1)
        y.sum().backward()
    check_raises(body)


AVG_BITS = [(1, dict(kernel_size=3, stride=2, padding=1)), (2, dict(kernel_size=3, stride=2, padding=1)),
            (2, dict(kernel_size=3, stride=1, padding=1, count_include_pad=False)),
            (2, dict(kernel_size=(2, 3), stride=(1, 2), ceil_mode=True)), (2, dict(kernel_size=3, divisor_override=5)),
            (3, dict(kernel_size=3, stride=2, padding=1))]


@pytest.mark.parametrize("nd,kw", AVG_BITS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_avg_pool_bits(nd, kw, dtype):
    # torch sums each window element by element in row-major order, and its derivative gives every input
    # element its shares in output order (16-bit shares stored and added up in the 16-bit type): values
    # and gradients equal torch's bit for bit
    rng = np.random.default_rng(nd)
    x = (rng.standard_normal((2, 3) + (9,) * nd) * 2).astype(np.float32)

    def bits(lib):
        t = lib.tensor(x).to(getattr(lib, dtype)).requires_grad_()
        try:
            out = getattr(lib.nn.functional, f"avg_pool{nd}d")(t, **kw)
        except NotImplementedError as e:  # torch compiles no 16-bit avg_pool3d
            return type(e)
        g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
        out.backward(lib.tensor(g).to(out.dtype))
        return [a.detach().double().numpy().view(np.int64) for a in (out, t.grad)]
    n, t = bits(numtorch), bits(need_torch())
    if not isinstance(t, list):
        assert n is t
        return
    assert np.array_equal(n[0], t[0]) and np.array_equal(n[1], t[1])


ADAPTIVE_BITS = [(2, (8, 16, 12, 12), (5, 5)), (2, (2, 3, 7, 9), (4, 5)), (2, (2, 20, 7, 9), (4, 5)),
                 (2, (2, 3, 5, 6), (9, 11)), (3, (2, 3, 9, 10, 11), (4, 3, 5)), (3, (2, 20, 5, 6, 7), (7, 2, 9)),
                 (1, (3, 5, 17), (6,)), (2, (3, 12, 12), (5, 5))]


@pytest.mark.parametrize("nd,shape,out", ADAPTIVE_BITS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("last", [False, True])
def test_adaptive_avg_pool_bits(nd, shape, out, dtype, last):
    # window sums element by element, then divided by each extent in turn (channels-last: the channels
    # filling 32-byte vectors by the extents' product); the derivative adds each output's shares output
    # by output, in the gradient's type: values, gradients and strides equal torch's
    x = (np.random.default_rng(nd).standard_normal(shape) * 2).astype(np.float32)

    def run(lib):
        t = lib.tensor(x).to(getattr(lib, dtype))
        if last and len(shape) > 3:
            t = t.to(memory_format=lib.channels_last if len(shape) == 4 else lib.channels_last_3d)
        t.requires_grad_()
        o = getattr(lib.nn.functional, f"adaptive_avg_pool{nd}d")(t, out if nd > 1 else out[0])
        g = np.random.default_rng(1).standard_normal(tuple(o.shape)).astype(np.float32)
        o.backward(lib.tensor(g).to(o.dtype))
        return [a.detach().double().numpy().view(np.int64) for a in (o, t.grad)], (o.stride(), t.grad.stride())
    (n, ns), (t, ts) = run(numtorch), run(need_torch())
    assert ns == ts and np.array_equal(n[0], t[0]) and np.array_equal(n[1], t[1])
