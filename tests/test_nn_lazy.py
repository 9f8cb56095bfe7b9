"""Lazy convolution and normalization layers against the torch oracle: reprs before and after the first
input, seeded initialisation, class switch, state dicts (lazy and loaded), outputs and gradients."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand

CASES = [
    ("LazyConv1d", (4, 3), {}, (2, 3, 7)),
    ("LazyConv2d", (4, 3), {"stride": 2, "padding": 1, "bias": False}, (2, 3, 7, 7)),
    ("LazyConv2d", (6, 3), {"groups": 3, "padding": "same"}, (3, 7, 7)),
    ("LazyConv3d", (4, 2), {"padding_mode": "reflect", "padding": 1}, (2, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), {"output_padding": 1, "stride": 2}, (2, 3, 7)),
    ("LazyConvTranspose2d", (6, 3), {"groups": 3}, (2, 3, 5, 5)),
    ("LazyConvTranspose3d", (4, 2), {"bias": False}, (2, 3, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm1d", (), {"momentum": None}, (4, 3, 5)),
    ("LazyBatchNorm2d", (), {"affine": False}, (2, 3, 4, 4)),
    ("LazyBatchNorm3d", (), {"track_running_stats": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"bias": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"affine": False, "track_running_stats": False}, (2, 3, 2, 3, 2)),
]


def _run(lib, name, args, kw, shape, train=True):
    lib.manual_seed(0)
    m = getattr(lib.nn, name)(*args, **kw)
    before = (repr(m), type(m).__name__, m.has_uninitialized_params(), list(m.state_dict()))
    m.train(train)
    x = lib.tensor(rand(*shape), requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        y = m(x)
    grads = lib.autograd.grad(y, [x] + list(m.parameters()), lib.tensor(rand(*y.shape, seed=3)))
    return m, before, y, grads, [str(v.message) for v in w]


@pytest.mark.parametrize("name,args,kw,shape", CASES)
@pytest.mark.parametrize("train", [True, False])
def test_lazy_layer(name, args, kw, shape, train):
    torch = need_torch()
    tm, tb, ty, tg, tw = _run(torch, name, args, kw, shape, train)
    nm, nb, ny, ng, nw = _run(numtorch, name, args, kw, shape, train)
    assert nb == tb
    assert nw == tw
    assert type(nm).__name__ == type(tm).__name__ and repr(nm) == repr(tm)
    assert not hasattr(nm, "_initialize_hook") and not hasattr(nm, "_load_hook")
    assert_same(ny, ty, 1e-5, 1e-4)
    for a, b in zip(ng, tg):
        assert_same(a, b, 1e-4, 1e-3, what="grad")
    assert list(nm.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert_same(nm.state_dict()[k], v, 1e-5, 1e-4, what=k)


def test_lazy_class_identity_and_mixin():
    m = numtorch.nn.LazyConv2d(8, 3)
    assert isinstance(m, numtorch.nn.Conv2d)
    assert isinstance(m, numtorch.nn.modules.lazy.LazyModuleMixin)
    m(numtorch.zeros(1, 2, 5, 5))
    assert type(m) is numtorch.nn.Conv2d and tuple(m.weight.shape) == (8, 2, 3, 3)
    assert type(numtorch.nn.LazyBatchNorm2d()).__name__ == "LazyBatchNorm2d"


def test_lazy_load_state_dict_materializes():
    torch = need_torch()
    src = torch.nn.Conv2d(3, 4, 3)
    bn = torch.nn.BatchNorm1d(5)
    bn(torch.randn(6, 5))
    for t, lazy in ((src, numtorch.nn.LazyConv2d(4, 3)), (bn, numtorch.nn.LazyBatchNorm1d())):
        lazy.load_state_dict({k: numtorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
        assert not lazy.has_uninitialized_params()
        for k, v in t.state_dict().items():
            assert_same(lazy.state_dict()[k], v)
    x = rand(2, 3, 6, 6)
    outs = []
    for lib in (torch, numtorch):
        lazy = lib.nn.LazyConv2d(4, 3)
        lazy.load_state_dict({k: lib.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})
        # The loaded shapes make the first forward skip inference: in_channels keeps its placeholder.
        outs.append((lazy(lib.tensor(x)), type(lazy).__name__, lazy.in_channels, repr(lazy)))
    assert_same(outs[1][0], outs[0][0], 1e-5, 1e-4)
    assert outs[1][1:] == outs[0][1:]


def test_lazy_errors():
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input"):
            lib.nn.LazyConv2d(4, 3)(lib.zeros(2, 3))
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv2d(4, 3, groups=2)(lib.zeros(1, 3, 5, 5))
        with pytest.raises(ValueError, match="expected 4D input"):
            lib.nn.LazyBatchNorm2d()(lib.zeros(2, 3))


def test_lazy_sequential_seeded():
    """A lazy model built and run under one seed gives torch's weights and outputs."""
    torch = need_torch()
    outs = []
    for lib in (torch, numtorch):
        lib.manual_seed(1)
        net = lib.nn.Sequential(lib.nn.LazyConv2d(6, 3), lib.nn.LazyBatchNorm2d(), lib.nn.ReLU(),
                                lib.nn.Flatten(), lib.nn.LazyLinear(4))
        outs.append((net(lib.tensor(rand(2, 3, 6, 6))), repr(net), net.state_dict()))
    assert_same(outs[1][0], outs[0][0], 1e-5, 1e-4)
    assert outs[1][1] == outs[0][1]
    for k, v in outs[0][2].items():
        assert_same(outs[1][2][k], v, 1e-6, 1e-5, what=k)
    assert np.isfinite(outs[1][0].detach().numpy()).all()
