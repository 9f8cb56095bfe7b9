"""Convolutions, transposed convolutions, unfold/fold and their layers against the torch oracle."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand, to_np

F64 = dict(atol=1e-10, rtol=1e-9)
F32 = dict(atol=2e-5, rtol=2e-4)

# (function, input shape, weight shape, bias size or None, kwargs)
CONV_CASES = [
    ("conv1d", (2, 4, 9), (6, 4, 3), 6, {}),
    ("conv1d", (2, 4, 9), (6, 2, 3), None, dict(stride=3, padding=2, groups=2)),
    ("conv1d", (4, 9), (6, 4, 2), 6, dict(dilation=2, padding="same")),
    ("conv2d", (2, 4, 9, 8), (6, 2, 3, 2), 6, dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ("conv2d", (2, 4, 9, 8), (6, 2, 3, 2), 6, dict(padding=(4, 3), dilation=(2, 1), groups=2)),
    ("conv2d", (1, 3, 8, 8), (5, 3, 3, 3), 5, dict(padding=1)),
    ("conv2d", (3, 8, 8), (5, 3, 3, 3), None, dict(stride=2)),
    ("conv2d", (2, 4, 9, 8), (6, 4, 4, 3), 6, dict(padding="same", dilation=(1, 2))),
    ("conv2d", (2, 4, 9, 8), (6, 4, 3, 3), 6, dict(padding="valid")),
    ("conv2d", (0, 4, 9, 8), (6, 4, 3, 3), 6, {}),
    ("conv2d", (2, 4, 3, 3), (6, 4, 3, 3), 6, {}),
    ("conv2d", (2, 16, 20, 20), (16, 16, 3, 3), 16, dict(padding=1)),  # wide: one GEMM for the batch
    ("conv_transpose2d", (2, 16, 20, 20), (16, 16, 3, 3), None, dict(padding=1)),
    ("conv2d", (4, 3, 64, 64), (4, 3, 5, 5), 4, {}),  # big enough for the two-thread column copy
    ("conv3d", (2, 2, 5, 6, 4), (3, 2, 2, 3, 2), 3, dict(stride=(1, 2, 1), padding=1, dilation=(2, 1, 1))),
    ("conv3d", (2, 2, 5, 6, 4), (4, 1, 2, 3, 2), 4, dict(padding=(1, 2, 0), groups=2)),
    ("conv_transpose1d", (2, 4, 5), (4, 3, 3), 3, dict(stride=2, padding=3, output_padding=1)),
    ("conv_transpose1d", (4, 5), (4, 3, 3), None, dict(output_padding=2, dilation=3)),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), 6,
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), 6, dict(padding=(1, 0), groups=2, dilation=(1, 2))),
    ("conv_transpose2d", (1, 4, 5, 6), (4, 3, 3, 3), 3, dict(padding=2)),
    ("conv_transpose3d", (1, 2, 3, 4, 3), (2, 4, 2, 2, 3), 4, dict(stride=2, padding=1)),
    ("conv_transpose3d", (1, 2, 3, 4, 3), (2, 4, 2, 2, 3), None, dict(padding=1)),
]


def _conv_fn(name, kw):
    def fn(m, x, w, *b):
        return getattr(m.nn.functional, name)(x, w, b[0] if b else None, **kw)
    return fn


def _data(xs, ws, bs, dtype, seed=0):
    data = [rand(*xs, dtype=dtype, seed=seed), rand(*ws, dtype=dtype, seed=seed + 1)]
    return data + ([rand(bs, dtype=dtype, seed=seed + 2)] if bs else [])


@pytest.mark.parametrize("name,xs,ws,bs,kw", CONV_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_oracle(name, xs, ws, bs, kw, dtype):
    check(_conv_fn(name, kw), *_data(xs, ws, bs, dtype), **(F64 if dtype == "float64" else F32))


# Cases for the cache-blocked column GEMMs, run with a block budget small enough that blocks hold a few
# images (the first budget) or only some output rows of one image (the others).
BLOCKED_CASES = [
    ("conv2d", (5, 3, 12, 11), (6, 3, 5, 5), 6, {}),
    ("conv2d", (3, 8, 10, 10), (8, 4, 3, 3), None, dict(padding=1, groups=2)),
    ("conv2d", (3, 4, 11, 12), (6, 4, 3, 3), 6, dict(stride=2, padding=1)),
    ("conv2d", (2, 4, 11, 12), (6, 2, 3, 2), 6, dict(stride=(2, 1), dilation=(1, 2), groups=2)),
    ("conv1d", (4, 5, 30), (6, 5, 4), 6, dict(padding=2)),
    ("conv3d", (2, 3, 6, 7, 5), (4, 3, 3, 2, 2), 4, dict(padding=1, stride=(1, 2, 1))),
    ("conv_transpose2d", (3, 6, 8, 9), (6, 4, 3, 3), 4, dict(padding=1)),
    # 'same' stride-1 layers: shifted input planes instead of a padded copy
    ("conv2d", (3, 4, 9, 11), (6, 4, 5, 5), 6, dict(padding=2)),
    ("conv2d", (3, 4, 9, 11), (6, 2, 3, 3), None, dict(padding=2, dilation=2, groups=2)),
    ("conv2d", (3, 4, 9, 11), (6, 4, 4, 3), 6, dict(padding="same")),
    ("conv2d", (3, 4, 2, 3), (5, 4, 5, 5), 5, dict(padding=2)),
    ("conv1d", (4, 5, 30), (6, 5, 5), 6, dict(padding="same", dilation=3)),
    ("conv3d", (2, 3, 5, 6, 7), (4, 3, 3, 3, 3), 4, dict(padding=1)),
    # strided layers as stride-1 ones over phase channels (space to depth)
    ("conv2d", (3, 4, 11, 12), (6, 2, 5, 4), 6, dict(stride=(3, 2), padding=(2, 1), groups=2)),
    ("conv2d", (2, 3, 9, 10), (5, 3, 2, 2), None, dict(stride=2)),
    ("conv2d", (2, 3, 12, 13), (5, 3, 3, 3), 5, dict(stride=2, padding=3)),
    ("conv2d", (2, 3, 4, 5), (5, 3, 3, 3), 5, dict(stride=3, padding=1)),
    ("conv3d", (2, 2, 7, 6, 5), (3, 2, 3, 2, 3), 3, dict(stride=(2, 2, 1), padding=1)),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 3), 3, dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 2, 4, 3), 4, dict(stride=(3, 2), padding=(2, 0), groups=2)),
]


@pytest.mark.parametrize("budget", [60000, 4096, 512])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name,xs,ws,bs,kw", BLOCKED_CASES)
def test_conv_blocked_engine(name, xs, ws, bs, kw, budget, threads, monkeypatch):
    from numtorch._ops import conv
    monkeypatch.setattr(conv, "_BLOCK_BYTES", budget)
    before = numtorch.get_num_threads()
    numtorch.set_num_threads(threads)
    try:
        for dtype, tol in (("float32", F32), ("float64", F64)):
            check(_conv_fn(name, kw), *_data(xs, ws, bs, dtype), **tol)
    finally:
        numtorch.set_num_threads(before)


@pytest.mark.parametrize("name,xs,ws,bs,kw", CONV_CASES[::3])
def test_conv_complex(name, xs, ws, bs, kw):
    data = [d + 1j * rand(*d.shape, dtype="float64", seed=9) for d in _data(xs, ws, bs, "float64")]
    check(_conv_fn(name, kw), *data, **F64)


def test_conv_non_contiguous_and_expanded():
    x = rand(2, 8, 9, 4, dtype="float64")
    w = rand(5, 4, 3, 3, dtype="float64", seed=1)
    check(lambda m, x, w: m.nn.functional.conv2d(x.transpose(1, 3)[:, ::2], w.transpose(2, 3), padding=1),
          x, w, **F64)
    check(lambda m, x, w: m.conv2d(x[:1].expand(3, 8, 9, 4)[:, :4], w, stride=2), x, w, **F64)
    check(lambda m, x, w: m.conv_transpose2d(x[:, :5].transpose(2, 3), w, stride=2), x, w, **F64)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "int64", "int32", "uint8"])
def test_conv_dtypes(dtype):
    floating = "float" in dtype
    x = rand(2, 3, 6, 6, dtype="float32") if floating else rand(2, 3, 6, 6, dtype="int64", low=-1, high=1)
    w = rand(4, 3, 3, 3, dtype="float32", seed=1) if floating else rand(4, 3, 3, 3, dtype="int64", seed=1,
                                                                          low=-1, high=1)
    if dtype == "uint8":
        x, w = np.abs(x), np.abs(w)
    tol = dict(atol=0.05, rtol=0.02) if "float" in dtype else {}
    check(lambda m, x, w: m.conv2d(x.to(getattr(m, dtype)), w.to(getattr(m, dtype)), padding=1), x, w,
          grad=False, **tol)

    def transposed(m, x, w):
        return m.conv_transpose2d(x.to(getattr(m, dtype)), w.transpose(0, 1).to(getattr(m, dtype)))
    check(transposed, x, w, grad=False, **tol)


def test_torch_namespace_and_convolution():
    x = rand(2, 3, 7, 6, dtype="float64")
    w = rand(4, 3, 3, 2, dtype="float64", seed=1)
    b = rand(4, dtype="float64", seed=2)
    check(lambda m, x, w, b: m.convolution(x, w, b, [2, 1], [1, 0], [1, 2], False, [0, 0], 1), x, w, b, **F64)
    check(lambda m, x, w, b: m.convolution(x, w.transpose(0, 1), b[:3], [2], [1], [1], True, [1], 1), x, w, b,
          **F64)
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        assert callable(getattr(numtorch, name))


CONV_ERRORS = [
    lambda m, x, w: m.nn.functional.conv2d(x.unsqueeze(0), w),
    lambda m, x, w: m.nn.functional.conv1d(x, w),
    lambda m, x, w: m.nn.functional.conv2d(x[:, :2], w),
    lambda m, x, w: m.nn.functional.conv2d(x[0, :2], w),
    lambda m, x, w: m.nn.functional.conv2d(x[..., :2, :2], w),
    lambda m, x, w: m.nn.functional.conv2d(x, w, dilation=4),
    lambda m, x, w: m.nn.functional.conv2d(x, w, stride=0),
    lambda m, x, w: m.nn.functional.conv2d(x, w, padding=-1),
    lambda m, x, w: m.nn.functional.conv2d(x, w, dilation=0),
    lambda m, x, w: m.nn.functional.conv2d(x, w, groups=0),
    lambda m, x, w: m.nn.functional.conv2d(x, w, groups=2),
    lambda m, x, w: m.nn.functional.conv2d(x, w, groups=1.0),
    lambda m, x, w: m.nn.functional.conv2d(x, w, stride=1.5),
    lambda m, x, w: m.nn.functional.conv2d(x, w, padding="same", stride=2),
    lambda m, x, w: m.nn.functional.conv2d(x, w, padding="full"),
    lambda m, x, w: m.nn.functional.conv2d(x, w, padding=(1, 2, 3)),
    lambda m, x, w: m.nn.functional.conv2d(x, w, m.zeros(3)),
    lambda m, x, w: m.nn.functional.conv2d(x, w, m.zeros(4, 1)),
    lambda m, x, w: m.nn.functional.conv2d(x, w, m.zeros(4, dtype=m.float64)),
    lambda m, x, w: m.nn.functional.conv2d(x, w.double()),
    lambda m, x, w: m.nn.functional.conv2d(x, w[..., 0]),
    lambda m, x, w: m.nn.functional.conv2d(x, w[:0]),
    lambda m, x, w: m.nn.functional.conv2d(x.bool(), w.bool()),
    lambda m, x, w: m.nn.functional.conv1d(x[..., 0], w[..., 0, 0]),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :3], w),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :4], w, padding="same"),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :4], w, output_padding=3),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :4], w, output_padding=-1),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :4], w, m.zeros(3)),
    lambda m, x, w: m.nn.functional.conv_transpose2d(x[:, :4], w, groups=3),
    lambda m, x, w: m.convolution(x[0], w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1),
    lambda m, x, w: m.nn.functional.conv2d("x", w),
]


@pytest.mark.parametrize("i", range(len(CONV_ERRORS)))
def test_conv_errors(i):
    ne, te = check_raises(CONV_ERRORS[i], rand(2, 4, 6, 6), rand(4, 4, 3, 3, seed=1))
    if isinstance(te, RuntimeError) and "Expected" in str(te) or "channels" in str(te):
        assert str(ne) == str(te)


def test_same_padding_warns_once_like_torch():
    x, w = rand(1, 2, 5, 5), rand(3, 2, 2, 2, seed=1)
    check(lambda m, x, w: [m.conv2d(x, w, padding="same"), m.conv2d(x, w, padding="same")], x, w, **F32)


def test_node_names():
    x = numtorch.randn(2, 3, 6, 6, requires_grad=True)
    w = numtorch.randn(4, 3, 3, 3, requires_grad=True)
    y = numtorch.nn.functional.conv2d(x, w)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    assert y.grad_fn.next_functions[2] == (None, 0)
    assert numtorch.conv_transpose2d(y, w).grad_fn.name() == "ConvolutionBackward0"
    cols = numtorch.nn.functional.unfold(x, 2)
    assert cols.grad_fn.name() == "Im2ColBackward0"
    assert numtorch.nn.functional.fold(cols, 6, 2).grad_fn.name() == "Col2ImBackward0"


GRAD_CASES = [
    ("conv1d", (2, 4, 7), (6, 2, 3), 6, dict(stride=2, padding=1, groups=2)),
    ("conv2d", (1, 4, 4, 4), (4, 2, 3, 2), 4, dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ("conv2d", (1, 2, 5, 5), (3, 2, 3, 3), 3, dict(padding=1)),
    ("conv2d", (1, 2, 5, 5), (3, 2, 2, 3), None, dict(padding="same")),
    ("conv3d", (1, 2, 4, 3, 4), (2, 2, 2, 2, 2), 2, dict(stride=(1, 2, 1), padding=1)),
    ("conv_transpose2d", (1, 4, 2, 3), (4, 2, 3, 2), 4,
     dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2), groups=2)),
    ("conv_transpose1d", (1, 2, 4), (2, 3, 3), 3, dict(padding=1)),
    ("conv_transpose3d", (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), 2, dict(stride=2, padding=(1, 0, 0))),
]


@pytest.mark.parametrize("name,xs,ws,bs,kw", GRAD_CASES)
def test_gradcheck_gradgradcheck(name, xs, ws, bs, kw):
    ts = [numtorch.tensor(d, requires_grad=True) for d in _data(xs, ws, bs, "float64")]
    fn = _conv_fn(name, kw)
    f = lambda *a: fn(numtorch, *a)  # noqa: E731
    assert numtorch.autograd.gradcheck(f, tuple(ts))
    assert numtorch.autograd.gradgradcheck(f, tuple(ts))


@pytest.mark.parametrize("name,xs,ws,bs,kw", GRAD_CASES)
def test_fast_backward_matches_composed(name, xs, ws, bs, kw):
    # The first-order backward uses array kernels; under create_graph it composes registered convolutions.
    ts = [numtorch.tensor(d, requires_grad=True) for d in _data(xs, ws, bs, "float64")]
    y = _conv_fn(name, kw)(numtorch, *ts)
    g = numtorch.tensor(rand(*y.shape, dtype="float64", seed=5))
    fast = numtorch.autograd.grad(y, ts, g, retain_graph=True)
    composed = numtorch.autograd.grad(y, ts, g, create_graph=True)
    for a, b in zip(fast, composed):
        np.testing.assert_allclose(to_np(a), to_np(b), atol=1e-12, rtol=1e-10)


def test_double_backward_oracle():
    x, w = rand(2, 3, 6, 5, dtype="float64"), rand(4, 3, 3, 2, dtype="float64", seed=1)

    def fn(m, x, w):
        y = m.nn.functional.conv2d(x, w, stride=(2, 1), padding=1)
        gx, gw = m.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx.sin().sum() + gw.cos().sum()).reshape(1)
    check(fn, x, w, **F64)


# ------------------------------------------------------------------------------------------ unfold / fold

UNFOLD_CASES = [
    ((2, 3, 8, 8), dict(kernel_size=3)),
    ((2, 3, 8, 7), dict(kernel_size=(2, 3), dilation=2, padding=1, stride=(2, 1))),
    ((3, 6, 5), dict(kernel_size=2, stride=2)),
    ((0, 3, 8, 8), dict(kernel_size=3)),
    ((1, 2, 4, 4), dict(kernel_size=4, padding=(0, 2))),
]


@pytest.mark.parametrize("shape,kw", UNFOLD_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unfold_fold_oracle(shape, kw, dtype):
    x = rand(*shape, dtype=dtype)
    tol = F64 if dtype == "float64" else F32
    check(lambda m, x: m.nn.functional.unfold(x, **kw), x, strides=True, **tol)
    check(lambda m, x: m.nn.functional.fold(m.nn.functional.unfold(x, **kw), shape[-2:], **kw), x,
          strides=True, **tol)
    check(lambda m, x: m.nn.functional.unfold(x.transpose(-1, -2), **kw), x, **tol)


def test_unfold_fold_gradcheck_and_bool():
    x = numtorch.tensor(rand(2, 2, 5, 4, dtype="float64"), requires_grad=True)
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=2)
    nf = numtorch.nn.functional
    f = lambda x: nf.fold(nf.unfold(x, **kw), (5, 4), **kw)  # noqa: E731
    assert numtorch.autograd.gradcheck(f, (x,)) and numtorch.autograd.gradgradcheck(f, (x,))
    check(lambda m, x: m.nn.functional.unfold(x > 0, 2), rand(2, 3, 4, 4), grad=False)


UNFOLD_ERRORS = [
    lambda m, x: m.nn.functional.unfold(x, 9),
    lambda m, x: m.nn.functional.unfold(x, 0),
    lambda m, x: m.nn.functional.unfold(x, 3, stride=0),
    lambda m, x: m.nn.functional.unfold(x, 3, padding=-1),
    lambda m, x: m.nn.functional.unfold(x, 3, dilation=0),
    lambda m, x: m.nn.functional.unfold(x[0, 0], 3),
    lambda m, x: m.nn.functional.unfold(x.unsqueeze(0), 3),
    lambda m, x: m.nn.functional.unfold(x.long(), 3),
    lambda m, x: m.nn.functional.unfold(x, (1, 2, 3)),
    lambda m, x: m.nn.functional.unfold(x[:, :0], 3),
    lambda m, x: m.nn.functional.fold(x, (8, 8), 3),
    lambda m, x: m.nn.functional.fold(x[0, :, :, :2].reshape(1, 3, 16), (8, 8), 3),
    lambda m, x: m.nn.functional.fold(x.reshape(2, 27, -1)[:, :, :2], (8, 8), 3),
    lambda m, x: m.nn.functional.fold(x.reshape(2, 9, 42).long(), (8, 8), 1),
    lambda m, x: m.nn.functional.fold(x.reshape(2, 9, 42), (8, 8, 1), 3),
    lambda m, x: m.nn.functional.fold(x.reshape(2, 9, 42)[:, :0], (8, 8), 3),
]


@pytest.mark.parametrize("i", range(len(UNFOLD_ERRORS)))
def test_unfold_fold_errors(i):
    ne, te = check_raises(UNFOLD_ERRORS[i], rand(2, 3, 8, 7))
    assert str(ne) == str(te)


# ------------------------------------------------------------------------------------------------ layers

LAYERS = [
    ("Conv1d", (4, 6, 3), {}, 1),
    ("Conv1d", (4, 6, 2), dict(stride=2, padding=1, groups=2, bias=False, padding_mode="reflect"), 1),
    ("Conv2d", (3, 5, 3), {}, 2),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), 2),
    ("Conv2d", (4, 6, 4), dict(padding="same", padding_mode="replicate"), 2),
    ("Conv2d", (4, 6, 3), dict(padding=2, padding_mode="circular", bias=False), 2),
    ("Conv2d", (4, 6, 3), dict(padding="valid"), 2),
    ("Conv3d", (2, 4, 2), dict(padding=1, stride=(1, 2, 1)), 3),
    ("ConvTranspose1d", (4, 6, 3), dict(stride=2, output_padding=1), 1),
    ("ConvTranspose2d", (4, 6, 3), {}, 2),
    ("ConvTranspose2d", (4, 6, (3, 2)),
     dict(stride=2, padding=1, output_padding=(1, 0), groups=2, dilation=(1, 2), bias=False), 2),
    ("ConvTranspose3d", (2, 4, 2), dict(stride=2, padding=(1, 0, 0)), 3),
]


def _pair_layers(name, args, kw):
    torch = need_torch()
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kw)
    numtorch.manual_seed(0)
    n = getattr(numtorch.nn, name)(*args, **kw)
    return t, n


@pytest.mark.parametrize("name,args,kw,nd", LAYERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(name, args, kw, nd, dtype):
    torch = need_torch()
    t, n = _pair_layers(name, args, kw)
    assert repr(n) == repr(t)
    assert list(n.state_dict()) == list(t.state_dict())
    for (kn, pn), (kt, pt) in zip(n.named_parameters(), t.named_parameters()):
        assert kn == kt and np.array_equal(to_np(pn), to_np(pt))
    t.to(getattr(torch, dtype))
    n.to(getattr(numtorch, dtype))
    tol = F64 if dtype == "float64" else F32
    x = rand(*((2, args[0]) + (7, 6, 5)[:nd]), dtype=dtype)
    for train in (True, False):
        t.train(train)
        n.train(train)
        xt = torch.tensor(x, requires_grad=True)
        xn = numtorch.tensor(x, requires_grad=True)
        yt, yn = t(xt), n(xn)
        np.testing.assert_allclose(to_np(yn), to_np(yt), **tol)
        g = rand(*yt.shape, dtype=dtype, seed=3)
        yt.backward(torch.tensor(g))
        yn.backward(numtorch.tensor(g))
        np.testing.assert_allclose(to_np(xn.grad), to_np(xt.grad), **tol)
        for pn, pt in zip(n.parameters(), t.parameters()):
            np.testing.assert_allclose(to_np(pn.grad), to_np(pt.grad), **tol)
        n.zero_grad()
        t.zero_grad()


def test_layer_unbatched_and_state_dict_roundtrip():
    torch = need_torch()
    t, n = _pair_layers("Conv2d", (3, 4, 3), dict(padding=1))
    n2 = numtorch.nn.Conv2d(3, 4, 3, padding=1)
    n2.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = rand(3, 5, 5)
    np.testing.assert_allclose(to_np(n2(numtorch.tensor(x))), to_np(t(torch.tensor(x))), **F32)


@pytest.mark.parametrize("output_size", [None, (10, 12), [2, 4, 10, 12], (9, 11)])
def test_conv_transpose_output_size(output_size):
    torch = need_torch()
    t, n = _pair_layers("ConvTranspose2d", (3, 4, 3), dict(stride=2, padding=1))
    x = rand(2, 3, 5, 6)
    yt = t(torch.tensor(x), output_size=output_size)
    yn = n(numtorch.tensor(x), output_size=output_size)
    assert tuple(yn.shape) == tuple(yt.shape)
    np.testing.assert_allclose(to_np(yn), to_np(yt), **F32)


LAYER_ERRORS = [
    lambda m: m.nn.Conv2d(3, 4, 3, groups=0),
    lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
    lambda m: m.nn.Conv2d(4, 3, 3, groups=2),
    lambda m: m.nn.Conv2d(3, 4, 3, padding="full"),
    lambda m: m.nn.Conv2d(3, 4, 3, padding="same", stride=2),
    lambda m: m.nn.Conv2d(3, 4, 3, padding_mode="mirror"),
    lambda m: m.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
    lambda m: m.nn.ConvTranspose2d(3, 4, 3, stride=2)(m.zeros(1, 3, 4, 4), output_size=(20, 20)),
    lambda m: m.nn.ConvTranspose2d(3, 4, 3, stride=2)(m.zeros(1, 3, 4, 4), output_size=(9,)),
]


@pytest.mark.parametrize("i", range(len(LAYER_ERRORS)))
def test_layer_errors(i):
    ne, te = check_raises(LAYER_ERRORS[i])
    if i != 7:
        assert str(ne) == str(te) or "{" in str(te)


@pytest.mark.parametrize("cls,args", [("Fold", ((5, 4), (2, 3))), ("Fold", (6, 2, 1, 1, 2)),
                                      ("Unfold", ((2, 3),)), ("Unfold", (2, 2, 1, 1))])
def test_fold_layers(cls, args):
    torch = need_torch()
    t, n = getattr(torch.nn, cls)(*args), getattr(numtorch.nn, cls)(*args)
    assert repr(n) == repr(t)
    x = rand(2, 3, 5, 4) if cls == "Unfold" else to_np(torch.nn.functional.unfold(torch.tensor(rand(2, 3, *(
        (5, 4) if args[0] == (5, 4) else (6, 6)))), *args[1:]))
    np.testing.assert_allclose(to_np(n(numtorch.tensor(x))), to_np(t(torch.tensor(x))), **F32)


def test_kept_padded_buffers_keep_zero_borders():
    # temporary padded copies reuse a buffer per geometry; each use sees its own interior, zeros around
    from numtorch._ops import conv
    rng = np.random.default_rng(0)
    for _ in range(2):
        for lo, hi in (((1, 1), (1, 1)), ((2, 2), (0, 0)), ((0, 1), (2, 1)), ((1, -1), (1, 2))):
            x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
            got = conv._pad(np, x, lo, hi, temporary=True)
            cut = x[:, :, max(-lo[0], 0):4 - max(-hi[0], 0), max(-lo[1], 0):4 - max(-hi[1], 0)]
            want = np.pad(cut, ((0, 0), (0, 0)) + tuple((max(a, 0), max(b, 0)) for a, b in zip(lo, hi)))
            np.testing.assert_array_equal(got, want)
