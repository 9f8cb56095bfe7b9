"""nn.utils.parametrize, parametrizations and the hook-based weight_norm/spectral_norm against torch."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand


def _both(fn, seed=0):
    """Run fn(lib) after seeding each library; also return the warnings each raised."""
    torch = need_torch()
    out = []
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = fn(lib)
        out.append((res, [(x.category, str(x.message)) for x in w]))
    return out


def _train_step(lib, m, x, steps=2):
    """Forward and backward a few times (power iterations advance in training mode); outputs and grads."""
    outs = []
    for _ in range(steps):
        y = m(lib.tensor(x))
        (y * lib.tensor(rand(*y.shape, seed=4))).sum().backward()
        outs.append(y)
    return outs, [p.grad for p in m.parameters()], m.state_dict()


def _compare_training(make, x, atol=1e-5, rtol=1e-4):
    (t, tw), (n, nw) = _both(lambda lib: (make(lib),))
    assert [c for c, _ in nw] == [c for c, _ in tw] and [m for _, m in nw] == [m for _, m in tw]
    tm, nm = t[0], n[0]
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert_same(nm.state_dict()[k], v, atol, rtol, what=k)
    ty, tg, ts = _train_step(need_torch(), tm, x)
    ny, ng, ns = _train_step(numtorch, nm, x)
    assert_same(ny, ty, atol, rtol)
    for a, b in zip(ng, tg):
        assert_same(a, b, atol * 10, rtol * 10, what="grad")
    for k, v in ts.items():
        assert_same(ns[k], v, atol, rtol, what=k)
    return tm, nm


# ------------------------------------------------------------------------------------ parametrize core

def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()
    return Symmetric


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return X * 2

    return Scale


def _split(lib):
    class Split(lib.nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X * 0.25, X * 0.75
    return Split


@pytest.mark.parametrize("kind", ["symmetric", "chain", "sequence", "buffer"])
def test_register_parametrization(kind):
    def make(lib):
        m = lib.nn.Linear(4, 4)
        if kind == "buffer":
            m.register_buffer("scale", lib.ones(4, 4))
            lib.nn.utils.parametrize.register_parametrization(m, "scale", _symmetric(lib)())
        elif kind == "sequence":
            lib.nn.utils.parametrize.register_parametrization(m, "weight", _split(lib)())
        else:
            lib.nn.utils.parametrize.register_parametrization(m, "weight", _symmetric(lib)())
            if kind == "chain":
                lib.nn.utils.parametrize.register_parametrization(m, "weight", _scale(lib)())
        return m
    tm, nm = _compare_training(make, rand(3, 4))
    assert type(nm).__name__ == type(tm).__name__ == "ParametrizedLinear"
    assert numtorch.nn.utils.parametrize.type_before_parametrizations(nm) is numtorch.nn.Linear


@pytest.mark.parametrize("leave", [True, False])
def test_remove_and_assign(leave):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        P = lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 3)
        m.weight.data = lib.tensor(rand(3, 3))
        P.register_parametrization(m, "weight", _symmetric(lib)())
        m.weight = lib.tensor(rand(3, 3, seed=2))
        assigned = m.weight.detach().clone()
        assert P.is_parametrized(m) and P.is_parametrized(m, "weight") and not P.is_parametrized(m, "bias")
        P.remove_parametrizations(m, "weight", leave_parametrized=leave)
        assert not P.is_parametrized(m) and type(m) is lib.nn.Linear and not hasattr(m, "parametrizations")
        assert isinstance(m.weight, lib.nn.Parameter)
        res.append((assigned, m.weight.detach().clone(), list(m.state_dict())))
    assert_same(res[1][0], res[0][0])
    assert_same(res[1][1], res[0][1])
    assert res[1][2] == res[0][2]


def test_remove_sequence_parametrization():
    torch = need_torch()
    for lib in (torch, numtorch):
        P = lib.nn.utils.parametrize
        m = P.register_parametrization(lib.nn.Linear(2, 2), "weight", _split(lib)())
        with pytest.raises(ValueError):
            P.remove_parametrizations(m, "weight", leave_parametrized=False)
        value = m.weight.detach().clone()
        P.remove_parametrizations(m, "weight")
        assert lib.equal(m.weight.detach(), value) and isinstance(m.weight, lib.nn.Parameter)


def test_cached():
    m = numtorch.nn.utils.parametrize.register_parametrization(numtorch.nn.Linear(3, 3), "weight",
                                                              _symmetric(numtorch)())
    assert m.weight is not m.weight
    with numtorch.nn.utils.parametrize.cached():
        assert m.weight is m.weight
        with numtorch.nn.utils.parametrize.cached():
            first = m.weight
        assert m.weight is first
    assert m.weight is not first


def test_parametrize_errors():
    torch = need_torch()

    class Shrink:
        pass
    for lib in (torch, numtorch):
        P = lib.nn.utils.parametrize
        with pytest.raises(ValueError, match="does not have a parameter"):
            P.register_parametrization(lib.nn.Linear(2, 2), "nope", _scale(lib)())
        with pytest.raises(ValueError, match="may not change the shape"):
            P.register_parametrization(lib.nn.Linear(3, 2), "weight", lib.nn.Flatten(0))
        with pytest.raises(ValueError, match="may not change the dtype"):
            P.register_parametrization(lib.nn.Linear(3, 2), "weight", _to_double(lib)())
        m = P.register_parametrization(lib.nn.Linear(3, 2), "weight", _to_double(lib)(), unsafe=True)
        assert m.weight.dtype == lib.float64
        with pytest.raises(ValueError, match="does not have a parametrization"):
            P.remove_parametrizations(lib.nn.Linear(2, 2), "weight")
        m = P.register_parametrization(lib.nn.Linear(2, 2), "weight", _scale(lib)())
        with pytest.raises(RuntimeError, match="does not implement right_inverse"):
            m.weight = lib.zeros(2, 2)
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
            pickle.dumps(m)
        with pytest.raises(ValueError, match="ParametrizationList requires"):
            P.ParametrizationList([], lib.zeros(2))


def _to_double(lib):
    class ToDouble(lib.nn.Module):
        def forward(self, X):
            return X.double()
    return ToDouble


def test_parametrized_deepcopy_and_load_from_torch():
    torch = need_torch()
    tm = torch.nn.utils.parametrize.register_parametrization(torch.nn.Linear(3, 3), "weight",
                                                            _symmetric(torch)())
    nm = numtorch.nn.utils.parametrize.register_parametrization(numtorch.nn.Linear(3, 3), "weight",
                                                               _symmetric(numtorch)())
    nm.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(nm.weight, tm.weight)
    clone = copy.deepcopy(nm)
    assert type(clone) is type(nm) and numtorch.equal(clone.weight, nm.weight)
    assert clone.parametrizations.weight.original is not nm.parametrizations.weight.original


# -------------------------------------------------------------------------------------- weight_norm

@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_parametrizations_weight_norm(dim):
    _compare_training(lambda lib: lib.nn.utils.parametrizations.weight_norm(lib.nn.Conv2d(2, 3, 3), dim=dim),
                      rand(2, 2, 5, 5))


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook_based(dim):
    torch = need_torch()
    tm, nm = _compare_training(lambda lib: lib.nn.utils.weight_norm(lib.nn.Linear(4, 3), dim=dim), rand(2, 4))
    for lib, m in ((torch, tm), (numtorch, nm)):
        lib.nn.utils.remove_weight_norm(m)
        assert list(m.state_dict()) == ["bias", "weight"]
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
            lib.nn.utils.remove_weight_norm(m)
    assert_same(nm.weight, tm.weight, 1e-5, 1e-4)


def test_weight_norm_errors_and_compat_loading():
    torch = need_torch()
    for lib in (torch, numtorch):
        m = lib.nn.utils.weight_norm(lib.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            lib.nn.utils.weight_norm(m)
        with pytest.raises(ValueError, match="uninitialized parameters"):
            lib.nn.utils.weight_norm(lib.nn.LazyLinear(3))
    old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    new = numtorch.nn.utils.parametrizations.weight_norm(numtorch.nn.Linear(4, 3))
    new.load_state_dict({k: numtorch.tensor(v.detach().numpy()) for k, v in old.state_dict().items()})
    x = rand(2, 4)
    assert_same(new(numtorch.tensor(x)), old(torch.tensor(x)), 1e-6, 1e-5)


# ------------------------------------------------------------------------------------ spectral_norm

@pytest.mark.parametrize("layer", ["linear", "conv", "convT"])
@pytest.mark.parametrize("train", [True, False])
def test_parametrizations_spectral_norm(layer, train):
    def make(lib):
        m = {"linear": lambda: lib.nn.Linear(5, 4), "conv": lambda: lib.nn.Conv1d(3, 4, 2),
             "convT": lambda: lib.nn.ConvTranspose1d(3, 4, 2)}[layer]()
        return lib.nn.utils.parametrizations.spectral_norm(m, n_power_iterations=2).train(train)
    _compare_training(make, rand(2, 5) if layer == "linear" else rand(2, 3, 6))


@pytest.mark.parametrize("layer", ["linear", "convT"])
def test_spectral_norm_hook_based(layer):
    torch = need_torch()

    def make(lib):
        m = lib.nn.Linear(5, 4) if layer == "linear" else lib.nn.ConvTranspose2d(3, 2, 2)
        return lib.nn.utils.spectral_norm(m)
    tm, nm = _compare_training(make, rand(2, 5) if layer == "linear" else rand(1, 3, 4, 4))
    for lib, m in ((torch, tm), (numtorch, nm)):
        assert m.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
        lib.nn.utils.remove_spectral_norm(m)
        assert list(m.state_dict()) == ["bias", "weight"]
        with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
            lib.nn.utils.remove_spectral_norm(m)
    assert_same(nm.weight, tm.weight, 1e-5, 1e-4)


def test_spectral_norm_errors_and_1d():
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.raises(ValueError, match="n_power_iterations"):
            lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2), n_power_iterations=0)
        with pytest.raises(IndexError):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), dim=2)
        with pytest.raises(ValueError, match="no parameter or buffer"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), name="nope")
        m = lib.nn.utils.spectral_norm(lib.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
            lib.nn.utils.spectral_norm(m)
    _compare_training(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(3, 4),
                                                                              name="bias"), rand(2, 3))


# --------------------------------------------------------------------------------------- orthogonal

@pytest.mark.parametrize("orth_map", ["matrix_exp", "cayley", "householder", None])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_orthogonal(orth_map, shape):
    _compare_training(lambda lib: lib.nn.utils.parametrizations.orthogonal(
        lib.nn.Linear(shape[1], shape[0]), orthogonal_map=orth_map), rand(2, shape[1]), atol=1e-5, rtol=1e-3)


def test_orthogonal_without_trivialization_and_errors():
    _compare_training(lambda lib: lib.nn.utils.parametrizations.orthogonal(
        lib.nn.Linear(3, 5), orthogonal_map="householder", use_trivialization=False), rand(2, 3), rtol=1e-3)
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2), orthogonal_map="qr")
        with pytest.raises(ValueError, match="Expected a matrix"):
            lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2), name="bias")
        m = lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2), use_trivialization=False)
        with pytest.raises(NotImplementedError):
            m.weight = lib.eye(2)
    m = numtorch.nn.utils.parametrizations.orthogonal(numtorch.nn.Linear(4, 6))
    q = m.weight.detach().numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)


def test_weight_norm_gradcheck():
    numtorch.manual_seed(0)
    m = numtorch.nn.utils.parametrizations.weight_norm(numtorch.nn.Linear(3, 2).double())
    g, v = m.parametrizations.weight.original0, m.parametrizations.weight.original1
    x = numtorch.randn(4, 3, dtype=numtorch.float64)

    def fn(g, v):
        return numtorch.nn.functional.linear(x, m.parametrizations.weight[0](g, v))
    assert numtorch.autograd.gradcheck(fn, (g.detach().requires_grad_(), v.detach().requires_grad_()))
