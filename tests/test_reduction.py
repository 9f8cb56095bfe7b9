"""sum and mean against torch: dims, keepdim, dtype=, empty and 0-d inputs, gradients, nodes."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, lib_of, need_torch, rand
from test_operators import check_grad2

CASES = ["x.sum()", "x.sum(0)", "x.sum(-1)", "x.sum((0, 1))", "x.sum([0, -1])", "x.sum(())", "x.sum([])",
         "x.sum(0, keepdim=True)", "x.sum(dim=None, keepdim=True)", "x.sum(dtype=m.float64)", "x.mean()",
         "x.mean(0)", "x.mean((0, 1), True)", "x.mean(dtype=m.float64)", "m.sum(x, 1)",
         "m.mean(x, -1, keepdim=True)",
         "x.sum(2)", "x.sum((0, 0))", "x.mean(())", "x.mean(-3)", "x.sum(dim=0)", "x.t().sum(0)",
         "x.t().mean(1)",
         "x.expand(2, *x.shape).sum(0)", "m.sum(x, 0, out=m.empty(0, dtype=x.dtype))",
         "x.sum(1, dtype=m.int32)"]
SHAPES = [(3, 4), (), (0, 3), (2, 0)]


def _data(dtype, shape):
    if dtype == "complex64":
        return (rand(*shape) + 1j * rand(*shape, seed=2)).astype(dtype)
    return np.asarray(rand(*shape, dtype=dtype))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int64", "uint8", "bool",
                                   "complex64"])
def test_sum_mean(dtype, shape):
    d = _data(dtype, shape)
    for expr in CASES:
        if (".t()" in expr or "expand" in expr) and len(shape) != 2:
            continue
        if dtype == "complex64" and ("dtype=" in expr or "out=" in expr):
            continue  # torch warns once per process about discarding the imaginary part
        grad = dtype in ("float32", "float64") and "out=" not in expr
        check(lambda m, x: eval(expr), d, grad=grad, atol=1e-3, rtol=1e-3)


def test_bfloat16_and_large():
    check(lambda m, x: (x.sum(), x.mean(1)), rand(64, 33), dtypes=["bfloat16"], grad=False, atol=0.1,
          rtol=0.02)
    check(lambda m, x: (x.sum(), x.mean(0)), rand(1000, 3), dtypes=["float16"], grad=False, atol=0.05,
          rtol=1e-2)
    check(lambda m, x: x.sum(), np.array([np.nan, 1.0, np.inf]), grad=False)


@pytest.mark.parametrize("expr", ["x.sum()", "x.sum(1)", "x.mean()", "x.mean((0, 1), keepdim=True)",
                                  "(x * x).sum(0)", "(x * x).mean(-1)"])
def test_second_order(expr):
    check_grad2(lambda m, x: eval(expr) * eval(expr), rand(3, 4, dtype="float64"))


@pytest.mark.parametrize("expr", ["x.sum()", "x.sum(0)", "x.sum(dtype=m.float64)", "x.mean()", "x.mean(1)",
                                  "x.sum(())", "x.mean([0, 1])"])
def test_node_names(expr):
    names = []
    for name in ("torch", "numtorch"):
        m = lib_of(name)
        x = m.ones(3, 4, requires_grad=True)
        fn = eval(expr).grad_fn
        names.append((fn.name(), len(fn.next_functions)))
    assert names[0] == names[1]


@pytest.mark.parametrize("expr", ["x.long().mean()", "x.sum(5)", "x.mean(-3)", "x.sum((0, -2))",
                                  "x.int().mean(0)", "x.requires_grad_().sum(dtype=m.int64)"])
def test_errors(expr):
    check_raises(lambda m, x: eval(expr), rand(3, 4))


def test_sum_to_size():
    check(lambda m, x: x.sum_to_size(3, 1), rand(3, 4))
    check(lambda m, x: x.sum_to_size((1, 4)), rand(3, 4))
    check_raises(lambda m, x: x.sum_to_size(5), rand(3, 4))


@pytest.mark.parametrize("p,dim", [("fro", [1, 2, 3]), ("nuc", None), ("nuc", 1), ("bad", (0, 1)), ("nuc", (0, 2)),
                                   ("fro", (0, 2)), ("fro", None), ("fro", 1)])
def test_norm_with_named_orders_routes_as_torch(p, dim):
    # torch.norm sends 'fro' over at most two dims to vector_norm, everything else named to matrix_norm
    x = rand(3, 2, 2, 2, seed=8)
    fn = lambda m, t: m.norm(t, p=p, dim=dim, keepdim=True)  # noqa: E731
    if p == "nuc" and dim == (0, 2) or p == "fro" and dim != [1, 2, 3]:
        check(fn, x)
    else:
        check_raises(fn, x)


_CONTIGUOUS_RESULTS = {
    "sum": lambda m, t: t.sum(1), "sum_keepdim": lambda m, t: t.sum(1, keepdim=True),
    "mean": lambda m, t: t.mean((1, 2)), "amax": lambda m, t: t.amax(2), "amin_keepdim": lambda m, t: t.amin(2, True),
    "prod": lambda m, t: t.prod(1), "std": lambda m, t: t.std(1), "var_mean": lambda m, t: m.var_mean(t, 1),
    "std_mean": lambda m, t: m.std_mean(t, 3, keepdim=True), "norm": lambda m, t: t.norm(dim=1),
    "logsumexp": lambda m, t: t.logsumexp(1), "nansum": lambda m, t: t.nansum(1),
    "any": lambda m, t: (t > 0).any(1), "all_keepdim": lambda m, t: (t > 0).all(1, keepdim=True),
    "cumsum": lambda m, t: t.cumsum(1), "cumprod": lambda m, t: t.cumprod(2),
    "logcumsumexp": lambda m, t: t.logcumsumexp(0),
    "softmax": lambda m, t: t.softmax(1), "log_softmax": lambda m, t: t.log_softmax(-1),
    "median": lambda m, t: t.median(1), "cummax": lambda m, t: t.cummax(1),
    "kthvalue": lambda m, t: t.kthvalue(2, 1), "mode": lambda m, t: t.round().mode(1),
    "max": lambda m, t: t.max(1, keepdim=True), "topk": lambda m, t: t.topk(2, 1),
    "cdist": lambda m, t: m.cdist(t, t),
}


@pytest.mark.parametrize("name", sorted(_CONTIGUOUS_RESULTS))
@pytest.mark.parametrize("layout", ["transposed", "channels_last"])
def test_results_are_contiguous_for_strided_inputs(name, layout):
    # torch allocates these results contiguous (size-1 strides too) whatever the input's layout, so that
    # e.g. x.transpose(1, 3).sum(1).view(-1) works; NumPy's results followed the input's strides
    fn = _CONTIGUOUS_RESULTS[name]

    def body(m, x):
        t = x.transpose(1, 3) if layout == "transposed" else x.contiguous(memory_format=m.channels_last)
        out = fn(m, t)
        first = out[0] if isinstance(out, tuple) else out
        return out, first.reshape(-1) if first.dim() < 2 else first.view(-1)
    check(body, rand(2, 3, 4, 5, seed=3), strides=True)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "complex64"])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dim", [0, 1])
def test_scan_accumulator_bits(op, dim, dtype):
    # torch's CPU scans accumulate float32 in double (complex float in complex double, 16-bit floats in
    # float32): values equal bit for bit
    a = (np.random.default_rng(dim).standard_normal((40, 60)) * 0.3 + 1).astype(np.float32)

    def run(lib):
        out = getattr(lib.tensor(a).to(getattr(lib, dtype)), op)(dim)
        return out.numpy() if dtype == "complex64" else out.double().numpy()
    assert np.array_equal(run(numtorch), run(need_torch()))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim,keepdim", [(1, False), (0, True), (-1, True)])
def test_prod_grad_bits(dim, keepdim, dtype):
    # without zeros torch's derivative is grad * (result / input)
    a = (np.random.default_rng(3).standard_normal((6, 10)) * 0.8 + 0.3).astype(np.float32)

    def grad(lib):
        x = lib.tensor(a).to(getattr(lib, dtype)).requires_grad_()
        p = x.prod(dim, keepdim=keepdim)
        p.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(p.shape))).to(p.dtype))
        return x.grad.double().numpy()
    assert np.array_equal(grad(numtorch), grad(need_torch()))


@pytest.mark.parametrize("dim,correction", [(1, 1), (0, 0), ((0, 2), 1), (None, 2)])
def test_var_grad_bits(dim, correction):
    # torch's order (2 / dof) * grad * (x - mean), on data whose sums are exact in any order (so the means
    # agree whatever the summation order): the derivative equals torch's bit for bit
    a = np.random.default_rng(5).integers(-64, 64, (6, 8, 5)) / 8

    def grad(lib):
        x = lib.tensor(a).requires_grad_()
        v = x.var(dim, correction=correction) if dim is not None else x.var(correction=correction)
        v.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(v.shape))))
        return x.grad.numpy()
    assert np.array_equal(grad(numtorch), grad(need_torch()))
