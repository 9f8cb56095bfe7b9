"""torch.func.functional_call and nn.utils.stateless.functional_call against torch."""
import warnings

import numpy as np
import pytest

import numtorch
import numtorch.func
from conftest import need_torch, rand


class Tied:
    """A two-layer net whose second layer shares the first one's weight."""

    @staticmethod
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.nn.Linear(3, 3)
                self.b = lib.nn.Linear(3, 3)
                self.b.weight = self.a.weight
                self.register_buffer("scale", lib.full((3,), 2.0))

            def forward(self, x, shift=0.0):
                return self.b(self.a(x)) * self.scale + shift
        return Net()


def _both(fn):
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        out[lib.__name__] = fn(lib)
    return out


def _np(x):
    return None if x is None else x.detach().numpy()


def test_values_and_gradients_reach_the_given_tensors():
    x, w, s = rand(4, 3), rand(3, 3, seed=1), rand(3, seed=2)

    def fn(lib):
        net = Tied.build(lib)
        wt = lib.tensor(w, requires_grad=True)
        st = lib.tensor(s)
        out = lib.func.functional_call(net, ({"a.weight": wt}, {"scale": st}), (lib.tensor(x),), {"shift": 1.0})
        out.sum().backward()
        # the module is itself again afterwards, its own parameters untouched by the call's gradient
        return (_np(out), _np(wt.grad), net.a.weight.grad, type(net.b.weight).__name__,
                bool((net.scale == 2).all()), [n for n, _ in net.named_parameters()])
    res = _both(fn)
    t, n = res["torch"], res["numtorch"]
    np.testing.assert_allclose(n[0], t[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(n[1], t[1], rtol=1e-6, atol=1e-6)
    assert n[2] is None and t[2] is None
    assert n[3:] == t[3:]


def test_untied_and_single_tensor_argument():
    x, w1, w2 = rand(2, 3), rand(3, 3, seed=1), rand(3, 3, seed=2)

    def fn(lib):
        net = Tied.build(lib)
        given = {"a.weight": lib.tensor(w1), "b.weight": lib.tensor(w2)}
        return _np(lib.func.functional_call(net, given, lib.tensor(x), tie_weights=False))
    res = _both(fn)
    np.testing.assert_allclose(res["numtorch"], res["torch"], rtol=1e-6, atol=1e-6)


def test_modules_see_the_swapped_tensors_and_get_them_back_after_errors():
    def fn(lib):
        class Probe(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(2, 2)

            def forward(self, x):
                seen = [type(p).__name__ for p in self.parameters()], float(self.lin.weight.detach().sum())
                if x is None:
                    raise ValueError("boom")
                return seen
        p = Probe()
        w0 = p.lin.weight
        seen = lib.func.functional_call(p, {"lin.weight": lib.zeros(2, 2)}, (lib.ones(1, 2),))
        with pytest.raises(ValueError):
            lib.func.functional_call(p, {"lin.weight": lib.zeros(2, 2)}, (None,))
        extra = lib.func.functional_call(p, {"lin.extra": lib.ones(1)}, (lib.ones(1, 2),))
        return seen, extra[0], p.lin.weight is w0, hasattr(p.lin, "extra")
    res = _both(fn)
    assert res["numtorch"] == res["torch"]


def test_batch_norm_running_stats_go_to_the_given_buffers():
    x = rand(5, 2)

    def fn(lib):
        bn = lib.nn.BatchNorm1d(2)
        rm = lib.zeros(2)
        out = lib.func.functional_call(bn, {"running_mean": rm}, lib.tensor(x))
        return _np(out), _np(rm), _np(bn.running_mean), int(bn.num_batches_tracked)
    res = _both(fn)
    for a, b in zip(res["numtorch"], res["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", ["strict-missing-unexpected", "strict-missing", "tied-conflict", "repeated",
                                  "not-a-tensor", "bad-submodule"])
def test_errors(case):
    def fn(lib):
        net = Tied.build(lib)
        x = lib.ones(1, 3)
        call = lib.func.functional_call
        if case == "strict-missing-unexpected":
            call(net, {"a.weight": lib.ones(3, 3), "zz": lib.ones(1), "yy": lib.ones(1)}, x, strict=True)
        elif case == "strict-missing":
            call(net, {"scale": lib.ones(3)}, x, strict=True)
        elif case == "tied-conflict":
            call(net, {"a.weight": lib.ones(3, 3), "b.weight": lib.zeros(3, 3)}, x)
        elif case == "repeated":
            call(net, ({"scale": lib.ones(3)}, {"scale": lib.ones(3)}), x)
        elif case == "not-a-tensor":
            call(net, {"scale": 3}, x)
        else:
            call(net, {"a.nope.w": lib.ones(1)}, x)
    msgs = []
    for lib in (need_torch(), numtorch):
        with pytest.raises(Exception) as info:
            fn(lib)
        msgs.append((type(info.value).__name__, str(info.value)))
    assert msgs[0] == msgs[1]


def test_stateless_functional_call_is_deprecated():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lin = lib.nn.Linear(2, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.utils.stateless.functional_call(lin, {"weight": lib.zeros(2, 2), "bias": lib.ones(2)},
                                                         (lib.ones(1, 2),))
        res.append((_np(out).tolist(), [(w.category.__name__, str(w.message)) for w in caught]))
    assert res[0] == res[1]
