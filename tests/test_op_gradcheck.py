"""gradcheck and gradgradcheck (float64 finite differences) for every op with a derivative."""
import numpy as np
import pytest

import numtorch as nt
from numtorch.autograd import gradcheck, gradgradcheck


def _t(*shape, low=-2.0, high=2.0, seed=0, away=0.0):
    """float64 test input; ``away`` keeps values at least that far from 0 (kinks of abs/relu...)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(low, high, shape)
    if away:
        v = np.where(np.abs(v) < away, np.sign(v + 1e-12) * away, v)
    return nt.tensor(v, dtype=nt.float64, requires_grad=True)


def _pos(*shape, seed=0):
    return _t(*shape, low=0.5, high=2.0, seed=seed)


# (name, function, inputs factory)
CASES = [
    ("add", lambda a, b: a + b, lambda: (_t(3, 4), _t(4, seed=1))),
    ("add_alpha", lambda a, b: nt.add(a, b, alpha=2.5), lambda: (_t(2, 3), _t(2, 3, seed=1))),
    ("add_scalar", lambda a: a + 2, lambda: (_t(3),)),
    ("sub", lambda a, b: a - b, lambda: (_t(2, 1, 3), _t(4, 3, seed=1))),
    ("rsub", lambda a: 2 - a, lambda: (_t(3),)),
    ("mul", lambda a, b: a * b, lambda: (_t(3, 4), _t(3, 1, seed=1))),
    ("div", lambda a, b: a / b, lambda: (_t(3, 4), _t(3, 4, seed=1, away=0.5))),
    ("rdiv", lambda a: 2 / a, lambda: (_t(3, away=0.5),)),
    ("pow_tensor", lambda a, b: a ** b, lambda: (_pos(3), _t(3, seed=1))),
    ("pow_scalar", lambda a: a ** 3, lambda: (_t(2, 3),)),
    ("rpow", lambda a: 2 ** a, lambda: (_t(3),)),
    ("neg", lambda a: -a, lambda: (_t(4),)),
    ("exp", lambda a: a.exp(), lambda: (_t(2, 3),)),
    ("log", lambda a: a.log(), lambda: (_pos(2, 3),)),
    ("sin", lambda a: a.sin(), lambda: (_t(5),)),
    ("cos", lambda a: a.cos(), lambda: (_t(5),)),
    ("tanh", lambda a: a.tanh(), lambda: (_t(5),)),
    ("sigmoid", lambda a: a.sigmoid(), lambda: (_t(5),)),
    ("relu", lambda a: a.relu(), lambda: (_t(6, away=0.1),)),
    ("sqrt", lambda a: a.sqrt(), lambda: (_pos(4),)),
    ("abs", lambda a: a.abs(), lambda: (_t(6, away=0.1),)),
    ("clamp", lambda a: a.clamp(-0.5, 0.7), lambda: (_t(8, seed=3),)),
    ("clamp_min", lambda a: a.clamp(min=0.3), lambda: (_t(8, seed=4),)),
    ("clamp_tensor", lambda a, lo, hi: a.clamp(lo, hi),
     lambda: (_t(6, seed=2), _t(6, low=-3, high=-1, seed=5), _t(6, low=1, high=3, seed=6))),
    ("where", lambda a, b: nt.where(a > 0, a, b), lambda: (_t(3, 4), _t(4, seed=1))),
    ("remainder", lambda a: a.remainder(1.5), lambda: (_t(5, seed=7),)),
    ("fmod", lambda a: a.fmod(1.5), lambda: (_t(5, seed=8),)),
    ("sum", lambda a: a.sum(), lambda: (_t(3, 4),)),
    ("sum_dim", lambda a: a.sum((0, 2), keepdim=True), lambda: (_t(2, 3, 4),)),
    ("sum_neg_dim", lambda a: a.sum(-1), lambda: (_t(2, 3),)),
    ("mean", lambda a: a.mean(), lambda: (_t(3, 4),)),
    ("mean_dim", lambda a: a.mean(1), lambda: (_t(2, 3, 4),)),
    ("matmul_2d", lambda a, b: a @ b, lambda: (_t(2, 3), _t(3, 4, seed=1))),
    ("matmul_1d", lambda a, b: a @ b, lambda: (_t(3), _t(3, seed=1))),
    ("matmul_mv", lambda a, b: a @ b, lambda: (_t(2, 3), _t(3, seed=1))),
    ("matmul_vm", lambda a, b: a @ b, lambda: (_t(3), _t(3, 2, seed=1))),
    ("matmul_batched", lambda a, b: a @ b, lambda: (_t(2, 1, 2, 3), _t(3, 3, 2, seed=1))),
    ("mm", lambda a, b: a.mm(b), lambda: (_t(2, 3), _t(3, 2, seed=1))),
    ("bmm", lambda a, b: a.bmm(b), lambda: (_t(2, 2, 3), _t(2, 3, 2, seed=1))),
    ("dot", lambda a, b: a.dot(b), lambda: (_t(4), _t(4, seed=1))),
    ("mv", lambda a, b: a.mv(b), lambda: (_t(2, 4), _t(4, seed=1))),
    ("cat", lambda a, b: nt.cat([a, b], 1), lambda: (_t(2, 3), _t(2, 2, seed=1))),
    ("stack", lambda a, b: nt.stack([a, b], -1), lambda: (_t(2, 3), _t(2, 3, seed=1))),
    ("view", lambda a: a.view(3, 2) * 2, lambda: (_t(2, 3),)),
    ("reshape_copy", lambda a: a.t().reshape(-1), lambda: (_t(2, 3),)),
    ("expand", lambda a: a.expand(3, 2, 4), lambda: (_t(2, 1),)),
    ("transpose", lambda a: a.transpose(0, 2), lambda: (_t(2, 3, 4),)),
    ("t", lambda a: a.t(), lambda: (_t(2, 3),)),
    ("permute", lambda a: a.permute(2, 0, 1), lambda: (_t(2, 3, 4),)),
    ("squeeze", lambda a: a.squeeze(1), lambda: (_t(2, 1, 3),)),
    ("unsqueeze", lambda a: a.unsqueeze(-1), lambda: (_t(2, 3),)),
    ("flatten", lambda a: a.flatten(1), lambda: (_t(2, 3, 2),)),
    ("narrow", lambda a: a.narrow(1, 1, 2), lambda: (_t(2, 4),)),
    ("select", lambda a: a.select(0, 1), lambda: (_t(3, 2),)),
    ("unbind", lambda a: a.unbind(1)[1] * 3, lambda: (_t(2, 3),)),
    ("split", lambda a: a.split(2)[1], lambda: (_t(5, 2),)),
    ("chunk", lambda a: a.chunk(2, 1)[0], lambda: (_t(2, 5),)),
    ("clone", lambda a: a.clone(), lambda: (_t(3),)),
    ("contiguous", lambda a: a.t().contiguous(), lambda: (_t(2, 3),)),
    ("chain", lambda a, b: ((a * b).exp() + b.sin()).sum(0) / 3, lambda: (_t(3, 4), _t(4, seed=1))),
]


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, fn, make):
    assert gradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name,fn,make", CASES, ids=[c[0] for c in CASES])
def test_gradgradcheck(name, fn, make):
    assert gradgradcheck(fn, make(), eps=1e-6, atol=1e-5, rtol=1e-3)
