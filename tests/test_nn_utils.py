"""nn.utils against torch: gradient clipping, parameters <-> vector, Linear/BatchNorm fusion."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch, rand, to_np


def _params(lib, grads=True):
    ps = [lib.nn.Parameter(lib.tensor(rand(3, 4, seed=1))), lib.nn.Parameter(lib.tensor(rand(5, seed=2))),
          lib.nn.Parameter(lib.tensor(rand(2, 2, dtype="float64", seed=3))), lib.nn.Parameter(lib.ones(2))]
    if grads:
        for i, p in enumerate(ps[:3]):
            p.grad = lib.tensor(rand(*p.shape, dtype=str(p.dtype).split(".")[1], seed=10 + i)) * (i + 1)
    return ps


def _record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out = fn()
        except Exception as e:
            out = type(e).__name__
    return out, [(x.category.__name__, str(x.message)) for x in w]


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (100.0, 2), (0.5, 1), (0.5, float("inf")), (2, 3.5),
                                                (0.1, "inf")])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm(max_norm, norm_type, foreach):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        ps = _params(lib)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type, foreach=foreach)
        res.append((to_np(total), str(total.dtype), [to_np(p.grad) for p in ps if p.grad is not None]))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5)
    assert res[1][1] == res[0][1]
    for a, b in zip(res[1][2], res[0][2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        out = []
        out.append(_record(lambda: to_np(lib.nn.utils.clip_grad_norm_((p for p in []), 1.0)).tolist()))
        out.append(_record(lambda: to_np(lib.nn.utils.clip_grad_norm_(_params(lib, grads=False), 1.0)).tolist()))
        p = lib.nn.Parameter(lib.ones(3))
        p.grad = lib.tensor([1.0, float("nan"), 2.0])
        out.append(_record(lambda: lib.nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)))
        single = lib.nn.Parameter(lib.ones(3))
        single.grad = lib.full((3,), 4.0)
        out.append(_record(lambda: round(float(lib.nn.utils.clip_grad_norm(single, 1.0)), 5)))
        out.append(to_np(single.grad).round(5).tolist())
        res.append(out)
    assert res[1] == res[0]


@pytest.mark.parametrize("value", [0.5, 1, 10.0])
def test_clip_grad_value(value):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        ps = _params(lib)
        assert lib.nn.utils.clip_grad_value_(ps, value) is None
        lib.nn.utils.clip_grad_value_(ps[0], value)
        res.append([to_np(p.grad) for p in ps if p.grad is not None])
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_parameters_vector_roundtrip():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        torch.manual_seed(0)
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Linear(4, 2))
        vec = lib.nn.utils.parameters_to_vector(m.parameters())
        lib.nn.utils.vector_to_parameters(vec * 2, m.parameters())
        err = _record(lambda: lib.nn.utils.vector_to_parameters([1.0], m.parameters()))
        res.append((to_np(vec), [to_np(p) for p in m.parameters()], vec.grad_fn.name(), err,
                    [type(p).__name__ for p in m.parameters()]))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    for a, b in zip(res[1][1], res[0][1]):
        np.testing.assert_array_equal(a, b)
    assert res[1][2:] == res[0][2:]


def _fake_bn(lib, n):
    bn = lib.nn.Module()
    bn.register_buffer("running_mean", lib.tensor(rand(n, seed=4)))
    bn.register_buffer("running_var", lib.tensor(rand(n, seed=5, low=0.5, high=2)))
    bn.weight = lib.nn.Parameter(lib.tensor(rand(n, seed=6)))
    bn.bias = lib.nn.Parameter(lib.tensor(rand(n, seed=7)))
    bn.eps = 1e-5
    bn.num_features = n
    return bn.eval()


def test_fuse_linear_bn():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 4).eval()
        fused = lib.nn.utils.fuse_linear_bn_eval(lin, _fake_bn(lib, 4))
        w, b = lib.nn.utils.fuse_conv_bn_weights(lin.weight, None, *_bn_parts(_fake_bn(lib, 4)))
        wt, bt = lib.nn.utils.fuse_conv_bn_weights(lin.weight.t(), lin.bias, *_bn_parts(_fake_bn(lib, 4)), True)
        err = _record(lambda: lib.nn.utils.fuse_linear_bn_eval(lin.train(), _fake_bn(lib, 4)))
        res.append(([to_np(x) for x in (fused.weight, fused.bias, w, b, wt, bt)], type(fused.weight).__name__,
                    fused is lin, err))
    for a, b in zip(res[1][0], res[0][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert res[1][1:] == res[0][1:]


def _bn_parts(bn):
    return bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
