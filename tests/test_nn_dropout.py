"""Dropout functionals and layers against the torch oracle (exact masks from the same seed)."""
import numpy as np
import pytest

import numtorch as nt
import numtorch.nn.functional  # noqa: F401
from conftest import assert_same, check, check_raises, need_torch, rand


def _f(lib):
    return lib.nn.functional


def _seeded(fn, seed=11):
    def run(m, *xs):
        m.manual_seed(seed)
        return fn(m, *xs)
    return run


DROPOUTS = {
    "dropout": lambda F, x: F.dropout(x, 0.3),
    "dropout_p0": lambda F, x: F.dropout(x, 0.0),
    "dropout_p1": lambda F, x: F.dropout(x, 1.0),
    "dropout_eval": lambda F, x: F.dropout(x, 0.3, training=False),
    "dropout1d": lambda F, x: F.dropout1d(x.reshape(2, 3, -1), 0.4),
    "dropout1d_unbatched": lambda F, x: F.dropout1d(x.reshape(3, -1), 0.4),
    "dropout2d": lambda F, x: F.dropout2d(x.reshape(2, 3, 2, -1), 0.5),
    "dropout2d_3d": lambda F, x: F.dropout2d(x.reshape(2, 3, -1), 0.5),
    "dropout2d_2d": lambda F, x: F.dropout2d(x.reshape(6, -1), 0.5),
    "dropout3d": lambda F, x: F.dropout3d(x.reshape(2, 3, 2, 2, -1), 0.5),
    "dropout3d_unbatched": lambda F, x: F.dropout3d(x.reshape(3, 2, 2, -1), 0.5),
    "alpha_dropout": lambda F, x: F.alpha_dropout(x, 0.2, training=True),
    "alpha_dropout_eval": lambda F, x: F.alpha_dropout(x, 0.2),
    "alpha_dropout_p1": lambda F, x: F.alpha_dropout(x, 1.0, True),
    "feature_alpha_dropout": lambda F, x: F.feature_alpha_dropout(x.reshape(2, 3, -1), 0.4, True),
}


@pytest.mark.parametrize("name", sorted(DROPOUTS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_exact(name, dtype):
    check(_seeded(lambda m, x: DROPOUTS[name](_f(m), x)), rand(2, 3, 8, dtype=dtype), atol=0, rtol=0)


INPLACE = {
    "dropout": lambda F, x: F.dropout(x, 0.3, inplace=True),
    "dropout_eval": lambda F, x: F.dropout(x, 0.3, False, True),
    "dropout_p1": lambda F, x: F.dropout(x, 1.0, inplace=True),
    "dropout1d": lambda F, x: F.dropout1d(x, 0.4, inplace=True),
    "dropout1d_unbatched": lambda F, x: F.dropout1d(x[0], 0.4, inplace=True),
    "dropout2d": lambda F, x: F.dropout2d(x.unsqueeze(-1), 0.5, inplace=True),
    "dropout3d_unbatched": lambda F, x: F.dropout3d(x.unsqueeze(-1), 0.5, inplace=True),
    "alpha_dropout": lambda F, x: F.alpha_dropout(x, 0.2, True, True),
    "feature_alpha_dropout": lambda F, x: F.feature_alpha_dropout(x, 0.4, True, True),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_dropout_inplace(name):
    def fn(m, x):
        y = x * 1
        r = INPLACE[name](_f(m), y[:, 1:])
        return r, y
    check(_seeded(fn), rand(2, 3, 8, dtype="float64"), atol=0, rtol=0)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (5,), (3, 1000), (4, 5, 6)])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_shapes(shape, p):
    check(_seeded(lambda m, x: _f(m).dropout(x, p)), rand(*shape), atol=0, rtol=0)


def test_dropout_noncontiguous_and_views():
    check(_seeded(lambda m, x: _f(m).dropout(x.t(), 0.5)), rand(6, 7), atol=0, rtol=0)
    check(_seeded(lambda m, x: _f(m).dropout(x[:, ::2], 0.5)), rand(6, 7), atol=0, rtol=0)
    check(_seeded(lambda m, x: _f(m).dropout2d(x.permute(0, 3, 1, 2), 0.5)), rand(2, 3, 4, 5), atol=0, rtol=0)


def test_dropout_half_and_int():
    # Same mask; the kept values may differ in the last bit (a half tensor divided by a Python float).
    check(_seeded(lambda m, x: _f(m).dropout(x.half(), 0.3) == 0), rand(4, 6), grad=False)
    check(_seeded(lambda m, x: _f(m).dropout(x.half(), 0.3)), rand(4, 6), grad=False, atol=1e-2, rtol=1e-2)
    check(_seeded(lambda m, x: _f(m).dropout(x.bfloat16(), 0.3) == 0), rand(4, 6), grad=False)
    check(_seeded(lambda m, x: _f(m).dropout(x, 0.3)), rand(4, 6, dtype="int64"), grad=False)


def test_dropout_rng_stream_continues():
    def fn(m, x):
        m.manual_seed(5)
        a = _f(m).dropout(x, 0.5)
        b = _f(m).dropout2d(x.reshape(2, 3, 2, 2), 0.5)
        return a, b, m.rand(3)
    check(fn, rand(24), atol=0, rtol=0)


def test_dropout_grad_fn_and_identity():
    x = nt.ones(3, requires_grad=True)
    assert nt.nn.functional.dropout(x, 0.5, training=False) is x
    assert nt.nn.functional.dropout(x * 1, 0.5).grad_fn.name() == "MulBackward0"


ERRORS = [
    lambda m, x: _f(m).dropout(x, 1.5),
    lambda m, x: _f(m).dropout(x, -0.1),
    lambda m, x: _f(m).dropout2d(x, 2.0),
    lambda m, x: _f(m).dropout1d(x.reshape(-1), 0.5),
    lambda m, x: _f(m).dropout1d(x.reshape(1, 2, 2, -1), 0.5),
    lambda m, x: _f(m).alpha_dropout(x, 1.1),
    lambda m, x: _f(m).feature_alpha_dropout(x.reshape(-1), 0.5, True),
    lambda m, x: _f(m).dropout(x.requires_grad_(), 0.5, inplace=True),
    lambda m, x: _f(m).dropout(x.long(), 0.5),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_dropout_errors(i):
    check_raises(ERRORS[i], rand(2, 3, 4))


def test_dropout_warnings():
    check(_seeded(lambda m, x: _f(m).dropout2d(x, 0.5)), rand(2, 3, 4, 5, 2))
    check(_seeded(lambda m, x: _f(m).dropout3d(x, 0.5)), rand(2, 3, 4))


@pytest.mark.parametrize("name", ["dropout", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"])
def test_torch_level(name):
    check(_seeded(lambda m, x: getattr(m, name)(x, 0.3, True)), rand(2, 3, 4), atol=0, rtol=0)
    check(_seeded(lambda m, x: getattr(m, name + "_")(x * 1, 0.3, True)), rand(2, 3, 4), atol=0, rtol=0)


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


DROP_LAYERS = [
    (lambda nn: nn.Dropout(), (4, 6)), (lambda nn: nn.Dropout(0.2, True), (4, 6)),
    (lambda nn: nn.Dropout1d(0.3), (2, 3, 5)), (lambda nn: nn.Dropout2d(0.4), (2, 3, 2, 2)),
    (lambda nn: nn.Dropout3d(0.4), (2, 3, 2, 2, 2)), (lambda nn: nn.AlphaDropout(0.2), (4, 6)),
    (lambda nn: nn.FeatureAlphaDropout(0.3), (2, 3, 4)),
]


@pytest.mark.parametrize("i", range(len(DROP_LAYERS)))
def test_dropout_layers(i):
    make, shape = DROP_LAYERS[i]
    _layer_oracle(make, shape, atol=0)


def test_dropout_layer_errors():
    check_raises(lambda m, x: m.nn.Dropout(1.5), rand(3))
