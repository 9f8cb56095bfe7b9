"""Custom autograd Functions against torch: ctx API, graph wiring, errors, double backward."""
import re
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, lib_of, need_torch


def _norm(x):
    """Make a scenario's record comparable across libraries."""
    if isinstance(x, str):
        return re.sub(r"0x[0-9a-f]+", "0x", x).replace("numtorch", "torch")
    if isinstance(x, (list, tuple)):
        return type(x)(_norm(v) for v in x)
    return x


def _run(scenario, name):
    lib = lib_of(name)
    rec = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            scenario(lib, rec)
        except Exception as e:
            rec.append((type(e).__name__, str(e)))
    rec.append([str(x.message) for x in w])
    return rec


def both(scenario):
    need_torch()
    t, n = _run(scenario, "torch"), _run(scenario, "numtorch")
    assert len(t) == len(n), f"numtorch {n} vs torch {t}"
    for a, b in zip(n, t):
        _compare(a, b)


def _compare(a, b):
    if hasattr(b, "dtype"):
        assert_same(a, b)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        _compare(list(a.values()), list(b.values()))
    elif isinstance(b, (list, tuple)):
        assert isinstance(a, (list, tuple)) and len(a) == len(b), f"{a} vs {b}"
        for x, y in zip(a, b):
            _compare(x, y)
    else:
        assert _norm(a) == _norm(b)


def _classes(lib):
    class Mul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.save_for_backward(x, w)
            ctx.k = k
            return x * w * k

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return g * w * ctx.k, None, g * x * ctx.k

    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            r, = ctx.saved_tensors
            return g * r

    return Mul, Exp


def _x(lib, requires_grad=True):
    return lib.tensor([0.5, -1.0, 2.0], requires_grad=requires_grad)


def test_basic_forward_backward():
    def s(lib, rec):
        Mul, _ = _classes(lib)
        x, w = _x(lib), lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = Mul.apply(x, 2, w)
        rec += [y, y.grad_fn.name(), type(y.grad_fn).__name__, repr(y.grad_fn).split(" ")[0]]
        rec += [y.grad_fn.needs_input_grad, y.grad_fn.k, [n.name() for n, _ in y.grad_fn.next_functions]]
        rec += [y.grad_fn.next_functions[0][0].variable is x, y.is_leaf, y.requires_grad]
        y.sum().backward()
        rec += [x.grad, w.grad, y.grad_fn.k]
        y.grad_fn.saved_tensors
    both(s)


def test_ctx_in_forward_and_saved_identity():
    def s(lib, rec):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                rec.append((ctx.needs_input_grad, lib.is_grad_enabled()))
                ctx.save_for_backward(x, None)
                return x * k

            @staticmethod
            def backward(ctx, g):
                x, none = ctx.saved_tensors
                rec.append((x is X, none, lib.is_grad_enabled()))
                return g * 2, None
        X = _x(lib)
        y = F.apply(X, 2.0)
        rec.append(y.grad_fn.saved_tensors[0] is X)
        y.backward(lib.ones(3))
        rec.append(X.grad)
        with lib.no_grad():
            rec.append(F.apply(X, 3).grad_fn)
        rec.append(F.apply(_x(lib, False), 3).requires_grad)
    both(s)


def test_saved_output_and_version_errors():
    def s(lib, rec):
        _, Exp = _classes(lib)
        x = _x(lib)
        y = Exp.apply(x)
        y.sum().backward(retain_graph=True)
        rec.append(x.grad)
        y.mul_(2)
        y.sum().backward()
    both(s)


def test_saved_input_modified():
    def s(lib, rec):
        Mul, _ = _classes(lib)
        x2 = _x(lib) * 1
        y = Mul.apply(x2, 2, lib.ones(3))
        x2.add_(1)
        y.sum().backward()
    both(s)


def test_freed_after_backward():
    def s(lib, rec):
        Mul, _ = _classes(lib)
        x = _x(lib)
        y = Mul.apply(x, 2, lib.ones(3))
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        rec.append(x.grad)
        y.sum().backward()
    both(s)


def _bad(lib, ret, nargs=1):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, *rest):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return ret(lib, g)
    return Bad


BAD_GRADS = [
    ("too_few", lambda lib, g: g, 2),
    ("extra_none", lambda lib, g: (g, None, None), 1),
    ("too_many", lambda lib, g: (g, g), 1),
    ("bad_shape", lambda lib, g: lib.ones(4), 1),
    ("broadcast", lambda lib, g: lib.ones(2, 3, dtype=lib.float64), 1),
    ("to_scalar_shape", lambda lib, g: lib.ones(1), 1),
    ("not_tensor", lambda lib, g: 3, 1),
    ("grad_for_int", lambda lib, g: (g, g), "int"),
    ("none", lambda lib, g: None, 1),
]


@pytest.mark.parametrize("name,ret,nargs", BAD_GRADS, ids=[b[0] for b in BAD_GRADS])
def test_backward_returns(name, ret, nargs):
    def s(lib, rec):
        F = _bad(lib, ret)
        x = _x(lib)
        args = (x,) if nargs == 1 else (x, 3) if nargs == "int" else (x, lib.ones(3, requires_grad=True))
        F.apply(*args).sum().backward()
        rec.append(x.grad)
    both(s)


def test_setup_context_style():
    def s(lib, rec):
        class SC(lib.autograd.Function):
            @staticmethod
            def forward(x, k):
                rec.append(lib.is_grad_enabled())
                return x * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.k = k
                ctx.save_for_backward(x, output)
                rec.append((output.requires_grad, output.grad_fn))

            @staticmethod
            def backward(ctx, g):
                x, out = ctx.saved_tensors
                rec.append(out.requires_grad)
                return g * ctx.k, None
        x = _x(lib)
        y = SC.apply(x, 3)
        rec.append(y.grad_fn.name())
        y.sum().backward()
        rec.append(x.grad)
    both(s)


def test_mark_dirty():
    def s(lib, rec):
        class Inplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = _x(lib)
        z = x * 1
        o = Inplace.apply(z)
        rec += [o is z, z.grad_fn.name(), z._version, o]
        o.sum().backward()
        rec.append(x.grad)
        Inplace.apply(x)
    both(s)


def test_mark_dirty_view():
    def s(lib, rec):
        class Inplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(3)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 3
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        base = x * 1
        v = base[0] if False else base.select(0, 1)
        Inplace.apply(v)
        rec += [base, base.grad_fn.name()]
        base.sum().backward()
        rec.append(x.grad)
    both(s)


def test_return_input_unchanged_is_a_view():
    def s(lib, rec):
        class Id(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5
        x = _x(lib)
        y = Id.apply(x)
        rec += [y is x, y.grad_fn.name(), y._base is x, y.is_leaf]
        y.sum().backward()
        rec.append(x.grad)
        r = _x(lib, False)
        rec.append(Id.apply(r) is r)
    both(s)


def test_non_differentiable_and_materialize():
    def s(lib, rec):
        class ND(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                a, b = x * 2, (x > 0).float()
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                rec.append((ga, gb))
                return ga * 2

        class MG(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                rec.append((ga is None, gb is None))
                return gb * 3 if ga is None else ga * 2
        x = _x(lib)
        a, b = ND.apply(x)
        rec += [a.requires_grad, b.requires_grad, b.grad_fn, b.is_leaf]
        a.sum().backward()
        a, b = MG.apply(x)
        b.sum().backward()
        rec.append(x.grad)
    both(s)


def test_non_tensor_and_int_outputs():
    def s(lib, rec):
        class IntOut(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, 5, (x > 0).long()

            @staticmethod
            def backward(ctx, g, g2, g3):
                rec.extend([g, g2, g3])
                return g
        x = _x(lib)
        r = IntOut.apply(x)
        rec += [r[1], r[2].requires_grad, r[2].grad_fn, r[0].grad_fn.name()]
        r[0].sum().backward()
        rec.append(x.grad)
    both(s)


def test_save_for_backward_type_error():
    def s(lib, rec):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        F.apply(_x(lib))
    both(s)


def test_missing_backward_and_legacy():
    def s(lib, rec):
        class NoBwd(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        try:
            NoBwd.apply(_x(lib)).sum().backward()
        except Exception as e:
            rec.append((type(e).__name__, str(e)))
        NoBwd()(_x(lib))
    both(s)


def test_double_backward_through_custom_backward():
    def s(lib, rec):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 3 * x * x * g
        x = _x(lib)
        g, = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        rec += [g, g.grad_fn.name()]
        g2, = lib.autograd.grad(g.sum(), x)
        rec.append(g2)
    both(s)


def test_once_differentiable():
    def s(lib, rec):
        from importlib import import_module
        once = import_module(lib.__name__ + ".autograd.function").once_differentiable

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once
            def backward(ctx, g):
                x, = ctx.saved_tensors
                rec.append(lib.is_grad_enabled())
                return 2 * x * g
        x = _x(lib)
        g, = lib.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        rec += [g, g.requires_grad]
        go = lib.ones(3, requires_grad=True)
        g, = lib.autograd.grad(Sq.apply(x), x, go, create_graph=True)
        rec += [g, g.requires_grad, g.grad_fn.name()]
        g.sum().backward()
    both(s)


def test_gradcheck_custom_function():
    def s(lib, rec):
        Mul, Exp = _classes(lib)
        x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([2.0, 3.0], dtype=lib.float64, requires_grad=True)
        rec.append(lib.autograd.gradcheck(lambda a, b: Mul.apply(a, 2, b), (x, w)))
        rec.append(lib.autograd.gradgradcheck(Exp.apply, (x,)))
    both(s)


def test_seed_pattern_linear():
    def s(lib, rec):
        class Linear(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, w, b):
                ctx.save_for_backward(x, w)
                return x @ w.t() + b

            @staticmethod
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                gx = g @ w if ctx.needs_input_grad[0] else None
                return gx, g.t() @ x, g.sum(0)
        x = lib.tensor(np.arange(6.0).reshape(2, 3) / 7)
        w = lib.tensor(np.arange(12.0).reshape(4, 3) / 5, requires_grad=True)
        b = lib.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
        y = Linear.apply(x, w, b)
        y.sum().backward()
        rec += [y, w.grad, b.grad, x.grad, y.grad_fn.next_functions[0][0]]
    both(s)


def test_instantiation_warns():
    def s(lib, rec):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x
        F()
    both(s)


def test_exports():
    from numtorch.autograd.function import (BackwardCFunction, FunctionCtx, InplaceFunction,
                                            once_differentiable)
    assert issubclass(numtorch.autograd.Function, FunctionCtx)
    assert callable(once_differentiable) and issubclass(InplaceFunction, numtorch.autograd.Function)
    assert numtorch.autograd.function.Function is numtorch.autograd.Function
    assert issubclass(BackwardCFunction, numtorch.autograd.graph.Node)
