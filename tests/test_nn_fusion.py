"""nn.utils.fuse_conv_bn_eval / fuse_conv_bn_weights with real convolution and BatchNorm layers vs torch."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand

LAYERS = [
    ("Conv2d", "BatchNorm2d", (3, 4, 3), {"padding": 1}, (2, 3, 6, 6), False),
    ("Conv2d", "BatchNorm2d", (3, 4, 3), {"bias": False, "stride": 2}, (2, 3, 7, 7), False),
    ("Conv1d", "BatchNorm1d", (2, 5, 3), {"groups": 1}, (3, 2, 8), False),
    ("Conv3d", "BatchNorm3d", (2, 3, 2), {}, (1, 2, 4, 4, 4), False),
    ("ConvTranspose2d", "BatchNorm2d", (3, 4, 3), {"stride": 2}, (2, 3, 4, 4), True),
]


def _fused(lib, conv_name, bn_name, args, kw, shape, bn_kw):
    lib.manual_seed(0)
    conv = getattr(lib.nn, conv_name)(*args, **kw)
    bn = getattr(lib.nn, bn_name)(args[1], **bn_kw)
    # A few training steps give the BatchNorm non-trivial running statistics.
    for seed in range(3):
        bn(conv(lib.tensor(rand(*shape, seed=seed))))
    if bn.affine:
        with lib.no_grad():
            bn.weight.copy_(lib.tensor(rand(args[1], seed=7, low=0.5, high=1.5)))
            bn.bias.copy_(lib.tensor(rand(args[1], seed=8)))
    conv.eval()
    bn.eval()
    fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=conv_name.startswith("ConvTranspose"))
    x = lib.tensor(rand(*shape, seed=11))
    return fused, fused(x), bn(conv(x)), conv, bn


@pytest.mark.parametrize("conv_name,bn_name,args,kw,shape,transpose", LAYERS)
@pytest.mark.parametrize("bn_kw", [{}, {"affine": False}, {"eps": 1e-3, "momentum": None}])
def test_fuse_conv_bn_eval(conv_name, bn_name, args, kw, shape, transpose, bn_kw):
    torch = need_torch()
    t = _fused(torch, conv_name, bn_name, args, kw, shape, bn_kw)
    n = _fused(numtorch, conv_name, bn_name, args, kw, shape, bn_kw)
    assert repr(n[0]) == repr(t[0]) and type(n[0]).__name__ == type(t[0]).__name__
    assert n[0] is not n[3]
    for a, b in zip(n[1:3], t[1:3]):
        assert_same(a, b, 1e-5, 1e-4)
    np.testing.assert_allclose(n[1].detach().numpy(), n[2].detach().numpy(), atol=1e-5, rtol=1e-4)
    for (k, a), b in zip(n[0].state_dict().items(), t[0].state_dict().values()):
        assert_same(a, b, 1e-6, 1e-5, what=k)
    assert isinstance(n[0].weight, numtorch.nn.Parameter) and isinstance(n[0].bias, numtorch.nn.Parameter)


def test_fuse_conv_bn_weights_grads_and_dtypes():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        conv = lib.nn.Conv2d(2, 3, 3).double()
        bn = lib.nn.BatchNorm2d(3).double().eval()
        w, b = lib.nn.utils.fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var,
                                                 bn.eps, bn.weight, bn.bias)
        y = lib.nn.functional.conv2d(lib.tensor(rand(1, 2, 5, 5, dtype="float64")), w, b)
        # The fused tensors are new leaves (torch wraps them in fresh Parameters).
        grads = lib.autograd.grad(y.sum(), [w, b])
        assert w.is_leaf and b.is_leaf
        res.append((w, b, y, grads, w.requires_grad, type(w).__name__))
    for a, b in zip(res[1][:3], res[0][:3]):
        assert_same(a, b, 1e-12, 1e-10)
    for a, b in zip(res[1][3], res[0][3]):
        assert_same(a, b, 1e-12, 1e-10)
    assert res[1][4:] == res[0][4:]


def test_fuse_conv_bn_eval_requires_eval():
    torch = need_torch()
    for lib in (torch, numtorch):
        conv, bn = lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3)
        with pytest.raises(AssertionError):
            lib.nn.utils.fuse_conv_bn_eval(conv, bn)
        with pytest.raises(AssertionError):
            untracked = lib.nn.BatchNorm2d(3, track_running_stats=False).eval()
            lib.nn.utils.fuse_conv_bn_eval(conv.eval(), untracked)
    assert np.isfinite(numtorch.nn.utils.fuse_conv_bn_eval(
        numtorch.nn.Conv2d(2, 3, 1).eval(), numtorch.nn.BatchNorm2d(3).eval()).weight.detach().numpy()).all()
