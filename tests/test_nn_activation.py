"""Activation functionals and layers against the torch oracle."""
import numpy as np
import pytest

import numtorch as nt
import numtorch.nn.functional  # noqa: F401
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import assert_same, check, check_raises, need_torch, rand, run_both  # noqa: F401

# name -> fn(lib, x) using lib.nn.functional
ACTS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 1.5),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 0.7),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 1.5),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x, beta=2.0, threshold=1.5),
    "softsign": lambda F, x: F.softsign(x),
    "softshrink": lambda F, x: F.softshrink(x, 0.7),
    "hardshrink": lambda F, x: F.hardshrink(x, 0.7),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.3, -2.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softmin": lambda F, x: F.softmin(x, -1),
    "softmax": lambda F, x: F.softmax(x, 0),
    "log_softmax": lambda F, x: F.log_softmax(x, -1),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "rrelu_eval": lambda F, x: F.rrelu(x),
    "glu": lambda F, x: F.glu(x, 0),
}
NO_SCALAR = {"glu"}
SHAPES = [(), (0,), (6,), (4, 6), (2, 4, 3)]


def _f(lib):
    return lib.nn.functional


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation(name, shape, dtype):
    if name in NO_SCALAR and shape in [(), (2, 4, 3)]:
        shape = (4, 2)
    x = rand(*shape, dtype=dtype, low=-4, high=4)
    check(lambda m, a: ACTS[name](_f(m), a), x, atol=1e-6 if dtype == "float64" else 2e-6)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_activation_noncontiguous(name):
    x = rand(6, 8, low=-4, high=4)
    check(lambda m, a: ACTS[name](_f(m), a.t()[::2]), x, atol=2e-6)


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_activation_half(name, dtype):
    x = rand(4, 6, low=-4, high=4)
    check(lambda m, a: ACTS[name](_f(m), a.to(getattr(m, dtype))), x, grad=False, atol=1e-2, rtol=1e-2)


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_activation_int(name, dtype):
    x = rand(4, 6, dtype=dtype)
    check(lambda m, a: ACTS[name](_f(m), a), x, grad=False)


def test_special_values():
    x = np.array([-np.inf, -100.0, -20.0, -3.0, -0.0, 0.0, 3.0, 20.0, 100.0, np.inf, np.nan], "float32")
    for name in sorted(set(ACTS) - NO_SCALAR):
        # torch's vectorised float32 gelu gives NaN at +inf, its scalar path inf: not a property to copy.
        data = x[:-2] if name == "gelu" else x
        check(lambda m, a: ACTS[name](_f(m), a), data, grad=False)


INPLACE = {
    "relu": lambda F, x: F.relu(x, inplace=True),
    "relu_": lambda F, x: F.relu_(x),
    "relu6": lambda F, x: F.relu6(x, inplace=True),
    "hardtanh_": lambda F, x: F.hardtanh_(x, -0.5, 0.5),
    "leaky_relu_": lambda F, x: F.leaky_relu_(x, 0.1),
    "elu": lambda F, x: F.elu(x, inplace=True),
    "elu_": lambda F, x: F.elu_(x, 0.5),
    "selu": lambda F, x: F.selu(x, inplace=True),
    "celu_": lambda F, x: F.celu_(x, 2.0),
    "silu": lambda F, x: F.silu(x, inplace=True),
    "mish": lambda F, x: F.mish(x, inplace=True),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True),
    "hardswish": lambda F, x: F.hardswish(x, inplace=True),
    "threshold_": lambda F, x: F.threshold_(x, 0.1, 5.0),
    "rrelu_": lambda F, x: F.rrelu_(x),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace(name):
    def fn(m, a):
        b = a * 1
        r = INPLACE[name](_f(m), b)
        assert r is b
        return b
    check(fn, rand(3, 5, low=-4, high=4, dtype="float64"))


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_view(name):
    def fn(m, a):
        b = a * 1
        INPLACE[name](_f(m), b[1:, ::2])
        return b
    check(fn, rand(3, 5, low=-4, high=4, dtype="float64"))


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_leaf_error(name):
    check_raises(lambda m, a: INPLACE[name](_f(m), a.requires_grad_()), rand(3, dtype="float64"))


@pytest.mark.parametrize("name", sorted(ACTS))
def test_node_name(name):
    res = run_both(lambda m, a: ACTS[name](_f(m), a.requires_grad_()), rand(4, 6, dtype="float64"))
    (t, *_), (n, *_) = res["torch"], res["numtorch"]
    assert n.grad_fn.name() == t.grad_fn.name()


GRADCHECK = dict(ACTS)
GRADCHECK.update({
    "prelu": None, "rrelu_train": None, "softplus_thr": lambda F, x: F.softplus(x, 0.5, 0.7),
})


def _away(shape, seed=0):
    # Keep inputs away from the kinks at 0, +-0.3, +-0.5, +-0.7, +-1, +-1.5, +-3 where derivatives jump.
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.05, 0.12, shape) + rng.integers(-8, 8, shape) * 0.4
    return nt.tensor(v, dtype=nt.float64, requires_grad=True)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_gradcheck(name):
    F = nt.nn.functional
    x = _away((4, 6))
    fn = lambda a: ACTS[name](F, a)  # noqa: E731
    assert gradcheck(fn, (x,))
    if name == "hardsigmoid":
        # torch's hardsigmoid_backward has no derivative: a second derivative raises, as torch's does
        with pytest.raises(RuntimeError, match="derivative for aten::hardsigmoid_backward is not implemented"):
            gradgradcheck(fn, (x,))
        return
    assert gradgradcheck(fn, (x,))


def test_hardsigmoid_second_derivative_raises_like_torch():
    torch = need_torch()
    res = []
    for lib in (torch, nt):
        x = lib.tensor(_away((3, 4)).detach().numpy(), requires_grad=True)
        g1 = lib.autograd.grad(lib.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)[0]
        with pytest.raises(RuntimeError) as info:
            g1.sum().backward()
        res.append((g1.requires_grad, g1.grad_fn.name(), str(info.value)))
    assert res[0] == res[1]


def test_gradcheck_prelu():
    F = nt.nn.functional
    w = nt.tensor([0.2, -0.3, 0.5], dtype=nt.float64, requires_grad=True)
    assert gradcheck(F.prelu, (_away((2, 3, 4)), w))
    assert gradgradcheck(F.prelu, (_away((2, 3, 4)), w))
    w1 = nt.tensor([0.25], dtype=nt.float64, requires_grad=True)
    assert gradcheck(F.prelu, (_away((2, 3)), w1))


PRELU = [((2, 3, 4), (3,)), ((2, 3, 4), (1,)), ((2, 3), (3,)), ((5,), (1,)), ((), (1,)), ((), ()),
         ((4,), (4,)), ((2, 3, 2, 2), (3,)), ((0, 3), (3,)), ((2, 3, 4), ()), ((2, 3, 4), (4,)),
         ((2, 3), (2, 2)), ((), (3,))]


@pytest.mark.parametrize("xs, ws", PRELU)
def test_prelu(xs, ws):
    check(lambda m, x, w: _f(m).prelu(x, w), rand(*xs, dtype="float64"), rand(*ws, dtype="float64", seed=1))


def test_prelu_errors():
    check_raises(lambda m, x, w: _f(m).prelu(x, w.double()), rand(2, 3), rand(3))
    check_raises(lambda m, x, w: _f(m).prelu(x.long(), w.long()), rand(2, 3), rand(3))


@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (0, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_training_rng(shape, dtype):
    def fn(m, x):
        m.manual_seed(7)
        return _f(m).rrelu(x, 0.1, 0.6, training=True)
    check(fn, rand(*shape, dtype=dtype), atol=0, rtol=0)


def test_rrelu_training_noncontiguous():
    def fn(m, x):
        m.manual_seed(3)
        return _f(m).rrelu(x.t(), training=True)
    check(fn, rand(4, 5), atol=0, rtol=0)


def test_glu_errors():
    for fn, shape in [(lambda F, x: F.glu(x), (3, 5)), (lambda F, x: F.glu(x, 2), (3, 4)),
                      (lambda F, x: F.glu(x), ())]:
        check_raises(lambda m, x: fn(_f(m), x), rand(*shape))


def test_other_errors():
    check_raises(lambda m, x: _f(m).softshrink(x, -1.0), rand(3))
    check_raises(lambda m, x: _f(m).gelu(x, approximate="bad"), rand(3))
    check_raises(lambda m, x: _f(m).relu(x.numpy()), rand(3))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim(shape, name):
    check(lambda m, x: getattr(_f(m), name)(x), rand(*shape))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_dtype(name):
    check(lambda m, x: getattr(_f(m), name)(x, 1, dtype=m.float64), rand(3, 4))
    check(lambda m, x: getattr(_f(m), name)(x, dim=0, _stacklevel=5), rand(3, 4))


def test_softmax_warning_stacklevel():
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nt.nn.functional.softmax(nt.ones(3))
    assert w[0].filename == __file__


def test_top_level_functions():
    for name in ["selu", "celu", "rrelu", "hardshrink", "threshold", "prelu", "relu_", "selu_", "celu_",
                 "rrelu_", "threshold_"]:
        assert callable(getattr(nt, name)), name
    check(lambda m, x: m.selu(x), rand(3, 4))
    check(lambda m, x: x.hardshrink(0.3), rand(3, 4))
    check(lambda m, x: m.threshold(x, 0.1, 20), rand(3, 4))


def _layer_oracle(make, shape, dtype="float64", modes=("train", "eval"), atol=1e-6, steps=2, seed=0):
    """Build the layer in both libraries from the same seed; compare reprs, parameters, buffers, outputs and
    gradients over a few steps in each mode."""
    torch = need_torch()
    mods = {}
    for lib in (torch, nt):
        lib.manual_seed(seed)
        mods[lib] = make(lib.nn).to(getattr(lib, dtype))
    t, n = mods[torch], mods[nt]
    assert repr(n) == repr(t)
    assert list(n.state_dict()) == list(t.state_dict())
    for k, v in t.state_dict().items():
        assert_same(n.state_dict()[k], v, atol=0, rtol=0, what=k)
    for mode in modes:
        for step in range(steps):
            x = rand(*shape, dtype=dtype, seed=step + 10)
            outs = {}
            for lib, m in mods.items():
                getattr(m, mode)()
                lib.manual_seed(100 + step)
                xi = lib.tensor(x, requires_grad=True)
                out = m(xi * 1)  # in-place layers need a non-leaf input
                g = lib.tensor(rand(*out.shape, dtype=dtype, seed=step + 50))
                params = [p for p in m.parameters()]
                grads = lib.autograd.grad(out, [xi] + params, g, allow_unused=True)
                outs[lib] = (out, grads, m.state_dict())
            (to, tg, ts), (no, ng, ns) = outs[torch], outs[nt]
            assert_same(no, to, atol=atol, rtol=1e-5, what=f"{mode} output")
            for i, (a, b) in enumerate(zip(ng, tg)):
                assert (a is None) == (b is None)
                if b is not None:
                    assert_same(a, b, atol=atol * 10, rtol=1e-4, what=f"{mode} grad {i}")
            for k, v in ts.items():
                assert_same(ns[k], v, atol=atol, rtol=1e-5, what=f"{mode} {k}")


ACT_LAYERS = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU(True), lambda nn: nn.ReLU6(), lambda nn: nn.LeakyReLU(0.2, True),
    lambda nn: nn.PReLU(), lambda nn: nn.PReLU(3, 0.1), lambda nn: nn.ELU(0.5), lambda nn: nn.SELU(),
    lambda nn: nn.CELU(2.0), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(),
    lambda nn: nn.Mish(), lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.Hardtanh(-2.0, 0.5),
    lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardswish(), lambda nn: nn.Softplus(2.0, 3.0),
    lambda nn: nn.Softsign(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Hardshrink(),
    lambda nn: nn.Tanhshrink(),
    lambda nn: nn.Threshold(0.1, 2.0), lambda nn: nn.LogSigmoid(), lambda nn: nn.Softmax(1),
    lambda nn: nn.LogSoftmax(-1), lambda nn: nn.Softmin(0), lambda nn: nn.Softmax2d(), lambda nn: nn.GLU(-1),
    lambda nn: nn.RReLU(0.1, 0.3), lambda nn: nn.SELU(inplace=True), lambda nn: nn.Threshold(0.1, 2.0, True),
]


@pytest.mark.parametrize("i", range(len(ACT_LAYERS)))
def test_activation_layers(i):
    _layer_oracle(ACT_LAYERS[i], (2, 3, 4, 2), steps=1)


def test_activation_layer_errors():
    check_raises(lambda m, x: m.nn.Softmax2d()(x), rand(3, 4))
    check(lambda m, x: m.nn.Softmax()(x), rand(3, 4))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "int8", "uint8"])
@pytest.mark.parametrize("n", [3, 50])
def test_relu_signed_zero_nan(dtype, n):
    torch = need_torch()
    vals = [-0.0, float("nan"), -1.5, 2.0, 0.0] if "float" in dtype else [-3, 0, 5, 7, 1]
    vals = (vals * 10)[:n]
    a, b = nt.tensor(vals, dtype=getattr(nt, dtype)), torch.tensor(vals, dtype=getattr(torch, dtype))
    r, e = nt.relu(a), torch.relu(b)
    assert_same(r, e)
    if "float" in dtype:
        rf, ef = r.float().numpy(), e.float().numpy()
        keep = ~np.isnan(ef)
        assert np.array_equal(np.signbit(rf[keep]), np.signbit(ef[keep]))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_relu_backward_special_values(dtype):
    """torch's threshold_backward: the gradient passes where the output is positive or NaN and is exactly
    0 elsewhere, also when it is infinite or NaN."""
    torch = need_torch()
    xs = [float("nan"), -1.0, 0.0, -0.0, 2.0, 3.0, -4.0, float("inf")] * 9
    gs = [1.0, float("inf"), float("inf"), float("nan"), float("nan"), -2.0, float("-inf"), 5.0] * 9
    grads = []
    for lib in (nt, torch):
        x = lib.tensor(xs, dtype=getattr(lib, dtype), requires_grad=True)
        lib.relu(x).backward(lib.tensor(gs, dtype=getattr(lib, dtype)))
        grads.append(x.grad)
    assert_same(grads[0], grads[1])
    # strided gradients take the same path
    x = nt.tensor(xs, dtype=getattr(nt, dtype), requires_grad=True)
    nt.relu(x[::2]).backward(nt.tensor(gs[::2], dtype=getattr(nt, dtype)))
    tx = torch.tensor(xs, dtype=getattr(torch, dtype), requires_grad=True)
    torch.relu(tx[::2]).backward(torch.tensor(gs[::2], dtype=getattr(torch, dtype)))
    assert_same(x.grad, tx.grad)


@pytest.mark.parametrize("name", ["relu6", "hardtanh", "threshold", "softshrink", "hardshrink", "hardsigmoid",
                                  "hardswish", "leaky_relu"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_piecewise_backward_special_values(name, dtype):
    """Piecewise activations select their gradient as torch's kernels do: exact zeros where dropped even
    for infinite or NaN gradients, NaN inputs as torch's vectorised loop routes them (the length is a
    whole number of unrolled vector iterations: the scalar tail loop treats NaN inputs differently)."""
    torch = need_torch()
    xs = [float("nan"), -1.0, 0.0, -0.0, 2.0, 6.0, 7.0, -7.0, float("inf"), float("-inf"), 1.0, -6.0, 0.5, -3.0,
          3.0]
    gs = [1.0, float("inf"), float("inf"), float("nan"), float("nan"), -2.0, float("-inf"), 5.0, 1.0, 1.0,
          float("inf"), float("nan"), 3.0, float("inf"), -1.0]
    grads = []
    for lib in (nt, torch):
        x = lib.tensor(xs * 64, dtype=getattr(lib, dtype), requires_grad=True)
        f = getattr(lib.nn.functional, name)
        y = f(x, 0.5, 0.0) if name == "threshold" else f(x)
        y.backward(lib.tensor(gs * 64, dtype=getattr(lib, dtype)))
        grads.append(x.grad)
    assert_same(grads[0], grads[1])


@pytest.mark.parametrize("name", ["relu", "relu6", "hardtanh", "threshold", "leaky_relu", "hardshrink",
                                  "softshrink"])
def test_higher_derivatives_through_masks_are_zeros_not_missing(name):
    # torch ties a relu-like derivative to the op's input (or output) with a zero derivative: the first
    # derivative requires grad, and differentiating it again gives zeros (a bias before the op included)
    torch = need_torch()
    x = rand(3, 4, dtype="float64", seed=3) * 3
    res = []
    for lib in (torch, nt):
        F = lib.nn.functional
        fn = {"relu": F.relu, "relu6": F.relu6, "hardtanh": F.hardtanh, "leaky_relu": F.leaky_relu,
              "threshold": lambda t: F.threshold(t, 0.1, 2.0), "hardshrink": F.hardshrink,
              "softshrink": F.softshrink}[name]
        a = lib.tensor(x, requires_grad=True)
        b = lib.zeros(4, dtype=lib.float64, requires_grad=True)
        out = fn(a + b)
        g1 = lib.autograd.grad((out * out.detach()).sum(), a, create_graph=True)[0]
        g2 = lib.autograd.grad(g1.sum(), [a, b], allow_unused=True)
        res.append((g1.requires_grad, [None if g is None else np.asarray(g.detach().numpy()) for g in g2]))
    assert res[0][0] == res[1][0] is True
    for t, n in zip(res[0][1], res[1][1]):
        assert (t is None) == (n is None)
        if t is not None:
            np.testing.assert_array_equal(n, t)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape,dim", [((64, 300), 1), ((8, 33), -1), ((1000,), 0), ((), 0), ((0, 3), 1),
                                       ((5, 7, 9), 1), ((4, 6, 5), 2), ((16, 3), 0)])
def test_log_softmax_16bit_bits(dtype, shape, dim):
    # torch's last-dim kernel rounds the row sum and its log to the 16-bit type (the other dims' kernel
    # keeps them in float32): results equal bit for bit, through log_softmax and cross_entropy
    x = (np.random.default_rng(1).standard_normal(shape) * 4).astype(np.float32)

    def bits(lib):
        t = lib.tensor(x).to(getattr(lib, dtype))
        out = [_f(lib).log_softmax(t, dim)]
        if len(shape) == 2 and shape[0]:
            target = lib.tensor(np.arange(shape[0]) % shape[1])
            out.append(_f(lib).cross_entropy(t, target, reduction="none"))
        return [o.float().numpy().view(np.int32) for o in out]
    for n, t in zip(bits(nt), bits(need_torch()), strict=True):
        assert np.array_equal(n, t)
