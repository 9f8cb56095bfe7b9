"""torch.utils.checkpoint (reentrant and not, RNG replay, checkpoint_sequential) against real torch."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch


def _ck(lib):
    import importlib
    return importlib.import_module(lib.__name__ + ".utils.checkpoint")


def _run(fn):
    """fn(lib) under torch and numtorch: both raise alike (type and message start) or both return."""
    torch = need_torch()
    res = {}
    for lib in (torch, numtorch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                res[lib] = ("ok", fn(lib), [(x.category, str(x.message)) for x in w])
            except Exception as e:  # compared below
                res[lib] = ("err", e, None)
    t, n = res[torch], res[numtorch]
    assert t[0] == n[0], f"torch {t[1]!r} / numtorch {n[1]!r}"
    if t[0] == "err":
        assert type(n[1]).__name__ == type(t[1]).__name__
        assert str(n[1]).split("\n")[0] == str(t[1]).split("\n")[0]
        return None
    assert n[2] == t[2], f"warnings {n[2]} vs {t[2]}"
    return n[1], t[1]


def _block(lib, p=0.5):
    lib.manual_seed(0)
    lin = lib.nn.Linear(5, 5)
    x = lib.randn(3, 5, requires_grad=True)

    def f(a, scale=1.0):
        return lib.nn.functional.dropout(lin(a).tanh(), p) * a * scale
    return lin, x, f


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("preserve", [True, False])
def test_dropout_block_values_grads_and_rng(reentrant, preserve):
    def fn(lib):
        lin, x, f = _block(lib)
        y = _ck(lib).checkpoint(f, x, use_reentrant=reentrant, preserve_rng_state=preserve)
        after = lib.rand(2)
        y.sum().backward()
        return y, x.grad, lin.weight.grad, lin.bias.grad, after, lib.rand(2)
    assert_same(*_run(fn), atol=1e-5)


@pytest.mark.parametrize("reentrant", [True, False])
def test_same_as_without_checkpoint(reentrant):
    # With the RNG state preserved, the recomputed dropout mask is the forward's: grads equal the plain run.
    lin, x, f = _block(numtorch)
    f(x).sum().backward()
    plain = (x.grad.clone(), lin.weight.grad.clone())
    lin, x, f = _block(numtorch)
    _ck(numtorch).checkpoint(f, x, use_reentrant=reentrant).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), plain[0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(lin.weight.grad.numpy(), plain[1].numpy(), rtol=1e-6)


def test_tuple_outputs_and_non_tensor_args():
    for reentrant in (True, False):
        def fn(lib):
            lin, x, f = _block(lib, 0.0)
            a, b = _ck(lib).checkpoint(lambda t, k, s: (f(t) * k, (t * s).exp()), x, 3, x.detach(),
                                       use_reentrant=reentrant)
            (a.sum() + b.sum() * 2).backward()
            return a, b, x.grad, lin.weight.grad
        assert_same(*_run(fn), atol=1e-5)


def test_keyword_arguments():
    def fn(lib):
        lin, x, f = _block(lib)
        y = _ck(lib).checkpoint(f, x, scale=2.0, use_reentrant=False)
        y.sum().backward()
        return y, x.grad
    assert_same(*_run(fn), atol=1e-5)
    _run(lambda lib: _ck(lib).checkpoint(_block(lib)[2], _block(lib)[1], scale=2.0, use_reentrant=True))


def test_use_reentrant_default_warns():
    def fn(lib):
        lin, x, f = _block(lib, 0.0)
        y = _ck(lib).checkpoint(f, x)
        y.sum().backward()
        return y, x.grad
    assert_same(*_run(fn), atol=1e-5)


def test_reentrant_rejects_grad_and_inputs():
    def grad(lib):
        lin, x, f = _block(lib, 0.0)
        return lib.autograd.grad(_ck(lib).checkpoint(f, x, use_reentrant=True).sum(), x)
    _run(grad)

    def inputs(lib):
        lin, x, f = _block(lib, 0.0)
        _ck(lib).checkpoint(f, x, use_reentrant=True).sum().backward(inputs=[x])
    _run(inputs)

    def nonreentrant(lib):
        lin, x, f = _block(lib, 0.0)
        return lib.autograd.grad(_ck(lib).checkpoint(f, x, use_reentrant=False).sum(), (x, lin.weight))
    assert_same(*_run(nonreentrant), atol=1e-5)


def test_argument_errors():
    lib_fn = (lambda lib: _block(lib, 0.0))
    _run(lambda lib: _ck(lib).checkpoint(lib_fn(lib)[2], lib_fn(lib)[1], use_reentrant=True,
                                         context_fn=lambda: (None, None)))
    _run(lambda lib: _ck(lib).checkpoint(lib_fn(lib)[2], lib_fn(lib)[1], use_reentrant=True, debug=True))
    _run(lambda lib: _ck(lib).checkpoint(lib_fn(lib)[2], lib_fn(lib)[1], use_reentrant=False,
                                         determinism_check="strict"))
    _run(lambda lib: _ck(lib).checkpoint_sequential([lib.nn.Tanh()], 1, lib.ones(2), use_reentrant=True,
                                                    bad=1))


def test_no_input_requires_grad():
    def fn(lib):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 3)
        y = _ck(lib).checkpoint(lin, lib.ones(2, 3), use_reentrant=True)
        return y.requires_grad
    assert _run(fn)[0] is False

    def nonre(lib):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 3)
        y = _ck(lib).checkpoint(lin, lib.ones(2, 3), use_reentrant=False)
        y.sum().backward()
        return lin.weight.grad
    assert_same(*_run(nonre))


def test_under_no_grad():
    for reentrant in (True, False):
        def fn(lib):
            lin, x, f = _block(lib)
            with lib.no_grad():
                y = _ck(lib).checkpoint(f, x, use_reentrant=reentrant)
            return y, y.requires_grad, lib.rand(1)
        assert_same(*_run(fn))


def _varying(first, second, shape=(3,), **kw):
    """A checkpointed block whose recomputation runs ``second`` where the forward ran ``first``."""
    def fn(lib):
        calls = []
        x = lib.ones(*shape, requires_grad=True)

        def f(a):
            calls.append(1)
            return (first if len(calls) == 1 else second)(a).sum()
        _ck(lib).checkpoint(f, x, use_reentrant=False, **kw).backward()
        return x.grad
    return _run(fn)


def test_nondeterministic_recompute():
    # Early stop: the recomputation ends once the forward's two saved tensors are back, so no error.
    assert_same(*_varying(lambda a: a * a, lambda a: a * a * a))
    assert _varying(lambda a: a * a * a, lambda a: a * a) is None
    assert _varying(lambda a: a * a, lambda a: a * a * a, early_stop=False) is None
    assert _varying(lambda a: a.exp(), lambda a: a[0].exp(), shape=(3, 3)) is None
    assert_same(*_varying(lambda a: a.exp(), lambda a: (a + 1).exp(), shape=(3, 3), determinism_check="none"))


def test_retain_graph_and_double_backward_nonreentrant():
    def fn(lib):
        lin, x, f = _block(lib)
        y = _ck(lib).checkpoint(f, x, use_reentrant=False).sum()
        y.backward(retain_graph=True)
        y.backward()
        g1 = x.grad.clone()
        z = _ck(lib).checkpoint(lambda a: (a.sin() * a).sum(), x, use_reentrant=False)
        (g,) = lib.autograd.grad(z, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return g1, g, gg
    assert_same(*_run(fn), atol=1e-5)


@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("segments", [1, 2, 3])
def test_checkpoint_sequential(reentrant, segments):
    def fn(lib):
        lib.manual_seed(0)
        nn = lib.nn
        model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, 6), nn.Tanh(),
                              nn.Linear(6, 2))
        x = lib.randn(5, 4, requires_grad=True)
        y = _ck(lib).checkpoint_sequential(model, segments, x, use_reentrant=reentrant)
        y.sum().backward()
        return y, x.grad, model[0].weight.grad, model[5].bias.grad, lib.rand(2)
    assert_same(*_run(fn), atol=1e-5)


def test_checkpoint_sequential_list_and_warning():
    def fn(lib):
        lib.manual_seed(1)
        layers = [lib.nn.Linear(3, 3), lib.nn.Sigmoid(), lib.nn.Linear(3, 1)]
        x = lib.randn(2, 3, requires_grad=True)
        y = _ck(lib).checkpoint_sequential(layers, 2, x)
        y.sum().backward()
        return y, x.grad
    assert_same(*_run(fn), atol=1e-5)


def test_helpers():
    def fn(lib):
        ck = _ck(lib)
        x = lib.ones(2, requires_grad=True)
        d = ck.detach_variable((x, 3, lib.ones(1)))
        a, b = ck.noop_context_fn()
        with a, b:
            pass
        return d[0].requires_grad, d[0].grad_fn is None, d[1], d[2].requires_grad, issubclass(
            ck.CheckpointError, RuntimeError)
    n, t = _run(fn)
    assert n == t
    _run(lambda lib: _ck(lib).detach_variable([lib.ones(1)]))
    _run(lambda lib: _ck(lib).check_backward_validity([lib.ones(1), 2]))


@pytest.mark.parametrize("reentrant", [True, False])
def test_autocast_state_replayed_in_recomputation(reentrant):
    def fn(lib):
        lib.manual_seed(0)
        lin = lib.nn.Linear(4, 3)
        x = lib.randn(2, 4, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.bfloat16):
            y = _ck(lib).checkpoint(lin, x, use_reentrant=reentrant)
        y.float().sum().backward()
        return y, x.grad, lin.weight.grad
    assert_same(*_run(fn), atol=1e-2, rtol=1e-2)
