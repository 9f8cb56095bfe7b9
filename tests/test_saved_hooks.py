"""autograd.graph: saved-tensor hooks, save_on_cpu, multi-grad hooks, gradient edges, versions; anomaly mode;
Function.materialize_grads. Compared against real torch."""
import warnings

import pytest

import numtorch
from conftest import assert_same, need_torch, rand

X = rand(4, seed=1, low=0.5, high=2)
Y = rand(4, seed=2)


def _libs():
    return (need_torch(), numtorch)


def _run(fn):
    """fn(lib) for torch and numtorch: both fail alike (type and message) or both return (the two results)."""
    res = {}
    for lib in _libs():
        try:
            res[lib.__name__] = ("ok", fn(lib))
        except Exception as e:  # compared below
            res[lib.__name__] = ("err", e)
    t, n = res["torch"], res["numtorch"]
    assert t[0] == n[0], f"torch {t[1]!r} / numtorch {n[1]!r}"
    if t[0] == "err":
        assert type(n[1]) is type(t[1]) and str(n[1]) == str(t[1]), f"{n[1]!r} vs {t[1]!r}"
    return n[1], t[1]


def _graph(lib):
    x = lib.tensor(X, requires_grad=True)
    y = lib.tensor(Y, requires_grad=True)
    return x, y, ((x.exp() * y).sin() + x.log() * y.tanh()).sum()


def test_pack_and_unpack_counts_and_grads():
    def fn(lib):
        log = []

        def pack(t):
            log.append(("pack", tuple(t.shape), t.requires_grad, lib.is_grad_enabled()))
            return t

        def unpack(t):
            log.append("unpack")
            return t
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            x, y, out = _graph(lib)
        out.backward()
        return x.grad, y.grad, sorted(log, key=str)
    n, t = _run(fn)
    assert_same(n[:2], t[:2])
    assert n[2] == t[2]


def test_hooks_transform_saved_values():
    # The unpack result is what the derivative sees: doubling the saved tensors changes the gradient.
    def fn(lib):
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 2, lambda t: t):
            out = (x * x).sum()
        out.backward()
        return x.grad
    assert_same(*_run(fn))


def test_hooks_storing_copies_are_free_of_version_checks():
    def fn(lib):
        x = lib.tensor(X, requires_grad=True)
        a = x * 1
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            out = (a * a).sum()
        with lib.no_grad():
            a.add_(1)
        out.backward()
        return x.grad
    assert_same(*_run(fn))

    def plain(lib):
        x = lib.tensor(X, requires_grad=True)
        a = x * 1
        out = (a * a).sum()
        with lib.no_grad():
            a.add_(1)
        out.backward()
    _run(plain)


def test_hooks_only_inside_the_context_and_innermost_wins():
    def fn(lib):
        log = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: log.append("outer") or t, lambda t: t):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: log.append("inner") or t, lambda t: t):
                x, y, out = _graph(lib)
        _, _, out2 = _graph(lib)
        out.backward()
        out2.backward()
        return x.grad, sorted(log)
    n, t = _run(fn)
    assert_same(n[0], t[0])
    assert n[1] == t[1] and "outer" not in n[1]


def test_double_backward_through_hooks():
    def fn(lib):
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: (t.clone(),), lambda p: p[0]):
            y = (x.sin() * x ** 3).sum()
            (g,) = lib.autograd.grad(y, x, create_graph=True)
            (gg,) = lib.autograd.grad(g.sum(), x)
        return g, gg
    assert_same(*_run(fn))


def test_save_on_cpu():
    def fn(lib):
        with lib.autograd.graph.save_on_cpu():
            x, y, out = _graph(lib)
        out.backward()
        with lib.autograd.graph.save_on_cpu(pin_memory=True):
            z = (x.exp() * x).sum()
        gz, = lib.autograd.grad(z, x)
        return x.grad, y.grad, gz
    assert_same(*_run(fn))


def test_hook_errors():
    def bad_unpack(lib):
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: 3):
            out = (x * x).sum()
        out.backward()
    _run(bad_unpack)

    def inplace_pack(lib):
        a = lib.tensor(X, requires_grad=True) * 1
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.add_(1), lambda t: t):
            a * a
    _run(inplace_pack)

    def freed(lib):
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            out = (x * x).sum()
        out.backward()
        out.backward()
    _run(freed)


def test_disable_saved_tensors_hooks():
    def fn(lib):
        G = lib.autograd.graph
        with G.disable_saved_tensors_hooks("no hooks here"):
            with G.disable_saved_tensors_hooks("inner message"):
                pass
            with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    _run(fn)

    def outer_hooks(lib):
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with lib.autograd.graph.disable_saved_tensors_hooks("off"):
                x.exp()
    _run(outer_hooks)

    def after(lib):
        G = lib.autograd.graph
        with G.disable_saved_tensors_hooks("x"):
            pass
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            return True
    assert _run(after) == (True, True)

    def decorated(lib):
        @lib.autograd.graph.disable_saved_tensors_hooks("decorated")
        def f():
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
        f()
    _run(decorated)


def test_custom_function_saved_tensors_go_through_hooks():
    def fn(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                out = a ** 3
                ctx.save_for_backward(a, out)
                return out

            @staticmethod
            def backward(ctx, g):
                a, out = ctx.saved_tensors
                return g * 3 * out / a

        log = []
        x = lib.tensor(X, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: log.append("p") or (t * 1,),
                                                    lambda p: log.append("u") or p[0]):
            y = Cube.apply(x)
        y.sum().backward()
        return x.grad, len(log)
    n, t = _run(fn)
    assert_same(n, t)


def test_multi_grad_hook_all():
    def fn(lib):
        got = []
        x, y, _ = _graph(lib)
        a, b = x * 2, y * 3
        h = lib.autograd.graph.register_multi_grad_hook((a, b), lambda gs: got.append(
            [None if g is None else g.clone() for g in gs]))
        (a * b).sum().backward(retain_graph=True)
        a.sum().backward(retain_graph=True)   # only ``a`` is reached: the hook still fires, b's grad is None
        lib.autograd.grad((a * b).sum(), [x], retain_graph=True)
        h.remove()
        (a * b).sum().backward()
        return got
    n, t = _run(fn)
    assert len(n) == len(t) == 3
    for a, b in zip(n, t):
        assert [g is None for g in a] == [g is None for g in b]
        assert_same([g for g in a if g is not None], [g for g in b if g is not None])


def test_multi_grad_hook_any_and_errors():
    def fn(lib):
        got = []
        x, y, _ = _graph(lib)
        c = lib.tensor(Y)
        h = lib.autograd.graph.register_multi_grad_hook((x, y, c), lambda g: got.append(g.clone()),
                                                        mode="any")
        (x * y).sum().backward()
        (x * 2).sum().backward()
        h.remove()
        (x * y).sum().backward()
        return got
    n, t = _run(fn)
    assert len(n) == len(t) == 2
    _run(lambda lib: lib.autograd.graph.register_multi_grad_hook((), print, mode="some"))


def test_gradient_edge_and_increment_version():
    def fn(lib):
        G = lib.autograd.graph
        x, y, out = _graph(lib)
        e = G.get_gradient_edge(out)
        ex = G.get_gradient_edge(x)
        z = x * 2
        v0 = z._version
        G.increment_version(z)
        G.increment_version([z, x])
        return (e.node.name(), e.output_nr, e.ownership_token, ex.node.name(), ex.output_nr,
                z._version - v0, x._version, isinstance(e, tuple), len(e))
    n, t = _run(fn)
    assert n == t
    _run(lambda lib: lib.autograd.graph.get_gradient_edge(lib.tensor(X)))

    def stale(lib):
        a = lib.tensor(X, requires_grad=True) * 1
        out = (a * a).sum()
        lib.autograd.graph.increment_version(a)
        out.backward()
    _run(stale)


def test_gradient_edge_custom_function_token():
    def fn(lib):
        class Id(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a.clone()

            @staticmethod
            def backward(ctx, g):
                return g
        x = lib.tensor(X, requires_grad=True)
        e = lib.autograd.graph.get_gradient_edge(Id.apply(x))
        return e.ownership_token is not None and e.ownership_token.name() == "ViewBackward0"
    assert _run(fn) == (True, True)


def test_anomaly_mode_module_and_set_anomaly_enabled():
    def fn(lib):
        assert lib.autograd.anomaly_mode.detect_anomaly is lib.autograd.detect_anomaly
        states = []
        lib.set_anomaly_enabled(True, check_nan=False)
        states.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        lib.set_anomaly_enabled(False)
        states.append((lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()))
        return states
    assert _run(fn)[0] == _run(fn)[1]
    _run(lambda lib: lib.set_anomaly_enabled(1))
    _run(lambda lib: lib.set_anomaly_enabled(True, check_nan=0))

    def nan(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.anomaly_mode.detect_anomaly():
                ((x * 0).log() * 0).sum().backward()
    _run(nan)

    def nan_global(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        lib.set_anomaly_enabled(True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ((x / 0.0) * 0).sum().backward()
        finally:
            lib.set_anomaly_enabled(False)
    _run(nan_global)


def test_function_materialize_grads_attribute():
    assert hasattr(numtorch.autograd.Function, "materialize_grads")

    def fn(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.set_materialize_grads(False)
                return a * 2, a * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 if g2 is None else g1 * 2 + g2 * 3
        x = lib.tensor(X, requires_grad=True)
        Two.apply(x)[0].sum().backward()
        return x.grad
    assert_same(*_run(fn))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_hooks_with_dtypes_and_0d(dtype):
    def fn(lib):
        x = lib.tensor(2.5, dtype=getattr(lib, dtype), requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            y = x.exp() * x.sqrt()
        y.backward()
        return x.grad
    assert_same(*_run(fn))


def test_autograd_grad_with_gradient_edges():
    def fn(lib):
        G = lib.autograd.graph
        x = lib.tensor(X, requires_grad=True)
        a = x * 3
        e = G.get_gradient_edge(a)
        y = (a * a.sin()).sum()
        unused = G.get_gradient_edge(x * 1)
        return (lib.autograd.grad(y, e, retain_graph=True), lib.autograd.grad(y, (e, x), retain_graph=True),
                lib.autograd.grad(y, [e, G.get_gradient_edge(x)], retain_graph=True),
                lib.autograd.grad(y, unused, allow_unused=True, retain_graph=True))
    n, t = _run(fn)
    assert_same(n[:3], t[:3])
    assert n[3] == t[3] == (None,)

    def unused(lib):
        x = lib.tensor(X, requires_grad=True)
        lib.autograd.grad((x * 2).sum(), lib.autograd.graph.get_gradient_edge(x * 1))
    _run(unused)
