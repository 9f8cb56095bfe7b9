"""torch.nn.utils.prune against real torch: masks, parameter/buffer names, hooks, RNG draws, removal."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand

try:
    import torch.nn.utils.prune  # noqa: F401  (torch does not import it with torch.nn)
except ImportError:
    pass


def _pair(seed=0):
    """The same Linear/Conv model in both libraries (weights copied from NumPy data)."""
    t = need_torch()
    out = []
    for m in (numtorch, t):
        model = m.nn.Sequential(m.nn.Linear(5, 4), m.nn.Conv2d(2, 3, 2))
        with m.no_grad():
            model[0].weight.copy_(m.tensor(rand(4, 5, seed=seed)))
            model[0].bias.copy_(m.tensor(rand(4, seed=seed + 1)))
            model[1].weight.copy_(m.tensor(rand(3, 2, 2, 2, seed=seed + 2)))
            model[1].bias.copy_(m.tensor(rand(3, seed=seed + 3)))
        out.append(model)
    return out


def _same_state(n, t):
    ns, ts = n.state_dict(), t.state_dict()
    assert list(ns) == list(ts)
    for k in ts:
        assert_same(ns[k], ts[k], what=k)
    assert [k for k, _ in n.named_parameters()] == [k for k, _ in t.named_parameters()]
    assert [k for k, _ in n.named_buffers()] == [k for k, _ in t.named_buffers()]


def _prune_both(fn, seed=0):
    n, t = _pair(seed)
    for model, m in ((n, numtorch), (t, need_torch())):
        m.manual_seed(7)
        fn(m.nn.utils.prune, model)
    return n, t


def _forward_same(n, t):
    x = rand(3, 5, seed=9)
    assert_same(n[0](numtorch.tensor(x)), t[0](need_torch().tensor(x)))


@pytest.mark.parametrize("fn", [
    lambda p, mdl: p.identity(mdl[0], "weight"),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", amount=0.3),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", amount=7),
    lambda p, mdl: p.l1_unstructured(mdl[0], "bias", amount=0),
    lambda p, mdl: p.l1_unstructured(mdl[1], "weight", 0.5),
    lambda p, mdl: p.random_unstructured(mdl[0], "weight", amount=0.4),
    lambda p, mdl: p.random_unstructured(mdl[1], "weight", amount=5),
    lambda p, mdl: p.random_unstructured(mdl[0], "bias", amount=1.0),
    lambda p, mdl: (p.l1_unstructured(mdl[0], "weight", 0.25), p.random_unstructured(mdl[0], "weight", 0.5)),
    lambda p, mdl: (p.random_unstructured(mdl[0], "weight", 3), p.l1_unstructured(mdl[0], "weight", 4),
                    p.identity(mdl[0], "weight")),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", 6, importance_scores=mdl[0].weight.detach().flip(0)),
    lambda p, mdl: p.global_unstructured([(mdl[0], "weight"), (mdl[1], "weight"), (mdl[0], "bias")],
                                         pruning_method=p.L1Unstructured, amount=0.4),
    lambda p, mdl: p.global_unstructured([(mdl[0], "weight"), (mdl[1], "weight")],
                                         pruning_method=p.RandomUnstructured, amount=10),
    lambda p, mdl: (p.l1_unstructured(mdl[0], "weight", 0.5),
                    p.global_unstructured(((mdl[0], "weight"), (mdl[1], "weight")), p.L1Unstructured,
                                          amount=12)),
    lambda p, mdl: p.global_unstructured([(mdl[0], "weight"), (mdl[1], "weight")], p.L1Unstructured,
                                         importance_scores={(mdl[0], "weight"): mdl[0].weight.detach() * 10},
                                         amount=0.5),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", amount=0.5, n=2, dim=0),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", amount=2, n=1, dim=-1),
    lambda p, mdl: p.ln_structured(mdl[1], "weight", amount=1, n=float("inf"), dim=1),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", amount=0, n="fro", dim=0),
    lambda p, mdl: p.ln_structured(mdl[1], "weight", amount=0.4, n=-1, dim=-2),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", 2, 2, 0, importance_scores=mdl[0].weight.detach().flip(0)),
    lambda p, mdl: p.random_structured(mdl[0], "weight", amount=0.5, dim=0),
    lambda p, mdl: p.random_structured(mdl[1], "weight", amount=2, dim=-1),
    lambda p, mdl: p.random_structured(mdl[1], "weight", amount=0, dim=1),
    lambda p, mdl: (p.l1_unstructured(mdl[0], "weight", 6), p.ln_structured(mdl[0], "weight", 1, 2, 0),
                    p.random_structured(mdl[0], "weight", 0.5, dim=1)),
    lambda p, mdl: (p.random_structured(mdl[1], "weight", 1, dim=0), p.ln_structured(mdl[1], "weight", 1, 1, 0),
                    p.l1_unstructured(mdl[1], "weight", 4)),
    lambda p, mdl: p.LnStructured.apply(mdl[0], "weight", 0.25, 2, -1),
    lambda p, mdl: p.RandomStructured.apply(mdl[0], "weight", 0.25),
])
def test_prune_matches_torch(fn):
    n, t = _prune_both(fn)
    _same_state(n, t)
    for a, b in zip(n.modules(), t.modules()):
        assert numtorch.nn.utils.prune.is_pruned(a) == need_torch().nn.utils.prune.is_pruned(b)
        assert len(a._forward_pre_hooks) == len(b._forward_pre_hooks)
        for name in ("weight", "bias"):
            if hasattr(b, name + "_mask"):
                assert_same(getattr(a, name), getattr(b, name))
    _forward_same(n, t)


def test_hook_reapplies_mask_and_gradients():
    n, t = _prune_both(lambda p, mdl: p.l1_unstructured(mdl[0], "weight", 0.5))
    x = rand(3, 5, seed=4)
    for model, m in ((n, numtorch), (t, need_torch())):
        with m.no_grad():
            model[0].weight_orig.add_(1.0)
        model[0](m.tensor(x)).sum().backward()
    assert_same(n[0].weight, t[0].weight)
    assert_same(n[0].weight_orig.grad, t[0].weight_orig.grad)
    assert type(n[0]._forward_pre_hooks[next(iter(n[0]._forward_pre_hooks))]).__name__ == "L1Unstructured"


def test_container_history():
    n, t = _prune_both(lambda p, mdl: (p.l1_unstructured(mdl[0], "weight", 2),
                                       p.random_unstructured(mdl[0], "weight", 3)))
    hn = list(n[0]._forward_pre_hooks.values())[0]
    ht = list(t[0]._forward_pre_hooks.values())[0]
    assert type(hn).__name__ == type(ht).__name__ == "PruningContainer"
    assert [type(h).__name__ for h in hn] == [type(h).__name__ for h in ht] and len(hn) == len(ht)
    assert hn[0]._tensor_name == "weight"


def test_remove_makes_permanent():
    def fn(p, mdl):
        p.random_unstructured(mdl[0], "weight", 0.5)
        p.l1_unstructured(mdl[1], "weight", 4)
        p.remove(mdl[0], "weight")
        p.remove(mdl[1], "weight")
    n, t = _prune_both(fn)
    _same_state(n, t)
    assert not numtorch.nn.utils.prune.is_pruned(n) and not need_torch().nn.utils.prune.is_pruned(t)
    assert isinstance(n[0].weight, numtorch.nn.Parameter)
    _forward_same(n, t)


def test_prune_method_on_tensor():
    t = need_torch()
    x = rand(3, 4)
    for m in (numtorch, t):
        m.manual_seed(3)
    n_out = numtorch.nn.utils.prune.RandomUnstructured(0.5).prune(numtorch.tensor(x))
    t_out = t.nn.utils.prune.RandomUnstructured(0.5).prune(t.tensor(x))
    assert_same(n_out, t_out)
    scores = rand(3, 4, seed=5)
    n_l1 = numtorch.nn.utils.prune.L1Unstructured(5)
    assert_same(n_l1.prune(numtorch.tensor(x), None, numtorch.tensor(scores)),
                t.nn.utils.prune.L1Unstructured(5).prune(t.tensor(x), None, t.tensor(scores)))


@pytest.mark.parametrize("fn", [
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", amount=-1),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", amount=1.5),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", amount="a"),
    lambda p, mdl: p.random_unstructured(mdl[0], "weight", amount=21),
    lambda p, mdl: p.remove(mdl[0], "weight"),
    lambda p, mdl: p.l1_unstructured(mdl[0], "weight", 2, importance_scores=mdl[0].bias),
    lambda p, mdl: p.global_unstructured(5, p.L1Unstructured, amount=1),
    lambda p, mdl: p.global_unstructured([(mdl[0], "weight")], p.L1Unstructured, importance_scores=[],
                                         amount=1),
    lambda p, mdl: p.global_unstructured([(mdl[0], "weight")], p.CustomFromMask, mask=None),
    lambda p, mdl: p.PruningContainer(p.Identity()).add_pruning_method(3),
    lambda p, mdl: p.l1_unstructured(mdl[0], "nothing", 1),
    lambda p, mdl: p.ln_structured(mdl[0], "bias", 1, 2, 0),
    lambda p, mdl: p.random_structured(mdl[0], "weight", 1, dim=2),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", 5, 2, 0),
    lambda p, mdl: p.random_structured(mdl[0], "weight", 1.5, dim=0),
    lambda p, mdl: p.ln_structured(mdl[0], "weight", 1, "nuc", 0),
    lambda p, mdl: p.ln_structured(mdl[1], "weight", 1, "fro", 0),  # 'fro' over three dims
])
def test_errors(fn):
    names = []
    for model, m in zip(_pair(), (numtorch, need_torch())):
        with pytest.raises(Exception) as info:
            fn(m.nn.utils.prune, model)
        names.append(type(info.value))
        # a failed prune leaves the module as it was
        names.append(sorted(k for k, _ in model.named_parameters()))
    assert names[0] is names[2] and names[1] == names[3] == ["0.bias", "0.weight", "1.bias", "1.weight"]


def test_amount_rounding_and_empty():
    n, t = _prune_both(lambda p, mdl: p.l1_unstructured(mdl[0], "bias", amount=0.125))  # round(0.5) == 0
    _same_state(n, t)
    for m in (numtorch, need_torch()):
        with pytest.warns(UserWarning, match="zero-element"):
            lin = m.nn.Linear(0, 3)
        m.nn.utils.prune.l1_unstructured(lin, "weight", 0.5)
        assert tuple(lin.weight_mask.shape) == (3, 0)
