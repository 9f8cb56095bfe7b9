"""torch.func transforms (vmap, grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian) against real torch."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))
V = RNG.standard_normal(4)
W = RNG.standard_normal((4, 2))


def _tree_same(n, t, strides=False):
    torch = need_torch()
    if isinstance(t, dict):
        assert isinstance(n, dict) and list(n) == list(t)
        for k in t:
            _tree_same(n[k], t[k], strides)
    elif isinstance(t, (tuple, list)):
        assert type(n) is type(t) and len(n) == len(t)
        for a, b in zip(n, t):
            _tree_same(a, b, strides)
    elif isinstance(t, torch.Tensor):
        assert_same(n, t, atol=1e-10, rtol=1e-9, strides=strides)
        assert n.requires_grad == t.requires_grad
    else:
        assert n == t


def _both(fn, *data, strides=False, grad=False):
    """fn(lib, *tensors) under torch and numtorch (float64 tensors): the same exception (type and text) or
    the same results (values, dtypes, shapes, requires_grad, pytree structure)."""
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        ins = [lib.tensor(d, dtype=lib.float64, requires_grad=grad) for d in data]
        try:
            out[lib] = ("ok", fn(lib, *ins))
        except Exception as e:  # compared below
            out[lib] = ("err", e)
    t, n = out[torch], out[numtorch]
    assert t[0] == n[0], f"torch {t[1]!r} / numtorch {n[1]!r}"
    if t[0] == "err":
        assert type(n[1]) is type(t[1]) and str(n[1]) == str(t[1]), f"{n[1]!r} vs {t[1]!r}"
        return None
    _tree_same(n[1], t[1], strides)
    return n[1], t[1]


# ---------------------------------------------------------------------------------------------- vmap

VMAP_CASES = {
    "sum": lambda lib, x, y: lib.vmap(lib.sum)(x),
    "in_dims=1": lambda lib, x, y: lib.vmap(lib.sum, in_dims=1)(x),
    "in_dims=-1": lambda lib, x, y: lib.vmap(lambda a: a * 2, in_dims=-1)(x),
    "two inputs": lambda lib, x, y: lib.vmap(lambda a, b: a * b + 1)(x, y),
    "unmapped input": lambda lib, x, y: lib.vmap(lambda a, b: a @ b, in_dims=(0, None))(x, y[0]),
    "mixed dims": lambda lib, x, y: lib.vmap(lambda a, b: a - b, in_dims=(1, 1))(x, y),
    "out_dims=1": lambda lib, x, y: lib.vmap(lambda a: a * 2, out_dims=1)(x),
    "out_dims=-1": lambda lib, x, y: lib.vmap(lambda a: a.outer(a), out_dims=-1)(x),
    "tuple out": lambda lib, x, y: lib.vmap(lambda a: (a.sum(), a.max()), out_dims=(0, 0))(x),
    "tuple out one dim": lambda lib, x, y: lib.vmap(lambda a: (a.sum(), a * 3), out_dims=1)(x[:, :, None]
                                                                                        .expand(3, 4, 2)),
    "dict in": lambda lib, x, y: lib.vmap(lambda d: d["a"] + d["b"])({"a": x, "b": y}),
    "dict in dims": lambda lib, x, y: lib.vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": x, "b": y[0]}),
    "list in": lambda lib, x, y: lib.vmap(lambda l: l[0] * l[1])([x, y]),
    "dict out": lambda lib, x, y: lib.vmap(lambda a: {"s": a.sum(), "d": a * 2})(x),
    "kwargs unmapped": lambda lib, x, y: lib.vmap(lambda a, *, scale: a * scale)(x, scale=y[0]),
    "non-tensor unmapped": lambda lib, x, y: lib.vmap(lambda a, k: a * k, in_dims=(0, None))(x, 3.0),
    "nested": lambda lib, x, y: lib.vmap(lib.vmap(lambda a, b: a * b))(x, y),
    "nested inner dim": lambda lib, x, y: lib.vmap(lib.vmap(lambda a: a.exp(), in_dims=0), in_dims=1)(x),
    "constant out": lambda lib, x, y: lib.vmap(lambda a: lib.ones(2, dtype=lib.float64))(x),
    "None out dim": lambda lib, x, y: lib.vmap(lambda a: (a * 2, lib.ones(2)), out_dims=(0, None))(x),
    "None out non-tensor": lambda lib, x, y: lib.vmap(lambda a: (a, 3), out_dims=(0, None))(x),
    "matmul": lambda lib, x, y: lib.vmap(lib.matmul, in_dims=(0, None))(x, y.t()),
    "empty batch": lambda lib, x, y: lib.vmap(lambda a: a * 2)(x[:0]),
    "empty batch dim1": lambda lib, x, y: lib.vmap(lambda a: a.sum(), in_dims=1)(x[:, :0]),
    "0-d slices": lambda lib, x, y: lib.vmap(lambda a: a * a)(x[0]),
    "backward through": lambda lib, x, y: lib.autograd.grad(
        lib.vmap(lambda a, b: (a * b).sum())(x, y).sum(), x),
    # errors
    "in_dims list": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=[0])(x),
    "in_dims float": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=0.5)(x),
    "in_dims None": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=None)(x),
    "in_dims tuple float": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=(0.5,))(x),
    "in_dims structure": lambda lib, x, y: lib.vmap(lambda a, b: a + b, in_dims=(0,))(x, y),
    "non-tensor mapped": lambda lib, x, y: lib.vmap(lambda a, b: a, in_dims=(0, 0))(x, 1.0),
    "None mapped": lambda lib, x, y: lib.vmap(lambda a, b: a)(x, None),
    "in_dim out of range": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=2)(x),
    "0-d mapped": lambda lib, x, y: lib.vmap(lambda a: a)(x[0, 0]),
    "sizes differ": lambda lib, x, y: lib.vmap(lambda a, b: a + b)(x, y.t()),
    "nothing mapped": lambda lib, x, y: lib.vmap(lambda a: a, in_dims=(None,))(x),
    "no inputs": lambda lib, x, y: lib.vmap(lambda: 1)(),
    "returns int": lambda lib, x, y: lib.vmap(lambda a: 3)(x),
    "returns None": lambda lib, x, y: lib.vmap(lambda a: None)(x),
    "batched with None out": lambda lib, x, y: lib.vmap(lambda a: a, out_dims=None)(x),
    "out_dims structure": lambda lib, x, y: lib.vmap(lambda a: a, out_dims=(0, 0))(x),
    "out_dim out of range": lambda lib, x, y: lib.vmap(lambda a: a, out_dims=2)(x),
    "randomness name": lambda lib, x, y: lib.vmap(lambda a: a, randomness="foo"),
    "chunk_size": lambda lib, x, y: lib.vmap(lambda a: a, chunk_size=0),
    "random in error mode": lambda lib, x, y: lib.vmap(lambda a: a + lib.rand(4))(x),
    "dropout in error mode": lambda lib, x, y: lib.vmap(lambda a: lib.nn.functional.dropout(a, 0.5))(x),
    "eval dropout": lambda lib, x, y: lib.vmap(lambda a: lib.nn.functional.dropout(a, 0.5, training=False))(x),
}


@pytest.mark.parametrize("case", list(VMAP_CASES))
def test_vmap(case):
    _both(VMAP_CASES[case], X, Y)


def test_vmap_out_dims_strides():
    # torch moves the batch dim of a row-major stacked result: a transposed layout
    _both(lambda lib, x: lib.vmap(lambda a: a * 2, out_dims=1)(x), X, strides=True)


@pytest.mark.parametrize("randomness", ["same", "different"])
@pytest.mark.parametrize("draw", ["rand", "randn", "randint", "dropout"])
def test_vmap_randomness(randomness, draw):
    def fn(lib, x):
        lib.manual_seed(0)
        ops = {"rand": lambda a: a + lib.rand(4, dtype=lib.float64),
               "randn": lambda a: a + lib.randn(4, dtype=lib.float64),
               "randint": lambda a: a + lib.randint(0, 10, (4,)),
               "dropout": lambda a: lib.nn.functional.dropout(a, 0.5)}
        out = lib.vmap(ops[draw], randomness=randomness)(x)
        return out, lib.rand(2, dtype=lib.float64)  # and where the generator was left
    _both(fn, X)


def test_vmap_keeps_function_name():
    def my_function(a):
        return a
    assert numtorch.vmap(my_function).__name__ == "my_function"
    assert numtorch.func.vmap is numtorch.vmap


def test_vmap_per_sample_gradients():
    # the functorch recipe: per-sample gradients of a module's loss via functional_call
    torch = need_torch()
    res = {}
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        model = lib.nn.Linear(4, 2).double()
        params = {k: v.detach() for k, v in model.named_parameters()}
        x, y = lib.tensor(X), lib.tensor(Y[:, :2])

        def loss(p, xi, yi):
            out = lib.func.functional_call(model, p, (xi.unsqueeze(0),))
            return lib.nn.functional.mse_loss(out, yi.unsqueeze(0))
        res[lib] = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)
    _tree_same(res[numtorch], res[torch])


# ------------------------------------------------------------------------------------- grad & value

GRAD_CASES = {
    "grad": lambda lib, x, y: lib.func.grad(lambda a: (a ** 2).sum())(x),
    "grad argnums=1": lambda lib, x, y: lib.func.grad(lambda a, b: (a * b.sin()).sum(), argnums=1)(x, y),
    "grad argnums=-1": lambda lib, x, y: lib.func.grad(lambda a, b: (a * b).sum(), argnums=-1)(x, y),
    "grad argnums tuple": lambda lib, x, y: lib.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, y),
    "grad argnums (0,)": lambda lib, x, y: lib.func.grad(lambda a: a.exp().sum(), argnums=(0,))(x),
    "grad dict arg": lambda lib, x, y: lib.func.grad(lambda d: (d["a"] * d["b"]).sum())({"a": x, "b": y}),
    "grad kwargs": lambda lib, x, y: lib.func.grad(lambda a, *, k: (a * k).sum())(x, k=y),
    "grad has_aux": lambda lib, x, y: lib.func.grad(lambda a: ((a ** 2).sum(), a * 2), has_aux=True)(x),
    "grad has_aux dict": lambda lib, x, y: lib.func.grad(lambda a: (a.sum(), {"m": a.mean()}), has_aux=True)(x),
    "grad unused input": lambda lib, x, y: lib.func.grad(lambda a, b: (a ** 2).sum(), argnums=(0, 1))(x, y),
    "grad constant": lambda lib, x, y: lib.func.grad(lambda a: lib.ones((), dtype=lib.float64))(x),
    "grad detached": lambda lib, x, y: lib.func.grad(lambda a: (a.detach() ** 2).sum())(x),
    "second derivative": lambda lib, x, y: lib.func.grad(lib.func.grad(lambda a: (a ** 3).sum()))(x[0, 0]),
    "third derivative": lambda lib, x, y: lib.func.grad(lib.func.grad(lib.func.grad(lambda a: a.sin())))(
        x[0, 0]),
    "grad_and_value": lambda lib, x, y: lib.func.grad_and_value(lambda a: (a ** 2).sum())(x),
    "grad_and_value aux": lambda lib, x, y: lib.func.grad_and_value(lambda a: (a.sum(), a.max()),
                                                                    has_aux=True)(x),
    "vmap of grad": lambda lib, x, y: lib.vmap(lib.func.grad(lambda a, b: (a * b).sum().tanh()))(x, y),
    "grad of vmap": lambda lib, x, y: lib.func.grad(lambda a: lib.vmap(lambda r: r.norm())(a).sum())(x),
    # errors
    "not scalar": lambda lib, x, y: lib.func.grad(lambda a: a ** 2)(x),
    "not tensor": lambda lib, x, y: lib.func.grad(lambda a: 3)(x),
    "argnum range": lambda lib, x, y: lib.func.grad(lambda a: a.sum(), argnums=1)(x),
    "argnums float": lambda lib, x, y: lib.func.grad(lambda a: a.sum(), argnums=1.5)(x),
    "argnums empty": lambda lib, x, y: lib.func.grad(lambda a: a.sum(), argnums=())(x),
    "argnums repeated": lambda lib, x, y: lib.func.grad(lambda a: a.sum(), argnums=(0, 0))(x),
    "aux not tuple": lambda lib, x, y: lib.func.grad(lambda a: a.sum(), has_aux=True)(x),
    "aux tuple of one": lambda lib, x, y: lib.func.grad(lambda a: (a.sum(),), has_aux=True)(x),
    "aux not tensor": lambda lib, x, y: lib.func.grad(lambda a: (a.sum(), 3), has_aux=True)(x),
    "float arg": lambda lib, x, y: lib.func.grad(lambda a: a)(3.0),
    "integer arg": lambda lib, x, y: lib.func.grad(lambda a: a.sum())(lib.arange(3)),
}


@pytest.mark.parametrize("case", list(GRAD_CASES))
def test_grad(case):
    _both(GRAD_CASES[case], X, Y)


def test_grad_stays_attached_to_tracked_inputs():
    # an input (or a captured tensor) that already requires grad keeps the result differentiable
    def fn(lib, x, y):
        g = lib.func.grad(lambda a: (a ** 3 * y).sum())(x)
        second = lib.autograd.grad(g.sum(), (x, y))
        return g, second
    _both(fn, X, Y, grad=True)

    def captured(lib, x, y):
        w = y.detach().requires_grad_(True)
        g = lib.func.grad(lambda a: (a.sin() * w).sum())(x.detach())
        return g, lib.autograd.grad(g.sum(), w)
    _both(captured, X, Y, grad=True)


def test_grad_under_no_grad():
    _both(lambda lib, x, y: (lib.no_grad()(lib.func.grad(lambda a: (a * y).sum())))(x), X, Y, grad=True)


# ------------------------------------------------------------------------------------------- vjp/jvp

def _vjp(lib, x, y):
    out, fn = lib.func.vjp(lambda a, b: (a * b, a.exp()), x, y)
    return out, fn((lib.ones_like(x), y)), fn((x, x))


def _vjp_aux(lib, x, y):
    out, fn, aux = lib.func.vjp(lambda a: (a.sin(), a.sum()), x, has_aux=True)
    return out, fn(y), aux


VJP_CASES = {
    "vjp": _vjp,
    "vjp aux": _vjp_aux,
    "vjp dict": lambda lib, x, y: lib.func.vjp(lambda d: d["a"] * 2, {"a": x})[1](y),
    "vjp tracked": lambda lib, x, y: lib.func.vjp(lambda a: a ** 2, x.detach().requires_grad_(True))[0],
    "vjp structure": lambda lib, x, y: lib.func.vjp(lambda a: a * 2, x)[1]([x]),
    "vjp shape": lambda lib, x, y: lib.func.vjp(lambda a: a * 2, x)[1](y[0]),
    "vjp non-tensor out": lambda lib, x, y: lib.func.vjp(lambda a: 3, x),
    "vjp non-tensor in": lambda lib, x, y: lib.func.vjp(lambda a: a, 3.0),
    "jvp": lambda lib, x, y: lib.func.jvp(lambda a, b: (a * b).sin(), (x, y), (y, x)),
    "jvp list": lambda lib, x, y: lib.func.jvp(lambda a: a.exp(), [x], [y]),
    "jvp tangents not tuple": lambda lib, x, y: lib.func.jvp(lambda a: a.exp(), (x,), y),
    "vjp structure nested": lambda lib, x, y: lib.func.vjp(lambda a: (a, {"k": a}), x)[1](((x,), {"k": x})),
    "jvp tuple out": lambda lib, x, y: lib.func.jvp(lambda a: (a.cos(), a.sum()), (x,), (y,)),
    "jvp aux": lambda lib, x, y: lib.func.jvp(lambda a: (a * 3, a.sum()), (x,), (y,), has_aux=True),
    "jvp matmul": lambda lib, x, y: lib.func.jvp(lambda a: a @ a.t(), (x,), (y,)),
    "jvp constant": lambda lib, x, y: lib.func.jvp(lambda a: lib.ones(3, dtype=lib.float64), (x,), (y,)),
    "jvp strict": lambda lib, x, y: lib.func.jvp(lambda a: a * 2, (x,), (y,), strict=True),
    "jvp primals not tuple": lambda lib, x, y: lib.func.jvp(lambda a: a, x, (y,)),
    "jvp structure": lambda lib, x, y: lib.func.jvp(lambda a: a, (x,), (y, y)),
    "jvp tuple vs list": lambda lib, x, y: lib.func.jvp(lambda a: a, (x,), [y]),
    "jvp size": lambda lib, x, y: lib.func.jvp(lambda a: a, (x,), (y[:2],)),
    "jvp empty": lambda lib, x, y: lib.func.jvp(lambda: 1, (), ()),
    "jvp non-tensor primal": lambda lib, x, y: lib.func.jvp(lambda a: a, (3.0,), (y,)),
    "jvp non-tensor out": lambda lib, x, y: lib.func.jvp(lambda a: 3, (x,), (y,)),
}


@pytest.mark.parametrize("case", list(VJP_CASES))
def test_vjp_jvp(case):
    _both(VJP_CASES[case], X, Y)


# ------------------------------------------------------------------------------------- Jacobians

def _model(lib, a, b):
    return (a @ b).tanh()


JAC_CASES = {
    "jacrev": lambda lib, x, w: lib.func.jacrev(lambda a: a.sin())(x[0]),
    "jacfwd": lambda lib, x, w: lib.func.jacfwd(lambda a: a.sin())(x[0]),
    "jacrev matrix": lambda lib, x, w: lib.func.jacrev(lambda a: _model(lib, a, w))(x),
    "jacfwd matrix": lambda lib, x, w: lib.func.jacfwd(lambda a: _model(lib, a, w))(x),
    "jacrev argnums": lambda lib, x, w: lib.func.jacrev(lambda a, b: _model(lib, a, b), argnums=(0, 1))(x, w),
    "jacfwd argnums": lambda lib, x, w: lib.func.jacfwd(lambda a, b: _model(lib, a, b), argnums=(0, 1))(x, w),
    "jacrev argnums=1": lambda lib, x, w: lib.func.jacrev(lambda a, b: _model(lib, a, b), argnums=1)(x, w),
    "jacrev tuple out": lambda lib, x, w: lib.func.jacrev(lambda a: (a.sum(), a * 2))(x[0]),
    "jacfwd dict out": lambda lib, x, w: lib.func.jacfwd(lambda a: {"s": a.sum(), "e": a.exp()})(x[0]),
    "jacrev aux": lambda lib, x, w: lib.func.jacrev(lambda a: (a.exp(), a.sum()), has_aux=True)(x[0]),
    "jacfwd aux": lambda lib, x, w: lib.func.jacfwd(lambda a: (a.exp(), a.sum()), has_aux=True)(x[0]),
    "jacrev scalar": lambda lib, x, w: lib.func.jacrev(lambda a: a ** 3)(x[0, 0]),
    "jacfwd scalar in": lambda lib, x, w: lib.func.jacfwd(lambda a: a * x[0])(x[0, 0]),
    "jacrev independent": lambda lib, x, w: lib.func.jacrev(lambda a, b: a * 2, argnums=(0, 1))(x[0], w),
    "jacrev empty out": lambda lib, x, w: lib.func.jacrev(lambda a: a[:0])(x[0]),
    "hessian": lambda lib, x, w: lib.func.hessian(lambda a: (a.sin() * a).sum())(x[0]),
    "hessian matrix": lambda lib, x, w: lib.func.hessian(lambda a: _model(lib, a, w).sum())(x),
    "hessian argnums": lambda lib, x, w: lib.func.hessian(lambda a, b: _model(lib, a, b).sum(),
                                                          argnums=(0, 1))(x[:1], w),
    "jacrev of jacrev": lambda lib, x, w: lib.func.jacrev(lib.func.jacrev(lambda a: a.exp().prod()))(x[0]),
    "vmap of jacrev": lambda lib, x, w: lib.vmap(lib.func.jacrev(lambda a: a.sin() * a.sum()))(x),
    "jacrev non-tensor": lambda lib, x, w: lib.func.jacrev(lambda a: 3)(x),
    "jacfwd non-tensor": lambda lib, x, w: lib.func.jacfwd(lambda a: (a, 3))(x),
    "jacrev chunk_size": lambda lib, x, w: lib.func.jacrev(lambda a: a, chunk_size=0),
}


@pytest.mark.parametrize("case", list(JAC_CASES))
def test_jacobians(case):
    _both(JAC_CASES[case], X, W)


def test_jacrev_signs_of_zero():
    # rows are e_i * cos(x), columns cos(x) * e_j: the two modes put -0.0 in different places, as in torch
    for api in ("jacrev", "jacfwd"):
        n, t = _both(lambda lib, a: getattr(lib.func, api)(lambda v: v.sin())(a), np.array([-2.0, 1.0]))
        assert np.array_equal(np.signbit(n.numpy()), np.signbit(t.numpy()))
