"""torch.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against real torch."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand


def _both(fn, *data, grad=False):
    """fn(lib, *tensors) in torch and numtorch; same exception (type and text) or the same results."""
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        ins = [lib.tensor(d, requires_grad=grad) for d in data]
        try:
            out[lib] = ("ok", fn(lib, *ins), ins)
        except Exception as e:  # compared below
            out[lib] = ("err", e, ins)
    t, n = out[torch], out[numtorch]
    assert t[0] == n[0], f"torch {t[1]!r} / numtorch {n[1]!r}"
    if t[0] == "err":
        assert type(n[1]) is type(t[1]) and str(n[1]) == str(t[1]), f"{n[1]!r} vs {t[1]!r}"
        return None
    assert_same(n[1], t[1], atol=1e-5)
    _same_grad_flags(n[1], t[1])
    return n, t


def _same_grad_flags(n, t):
    if isinstance(t, (tuple, list)):
        for a, b in zip(n, t):
            _same_grad_flags(a, b)
    else:
        assert n.requires_grad == t.requires_grad


def cube(lib, x):
    return (x ** 3).sum()


def f2(x, y):
    return x.sin() * y + y.exp()


X = rand(3, seed=1)
Y = rand(3, seed=2)
M = rand(2, 3, seed=3)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("grad", [False, True])
def test_jacobian_single_and_tuple(create_graph, grad):
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a.exp() * 2, x, create_graph=create_graph),
          X, grad=grad)
    _both(lambda L, x, y: L.autograd.functional.jacobian(f2, (x, y), create_graph=create_graph), X, Y,
          grad=grad)
    _both(lambda L, x, y: L.autograd.functional.jacobian(lambda a, b: (a * b, (a @ b).reshape(1), b.sum()),
                                                         (x, y), create_graph=create_graph), X, Y, grad=grad)
    _both(lambda L, m: L.autograd.functional.jacobian(lambda a: a.softmax(1), m,
                                                      create_graph=create_graph), M, grad=grad)


def test_jacobian_vectorize_strategy_and_shapes():
    _both(lambda L, m, x: L.autograd.functional.jacobian(lambda a, b: a @ b, (m, x), vectorize=True), M, X)
    _both(lambda L, m: L.autograd.functional.jacobian(lambda a: a.sum(), m), M)
    _both(lambda L: L.autograd.functional.jacobian(lambda a: a * 2, L.tensor(1.5)))
    _both(lambda L: L.autograd.functional.jacobian(lambda a: a * 2, L.zeros(0)))
    _both(lambda L: L.autograd.functional.jacobian(lambda a: a.double() ** 2, L.tensor([1.0, 2.0])))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's own forward-AD machinery warns
@pytest.mark.parametrize("grad", [False, True])
def test_forward_mode_strategy(grad):
    # torch's forward-mode results are not detached: they stay attached to inputs that require grad.
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a.exp() * a, x, strategy="forward-mode",
                                                      vectorize=True), X, grad=grad)
    _both(lambda L, x, y: L.autograd.functional.jacobian(f2, (x, y), strategy="forward-mode", vectorize=True),
          X, Y, grad=grad)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: (a ** 3).sum(), x, vectorize=True,
                                                     outer_jacobian_strategy="forward-mode"), X, grad=grad)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: (a ** 3).sum(), x, create_graph=True,
                                                     outer_jacobian_strategy="forward-mode"), X, grad=grad)


def test_jacobian_independent_and_strict():
    _both(lambda L, x, y: L.autograd.functional.jacobian(lambda a, b: a * 2, (x, y)), X, Y)
    _both(lambda L, x, y: L.autograd.functional.jacobian(lambda a, b: a * 2, (x, y), strict=True), X, Y)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: L.ones(2), x, strict=True), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a * 2, x, create_graph=True, strict=True), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, x, strict=True, vectorize=True), X)


def test_jacobian_errors():
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, [x]), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, (x, 3)), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: 3.0, x), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: (a, 3.0), x), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, x, strategy="bad"), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, x, strategy="forward-mode"), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, x, strategy="forward-mode",
                                                      create_graph=True), X)
    _both(lambda L, x: L.autograd.functional.jacobian(lambda a: a, x, strategy="forward-mode",
                                                      strict=True), X)


@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian(create_graph):
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: (a ** 3).sum(), x,
                                                     create_graph=create_graph), X)
    _both(lambda L, x, y: L.autograd.functional.hessian(lambda a, b: (a.sin() * b * b).sum(), (x, y),
                                                        create_graph=create_graph), X, Y)
    _both(lambda L, m: L.autograd.functional.hessian(lambda a: a.logsumexp(1).sum(), m,
                                                     create_graph=create_graph, vectorize=True), M)


def test_hessian_errors_and_strict():
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: a ** 2, x), X)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: ((a ** 2).sum(),), x), X)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: a.sum(), x, strict=True), X)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: a.sum(), x), X)
    _both(lambda L, x, y: L.autograd.functional.hessian(lambda a, b: (a * a).sum(), (x, y)), X, Y)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: a.sum(), x, outer_jacobian_strategy="x"), X)
    _both(lambda L, x: L.autograd.functional.hessian(lambda a: (a ** 2).sum(), x,
                                                     outer_jacobian_strategy="forward-mode"), X)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("grad", [False, True])
def test_vjp_jvp(create_graph, grad):
    v = rand(3, seed=5)
    _both(lambda L, x, w: L.autograd.functional.vjp(lambda a: a.exp() * a, x, w, create_graph=create_graph),
          X, v, grad=grad)
    _both(lambda L, x, w: L.autograd.functional.jvp(lambda a: a.exp() * a, x, w, create_graph=create_graph),
          X, v, grad=grad)
    _both(lambda L, x, y, w: L.autograd.functional.vjp(lambda a, b: (a * b, a.sum()), (x, y),
                                                       (w, L.tensor(2.0)), create_graph=create_graph),
          X, Y, v, grad=grad)
    _both(lambda L, x, y, w: L.autograd.functional.jvp(lambda a, b: (a * b, a.sum() + b[0]), (x, y), (w, w),
                                                       create_graph=create_graph), X, Y, v, grad=grad)
    _both(lambda L, m: L.autograd.functional.vjp(lambda a: (a ** 2).sum(), m, create_graph=create_graph), M,
          grad=grad)
    _both(lambda L: L.autograd.functional.jvp(lambda a: a * 3, L.tensor([2.0])))


def test_vjp_jvp_strict_and_errors():
    v = rand(3, seed=5)
    for name in ("vjp", "jvp"):
        _both(lambda L, x: getattr(L.autograd.functional, name)(lambda a: a * 2, x), X)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a * 2, x, w[:2]), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a, b: (a, b), (x, x), (w,)), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a, b: (a, b), (x, x), (w, w[:1])),
              X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a, x, (w, w)), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a, b: a * 2, (x, x), (w, w)), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a, b: a * 2, (x, x), (w, w),
                                                                   strict=True), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: L.zeros(3), x, w, strict=True),
              X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a * 2, x, w, strict=True,
                                                                   create_graph=True), X, v)
        _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a, x, 1.0), X, v)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_hvp_vhp(name, create_graph):
    v = rand(3, seed=6)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: (a.sin() * a ** 2).sum(), x, w,
                                                               create_graph=create_graph), X, v)
    _both(lambda L, x, y, w: getattr(L.autograd.functional, name)(lambda a, b: (a * b.exp() * a).sum(),
                                                                  (x, y), (w, w), create_graph=create_graph),
          X, Y, v)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: (a ** 3).sum(), x, w,
                                                               create_graph=create_graph), X, v, grad=True)
    _both(lambda L: getattr(L.autograd.functional, name)(lambda a: a ** 4, L.tensor(1.5)))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hvp_vhp_errors(name):
    v = rand(3, seed=6)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a ** 2, x, w), X, v)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: ((a ** 2).sum(),), x, w), X, v)
    _both(lambda L, x: getattr(L.autograd.functional, name)(lambda a: (a ** 2).sum(), x), X)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a.sum(), x, w), X, v)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: a.sum(), x, w, strict=True), X, v)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a, b: (a * a).sum(), (x, x), (w, w),
                                                               strict=True), X, v)
    _both(lambda L, x, w: getattr(L.autograd.functional, name)(lambda a: L.tensor(1.0), x, w, strict=True),
          X, v)


def test_results_flow_back_to_inputs_with_create_graph():
    torch = need_torch()
    res = {}
    for lib in (torch, numtorch):
        x = lib.tensor(X, requires_grad=True)
        h = lib.autograd.functional.hessian(lambda a: (a ** 3).sum(), x, create_graph=True)
        _, hv = lib.autograd.functional.hvp(lambda a: (a ** 3).sum(), x, lib.ones(3), create_graph=True)
        (h.sum() + hv.sum()).backward()
        res[lib] = x.grad
    assert_same(res[numtorch], res[torch])
    assert np.all(np.isfinite(res[numtorch].numpy()))
