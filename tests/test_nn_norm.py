"""Normalization functionals and layers against the torch oracle."""
import numpy as np
import pytest

import numtorch as nt
import numtorch.nn.functional  # noqa: F401
from numtorch.autograd import gradcheck, gradgradcheck
from conftest import assert_same, check, check_raises, need_torch, rand, run_both


def _f(lib):
    return lib.nn.functional


def _stats(c, seed=5):
    return rand(c, seed=seed), rand(c, seed=seed + 1, low=0.5, high=2)


# ---------------------------------------------------------------------------------------- batch norm

BN_SHAPES = [(4, 3), (2, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2), (1, 3, 4), (5, 1)]


def _bn_bits(lib, dtype, shape, training, affine, seed=3):
    """Output, input gradient and running statistics of one batch_norm call, as int bit patterns."""
    rng = np.random.default_rng(seed)
    c = shape[1]
    x, g = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32), rng.standard_normal(shape).astype(np.float32)
    w, b, rm = rng.standard_normal((3, c)).astype(np.float32)
    rv = (np.abs(rng.standard_normal(c)) + 0.5).astype(np.float32)
    dt = getattr(lib, dtype)
    t = lambda a: lib.tensor(a).to(dt)  # noqa: E731
    xt, rmt, rvt = t(x).requires_grad_(), t(rm), t(rv)
    out = _f(lib).batch_norm(xt, rmt, rvt, t(w) if affine else None, t(b) if affine else None, training=training)
    out.backward(t(g))
    return [a.detach().double().numpy().view(np.int64) for a in (out, xt.grad, rmt, rvt)]


@pytest.mark.parametrize("shape", [(8, 16, 6, 6), (64, 10), (4, 3, 5), (2, 6, 3, 4, 5)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype,training", [("float32", False), ("float16", False), ("bfloat16", False),
                                            ("float16", True)])
def test_batch_norm_bits(shape, affine, dtype, training):
    # where torch's batch norm is reproducible -- evaluation, and 16-bit training, whose statistics torch
    # stores rounded -- output, input gradient and running statistics equal torch's bit for bit: its
    # x * alpha + beta with fused rounding, its double-precision invstd in the evaluation derivative, its
    # float32 running-statistic update. (float32 training differs in the statistics' summation order, and
    # so does the training derivative's per-channel sums.)
    n = _bn_bits(nt, dtype, shape, training, affine)
    t = _bn_bits(need_torch(), dtype, shape, training, affine)
    for what, a, e in zip(("output", "input grad", "running mean", "running var"), n, t):
        if not (training and what == "input grad"):
            assert np.array_equal(a, e), what


@pytest.mark.parametrize("shape", BN_SHAPES)
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batch_norm(shape, training, affine, dtype):
    c = shape[1]
    rm, rv = _stats(c)
    w, b = rand(c, seed=3, dtype=dtype), rand(c, seed=4, dtype=dtype)

    def fn(m, x, w, b):
        mean, var = m.tensor(rm, dtype=x.dtype), m.tensor(rv, dtype=x.dtype)
        w, b = (w, b) if affine else (None, None)
        out = _f(m).batch_norm(x, mean, var, w, b, training, 0.3, 1e-3)
        return out, mean, var
    check(fn, rand(*shape, dtype=dtype), w, b, atol=1e-5)


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_channels_split_over_threads(threads, training, monkeypatch):
    # large inputs are normalised in channel ranges on the intra-op threads (forced here for small ones)
    from numtorch._ops import normalization
    monkeypatch.setattr(normalization, "_SPLIT_BYTES", 0)
    rm, rv = _stats(5)
    before = nt.get_num_threads()
    nt.set_num_threads(threads)
    try:
        for dtype in ("float32", "float64"):
            def fn(m, x, w, b):
                mean, var = m.tensor(rm, dtype=x.dtype), m.tensor(rv, dtype=x.dtype)
                return _f(m).batch_norm(x, mean, var, w, b, training, 0.3, 1e-3), mean, var
            check(fn, rand(3, 5, 4, 4, dtype=dtype), rand(5, seed=3, dtype=dtype), rand(5, seed=4, dtype=dtype),
                  atol=1e-5)
    finally:
        nt.set_num_threads(before)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_batch_norm_no_running_stats(shape):
    check(lambda m, x: _f(m).batch_norm(x, None, None, training=True), rand(*shape, dtype="float64"))


def test_batch_norm_noncontiguous():
    def fn(m, x, w, b):
        mean, var = m.zeros(3), m.ones(3)
        return _f(m).batch_norm(x.permute(1, 0, 2)[:, :, ::2], mean, var, w, b, True), mean, var
    check(fn, rand(3, 4, 6), rand(3, seed=1), rand(3, seed=2), atol=1e-5)


def test_batch_norm_half():
    rm, rv = _stats(3)
    for dtype in ["float16", "bfloat16"]:
        def fn(m, x):
            d = getattr(m, dtype)
            return _f(m).batch_norm(x.to(d), m.tensor(rm, dtype=d), m.tensor(rv, dtype=d), training=False)
        check(fn, rand(4, 3, 2), grad=False, atol=1e-2, rtol=1e-2)


def test_batch_norm_version_bump():
    x = nt.randn(4, 3)
    rm, rv = nt.zeros(3), nt.ones(3)
    v = rm._version
    nt.nn.functional.batch_norm(x, rm, rv, training=True)
    assert rm._version == v + 1


BN_ERRORS = [
    lambda m, x: _f(m).batch_norm(x, None, None),
    lambda m, x: _f(m).batch_norm(x[:1], m.zeros(3), m.ones(3), training=True),
    lambda m, x: _f(m).batch_norm(x, m.zeros(4), m.ones(3), training=True),
    lambda m, x: _f(m).batch_norm(x, m.zeros(3), m.ones(4)),
    lambda m, x: _f(m).batch_norm(x, m.zeros(3), m.ones(3), m.ones(4)),
    lambda m, x: _f(m).batch_norm(x, m.zeros(3), m.ones(3), None, m.ones(2)),
    lambda m, x: _f(m).batch_norm(x.long(), m.zeros(3), m.ones(3)),
    lambda m, x: _f(m).batch_norm(x, m.zeros(3), m.ones(3), momentum=None, training=True),
    lambda m, x: _f(m).batch_norm(x[:1, :, None], m.zeros(3), m.ones(3), training=True),
]


@pytest.mark.parametrize("i", range(len(BN_ERRORS)))
def test_batch_norm_errors(i):
    check_raises(BN_ERRORS[i], rand(4, 3))


def test_torch_batch_norm():
    check(lambda m, x, w, b: m.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), rand(4, 3),
          rand(3, seed=1), rand(3, seed=2), atol=1e-5)


def _composed_bn(x, w, b, eps):
    mean = x.mean((0, 2), keepdim=True)
    var = ((x - mean) ** 2).mean((0, 2), keepdim=True)
    return (x - mean) / (var + eps).sqrt() * w.reshape(1, -1, 1) + b.reshape(1, -1, 1)


def test_batch_norm_matches_composed():
    x = nt.tensor(rand(3, 4, 5, dtype="float64"), requires_grad=True)
    w = nt.tensor(rand(4, seed=1, dtype="float64"), requires_grad=True)
    b = nt.tensor(rand(4, seed=2, dtype="float64"), requires_grad=True)
    g = nt.tensor(rand(3, 4, 5, seed=3, dtype="float64"))
    fused = nt.nn.functional.batch_norm(x, None, None, w, b, True, eps=1e-4)
    comp = _composed_bn(x, w, b, 1e-4)
    assert np.allclose(fused.detach().numpy(), comp.detach().numpy())
    gf = nt.autograd.grad(fused, (x, w, b), g, create_graph=True)
    gc = nt.autograd.grad(comp, (x, w, b), g, create_graph=True)
    for a, c in zip(gf, gc):
        assert np.allclose(a.detach().numpy(), c.detach().numpy())
    # second order against the composed definition as well
    hf = nt.autograd.grad(gf[0].pow(2).sum() + gf[1].sum(), (x, w))
    hc = nt.autograd.grad(gc[0].pow(2).sum() + gc[1].sum(), (x, w))
    for a, c in zip(hf, hc):
        assert np.allclose(a.numpy(), c.numpy())


def _t(*shape, seed=0):
    return nt.tensor(rand(*shape, seed=seed, dtype="float64"), requires_grad=True)


def _bn_eval(x, w, b):
    return nt.nn.functional.batch_norm(x, nt.zeros(2, dtype=nt.float64), nt.ones(2, dtype=nt.float64), w, b)


GRADCHECKS = {
    "bn_train": (lambda x, w, b: nt.nn.functional.batch_norm(x, None, None, w, b, True),
                 ((3, 2, 4), (2,), (2,))),
    "bn_eval": (_bn_eval, ((3, 2), (2,), (2,))),
    "bn_noaffine": (lambda x: nt.nn.functional.batch_norm(x, None, None, training=True), ((4, 3, 2),)),
    "layer_norm": (lambda x, w, b: nt.nn.functional.layer_norm(x, (3, 4), w, b), ((2, 3, 4), (3, 4), (3, 4))),
    "layer_norm_plain": (lambda x: nt.nn.functional.layer_norm(x, [4]), ((3, 4),)),
    "group_norm": (lambda x, w, b: nt.nn.functional.group_norm(x, 2, w, b), ((2, 4, 3), (4,), (4,))),
    "group_norm_plain": (lambda x: nt.nn.functional.group_norm(x, 3), ((2, 6),)),
    "instance_norm": (lambda x, w, b: nt.nn.functional.instance_norm(x, weight=w, bias=b),
                      ((2, 3, 4), (3,), (3,))),
    "rms_norm": (lambda x, w: nt.nn.functional.rms_norm(x, (4,), w), ((3, 4), (4,))),
    "rms_norm_eps": (lambda x: nt.nn.functional.rms_norm(x, (2, 4), eps=1e-3), ((3, 2, 4),)),
    "lrn": (lambda x: nt.nn.functional.local_response_norm(x, 3, 0.1, 0.6, 1.5), ((2, 5, 3),)),
    "lrn4d": (lambda x: nt.nn.functional.local_response_norm(x, 2), ((2, 4, 2, 2),)),
    "normalize": (lambda x: nt.nn.functional.normalize(x), ((3, 4),)),
    "normalize_p1": (lambda x: nt.nn.functional.normalize(x, 1.5, 0), ((3, 4),)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name):
    fn, shapes = GRADCHECKS[name]
    ins = tuple(_t(*s, seed=i) for i, s in enumerate(shapes))
    assert gradcheck(fn, ins)
    assert gradgradcheck(fn, ins)


# ---------------------------------------------------------------------------------------- layer / group norm

LN_CASES = [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), 4), ((5,), (5,)), ((0, 4), (4,)), ((2, 1), (1,))]


@pytest.mark.parametrize("shape, ns", LN_CASES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_norm(shape, ns, affine, dtype):
    nshape = (ns,) if isinstance(ns, int) else ns  # an int is a TypeError in both
    w, b = rand(*nshape, seed=1, dtype=dtype), rand(*nshape, seed=2, dtype=dtype)
    check(lambda m, x, w, b: _f(m).layer_norm(x, ns, w if affine else None, b if affine else None, 1e-3),
          rand(*shape, dtype=dtype), w, b, atol=1e-5)


def test_layer_norm_bias_only_and_views():
    check(lambda m, x, b: _f(m).layer_norm(x.t(), (3,), None, b), rand(3, 4), rand(3, seed=1), atol=1e-5)
    check(lambda m, x, w: _f(m).layer_norm(x[:, ::2], (2,), w), rand(3, 4), rand(2, seed=1), atol=1e-5)
    check(lambda m, x: _f(m).layer_norm(x.half(), (4,)), rand(3, 4), grad=False, atol=1e-2, rtol=1e-2)
    check(lambda m, x: m.layer_norm(x, [4], None, None, 1e-5, False), rand(3, 4), atol=1e-5)


LN_ERRORS = [
    lambda m, x: _f(m).layer_norm(x, (5,)),
    lambda m, x: _f(m).layer_norm(x, (3,), m.ones(4)),
    lambda m, x: _f(m).layer_norm(x, (3,), None, m.ones(4)),
    lambda m, x: _f(m).layer_norm(x, (2, 4, 3)),
    lambda m, x: _f(m).layer_norm(x.long(), (3,)),
    lambda m, x: _f(m).layer_norm(x, ()),
    lambda m, x: _f(m).rms_norm(x, (5,)),
    lambda m, x: _f(m).rms_norm(x, (3,), m.ones(2)),
]


@pytest.mark.parametrize("i", range(len(LN_ERRORS)))
def test_layer_norm_errors(i):
    check_raises(LN_ERRORS[i], rand(4, 3))


GN_CASES = [((2, 6), 3), ((2, 6, 4), 2), ((3, 4, 2, 3), 4), ((2, 4, 5), 1), ((1, 4, 3), 2), ((0, 4, 3), 2)]


@pytest.mark.parametrize("shape, g", GN_CASES)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_group_norm(shape, g, affine, dtype):
    c = shape[1]
    w, b = rand(c, seed=1, dtype=dtype), rand(c, seed=2, dtype=dtype)
    check(lambda m, x, w, b: _f(m).group_norm(x, g, w if affine else None, b if affine else None, 1e-3),
          rand(*shape, dtype=dtype), w, b, atol=1e-5)


GN_ERRORS = [
    lambda m, x: _f(m).group_norm(x, 4),
    lambda m, x: _f(m).group_norm(x, 3, m.ones(2)),
    lambda m, x: _f(m).group_norm(x, 3, None, m.ones(2)),
    lambda m, x: _f(m).group_norm(x[0], 3),
    lambda m, x: _f(m).group_norm(x[:1], 3),
    lambda m, x: _f(m).group_norm(x.long(), 3),
]


@pytest.mark.parametrize("i", range(len(GN_ERRORS)))
def test_group_norm_errors(i):
    check_raises(GN_ERRORS[i], rand(4, 3))


def test_group_norm_noncontiguous():
    check(lambda m, x, w: _f(m).group_norm(x.transpose(0, 1), 2, w), rand(4, 2, 3), rand(4, seed=1),
          atol=1e-5)
    check(lambda m, x: m.group_norm(x, 2, None, None, 1e-5, False), rand(2, 4, 3), atol=1e-5)


# ---------------------------------------------------------------------------------------- instance norm

@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 4, 5), (1, 2, 3, 2, 2)])
@pytest.mark.parametrize("use_input_stats", [True, False])
@pytest.mark.parametrize("running", [True, False])
def test_instance_norm(shape, use_input_stats, running):
    c = shape[1]
    rm, rv = _stats(c)

    def fn(m, x, w, b):
        mean = m.tensor(rm, dtype=x.dtype) if running else None
        var = m.tensor(rv, dtype=x.dtype) if running else None
        if not use_input_stats and not running:
            mean, var = m.zeros(c, dtype=x.dtype), m.ones(c, dtype=x.dtype)
        out = _f(m).instance_norm(x, mean, var, w, b, use_input_stats, 0.2, 1e-3)
        return out, mean, var
    check(fn, rand(*shape, dtype="float64"), rand(c, seed=1, dtype="float64"),
          rand(c, seed=2, dtype="float64"))


def test_instance_norm_errors():
    check_raises(lambda m, x: _f(m).instance_norm(x), rand(4, 3))
    check_raises(lambda m, x: _f(m).instance_norm(x), rand(2, 3, 1))
    check(lambda m, x: m.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False), rand(2, 3, 4),
          atol=1e-5)


# ---------------------------------------------------------------------------------------- composed norms

@pytest.mark.parametrize("shape, ns", [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((3,), 3), ((0, 2), (2,))])
@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_rms_norm(shape, ns, eps, dtype):
    nshape = (ns,) if isinstance(ns, int) else ns
    grad = dtype != "float16"
    tol = 1e-2 if dtype == "float16" else 1e-5
    w = rand(*nshape, seed=1, dtype=dtype)
    check(lambda m, x, w: _f(m).rms_norm(x, ns, w, eps), rand(*shape, dtype=dtype), w, grad=grad, atol=tol,
          rtol=tol)
    check(lambda m, x: m.rms_norm(x, ns, eps=eps), rand(*shape, dtype=dtype), grad=grad, atol=tol, rtol=tol)


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 4, 3, 3), (1, 3, 2, 2, 2), (0, 3, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 6])
def test_local_response_norm(shape, size):
    check(lambda m, x: _f(m).local_response_norm(x, size, 0.5, 0.6, 1.2), rand(*shape, dtype="float64"))


def test_local_response_norm_errors():
    check_raises(lambda m, x: _f(m).local_response_norm(x, 2), rand(3, 4))


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3, -1), (float("inf"), 1), (0.5, 1)])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (3, 0)])
def test_normalize(p, dim, shape):
    check(lambda m, x: _f(m).normalize(x, p, dim), rand(*shape, dtype="float64"))


def test_normalize_zero_rows_and_out():
    x = np.zeros((2, 3), "float32")
    x[1] = [1, 2, 3]
    check(lambda m, a: _f(m).normalize(a), x)
    check(lambda m, a: _f(m).normalize(a, out=m.empty(2, 3)), x, grad=False)
    check(lambda m, a: _f(m).normalize(a, dim=0), rand(4), grad=True)


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


LAYERS = [
    (lambda nn: nn.BatchNorm1d(3), (4, 3)),
    (lambda nn: nn.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    (lambda nn: nn.BatchNorm1d(3, affine=False, eps=1e-3, momentum=0.5), (4, 3)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3, bias=False), (2, 3, 4, 4)),
    (lambda nn: nn.GroupNorm(2, 4, bias=False), (2, 4, 3)),
    (lambda nn: nn.BatchNorm3d(2, momentum=None, affine=False), (2, 2, 3, 2, 2)),
    (lambda nn: nn.InstanceNorm1d(3), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True), (3, 4, 4)),
    (lambda nn: nn.InstanceNorm2d(3, track_running_stats=True, momentum=None), (2, 3, 4, 4)),
    (lambda nn: nn.InstanceNorm3d(2, affine=True), (1, 2, 3, 2, 2)),
    (lambda nn: nn.LayerNorm(5), (3, 5)),
    (lambda nn: nn.LayerNorm([3, 4], eps=1e-3, bias=False), (2, 3, 4)),
    (lambda nn: nn.LayerNorm((4,), elementwise_affine=False), (2, 3, 4)),
    (lambda nn: nn.GroupNorm(2, 4), (2, 4, 3)),
    (lambda nn: nn.GroupNorm(3, 6, affine=False, eps=1e-3), (2, 6, 2, 2)),
    (lambda nn: nn.LocalResponseNorm(3), (2, 5, 3, 3)),
    (lambda nn: nn.LocalResponseNorm(2, 1e-2, 0.5, 2.0), (2, 4, 3)),
    (lambda nn: nn.RMSNorm(5), (3, 5)),
    (lambda nn: nn.RMSNorm([2, 3], eps=1e-4, elementwise_affine=False), (4, 2, 3)),
]


@pytest.mark.parametrize("i", range(len(LAYERS)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(i, dtype):
    make, shape = LAYERS[i]
    _layer_oracle(make, shape, dtype, atol=1e-6 if dtype == "float64" else 1e-5)


LAYER_ERRORS = [
    (lambda nn: nn.BatchNorm1d(3), (2, 3, 4, 4)),
    (lambda nn: nn.BatchNorm2d(3), (2, 3, 4)),
    (lambda nn: nn.BatchNorm3d(3), (2, 3, 4)),
    (lambda nn: nn.InstanceNorm1d(3), (2, 3, 4, 4)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True), (2, 4, 4, 4)),
    (lambda nn: nn.GroupNorm(4, 6), (2, 6)),
    (lambda nn: nn.BatchNorm1d(3), (1, 3)),
]


@pytest.mark.parametrize("i", range(len(LAYER_ERRORS)))
def test_layer_errors(i):
    make, shape = LAYER_ERRORS[i]
    check_raises(lambda m, x: make(m.nn)(x), rand(*shape))


def test_instance_norm_mismatch_warns():
    check(lambda m, x: m.nn.InstanceNorm1d(4)(x), rand(2, 3, 5))


def test_batchnorm_state_dict_roundtrip():
    torch = need_torch()
    t = torch.nn.BatchNorm2d(3)
    t.train()
    t(torch.randn(4, 3, 2, 2))
    n = nt.nn.BatchNorm2d(3)
    sd = {k: nt.tensor(v.numpy()) for k, v in t.state_dict().items()}
    n.load_state_dict(sd)
    assert int(n.num_batches_tracked) == 1
    del sd["num_batches_tracked"]
    # A plain dict has no version metadata: both libraries treat it as an old checkpoint and fill the key.
    res = n.load_state_dict(sd, strict=True)
    tsd = {k: v for k, v in t.state_dict().items() if k != "num_batches_tracked"}
    tres = t.load_state_dict(tsd, strict=True)
    assert list(res.missing_keys) == list(tres.missing_keys)
    assert int(n.num_batches_tracked) == int(t.num_batches_tracked)
    assert n.num_batches_tracked.dtype == nt.int64


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("weight", [True, False])
def test_rms_norm_16bit_default_eps(dtype, weight):
    # the default eps is float32's, the type torch computes 16-bit inputs in (float16's eps moved ~18% of
    # the results by an ulp)
    rng = np.random.default_rng(2)
    x, w = (rng.standard_normal((64, 96)) * 2).astype(np.float32), rng.standard_normal(96).astype(np.float32)

    def bits(lib):
        dt = getattr(lib, dtype)
        out = _f(lib).rms_norm(lib.tensor(x).to(dt), (96,), lib.tensor(w).to(dt) if weight else None)
        return out.float().numpy().view(np.int32)
    assert np.array_equal(bits(nt), bits(need_torch()))
