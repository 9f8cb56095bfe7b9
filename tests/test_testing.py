"""torch.testing.assert_close / assert_allclose / make_tensor against real torch."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch

INF, NAN = float("inf"), float("nan")

# (actual, expected, kwargs) written as source evaluated with ``t`` bound to torch or numtorch
CASES = [
    ("t.tensor([1., 2, 3])", "t.tensor([1., 2.5, 4])", {}),
    ("t.tensor([1., 2, 3])", "t.tensor([1., 2, 3 + 1e-6])", {}),
    ("t.tensor([1, 2, 3])", "t.tensor([1, 2, 4])", {}),
    ("t.tensor(1.)", "t.tensor(1.1)", {}),
    ("t.tensor(5)", "t.tensor(6)", {}),
    ("t.tensor([1., 2])", "t.tensor([1., 2], dtype=t.float64)", {}),
    ("t.tensor([1., 2])", "t.tensor([1., 2], dtype=t.float64)", {"check_dtype": False}),
    ("t.tensor([1.0])", "t.tensor([1.0001])", {"check_dtype": False}),
    ("t.tensor([1., 2.])", "t.tensor([1, 2])", {"check_dtype": False}),
    ("t.tensor([1., 2])", "t.tensor([1., 2, 3])", {}),
    ("t.tensor([NAN])", "t.tensor([NAN])", {}),
    ("t.tensor([NAN, 1.])", "t.tensor([NAN, 1.])", {"equal_nan": True}),
    ("t.tensor([1., INF])", "t.tensor([1., INF])", {}),
    ("t.tensor([1., INF])", "t.tensor([1., -INF])", {}),
    ("t.tensor([1., 2])", "t.tensor([0., 0])", {}),
    ("t.tensor([[1., 2], [3, 4]])", "t.tensor([[1., 2], [3, 5]])", {}),
    ("t.zeros(2, 3, 4)", "t.zeros(2, 3, 4).index_fill(1, t.tensor([2]), 1.)", {}),
    ("t.tensor([1 + 1j])", "t.tensor([1 + 2j])", {}),
    ("t.tensor([True, False])", "t.tensor([True, True])", {}),
    ("t.tensor([1, 2], dtype=t.uint8)", "t.tensor([1, 5], dtype=t.uint8)", {}),
    ("t.tensor([1, 2], dtype=t.int32)", "t.tensor([1, 2])", {}),
    ("t.tensor([1., 2], dtype=t.bfloat16)", "t.tensor([1., 2.01], dtype=t.bfloat16)", {}),
    ("t.tensor([1., 2], dtype=t.float16)", "t.tensor([1., 2.01], dtype=t.float16)", {}),
    ("t.tensor([], dtype=t.float32)", "t.tensor([])", {}),
    ("t.ones(4)[::2]", "t.ones(2)", {"check_stride": True}),
    ("t.ones(4)[::2]", "t.ones(2)", {}),
    ("t.ones(2, requires_grad=True)", "t.ones(2)", {}),
    ("t.ones(2)", "t.ones(2)", {"rtol": 0}),
    ("t.ones(2)", "t.ones(2)", {"atol": 1e-3}),
    ("t.tensor([1.])", "t.tensor([1.2])", {"rtol": 0.5, "atol": 0.}),
    ("t.tensor([1.])", "t.tensor([1.2])", {"rtol": 0., "atol": 0.}),
    ("t.tensor([1., 2])", "t.tensor([1., 3])", {"msg": "custom"}),
    ("t.tensor([1., 2])", "t.tensor([1., 3])", {"msg": lambda m: "X" + m}),
    ("t.ones(2)", "[1., 1.]", {}),
    ("t.ones(2)", "'a'", {}),
    ("'a'", "'a'", {}),
    ("t.ones(())", "1.0", {}),
    ("np.ones(2)", "np.ones(2)", {}),
    ("np.ones(2)", "np.array([1., 2.])", {}),
    ("np.ones(2)", "t.ones(2, dtype=t.float64)", {}),
    ("1.0", "1.0 + 1e-9", {}),
    ("1", "2", {}),
    ("1.0", "1", {}),
    ("1.0", "1", {"check_dtype": False}),
    ("2", "2.0", {}),
    ("1 + 1j", "1 + 2j", {}),
    ("NAN", "NAN", {}),
    ("NAN", "NAN", {"equal_nan": True}),
    ("INF", "INF", {}),
    ("np.float32(1.5)", "1.5", {}),
    ("True", "False", {}),
    ("True", "True", {}),
    ("None", "None", {}),
    ("None", "1", {}),
    ("[t.ones(2), 1]", "[t.ones(2), 2]", {}),
    ("(1, 2)", "[1, 2]", {}),
    ("[1, 2]", "[1]", {}),
    ("[[1, 2], {'a': 1}]", "[[1, 2], {'a': 2}]", {}),
    ("{'a': t.ones(2)}", "{'a': t.zeros(2)}", {}),
    ("{'a': t.ones(2)}", "{'b': t.zeros(2)}", {}),
    ("{'a': 1, 'c': 2}", "{'b': 1, 'c': 2}", {}),
    ("{'a': 1}", "{'a': 1, 'b': 2}", {}),
    ("[t.ones(1), 5]", "[t.zeros(1), [1]]", {}),
    ("[t.ones(2), 1]", "[t.ones(2), 1]", {"rtol": 1e-3}),
]


def _run(lib, a, e, kwargs, fn="assert_close"):
    env = {"t": lib, "np": np, "NAN": NAN, "INF": INF}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            getattr(lib.testing, fn)(eval(a, env), eval(e, env), **kwargs)
            err = None
        except Exception as ex:  # compared below
            err = ex
    return err, [(x.category, str(x.message)) for x in w]


@pytest.mark.parametrize("a,e,kwargs", CASES)
def test_assert_close(a, e, kwargs):
    torch = need_torch()
    (te, tw), (ne, nw) = _run(torch, a, e, kwargs), _run(numtorch, a, e, kwargs)
    assert type(ne) is type(te), f"numtorch {type(ne).__name__}: {ne} / torch {type(te).__name__}: {te}"
    if te is not None:
        assert str(ne).replace("numtorch", "torch") == str(te).replace("torch", "torch")
    assert nw == tw


ALLCLOSE = [
    ("t.tensor([1., 2])", "t.tensor([1., 2])", {}),
    ("t.tensor([1., 2])", "[1., 3]", {}),
    ("[1.0, 2.0]", "[1.0, 2.0]", {}),
    ("1.0", "1.1", {}),
    ("t.tensor([1, 2])", "t.tensor([1., 2.])", {}),
    ("t.tensor([1.])", "t.tensor([1.00005])", {}),
    ("t.tensor([1.], dtype=t.float64)", "t.tensor([1.00005], dtype=t.float64)", {}),
    ("t.tensor([NAN])", "t.tensor([NAN])", {}),
    ("t.tensor([1.])", "t.tensor([1.2])", {"rtol": 0.5, "atol": 0}),
    ("t.tensor([1.])", "t.tensor([1.2])", {"rtol": 0.5}),
    ("t.tensor([1.])", "t.tensor([2.])", {"msg": "boom"}),
]


@pytest.mark.parametrize("a,e,kwargs", ALLCLOSE)
def test_assert_allclose_deprecated(a, e, kwargs):
    torch = need_torch()
    (te, tw), (ne, nw) = (_run(lib, a, e, kwargs, "assert_allclose") for lib in (torch, numtorch))
    assert type(ne) is type(te)
    if te is not None:
        assert str(ne) == str(te)
    assert nw == tw and tw[0][0] is FutureWarning


@pytest.mark.parametrize("shape,dtype,kw", [
    ((3, 4), "float32", {}), ((5,), "float64", {"low": -1, "high": 1}), ((2, 3), "int64", {}),
    ((4,), "uint8", {}), ((6,), "bool", {}), ((2, 2), "int32", {"low": 0, "high": 3}),
    ((3, 4), "float32", {"noncontiguous": True}), ((0, 3), "float32", {}), ((), "float64", {}),
    ((8,), "int16", {"exclude_zero": True}), ((4,), "float32", {"low": -3.5e38, "high": 3.5e38}),
    ((2, 3), "float32", {"requires_grad": True}), ((3,), "complex64", {}),
    ((3,), "float32", {"low": float("-inf"), "high": float("inf")}), ((3,), "bfloat16", {}),
])
def test_make_tensor_same_numbers(shape, dtype, kw):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(3)
        res.append(lib.testing.make_tensor(shape, dtype=getattr(lib, dtype), device="cpu", **kw))
    t, n = res
    assert str(n.dtype) == str(t.dtype) and tuple(n.shape) == tuple(t.shape)
    assert n.stride() == t.stride() and n.requires_grad == t.requires_grad
    a, b = n.detach(), t.detach()
    if dtype == "bfloat16":
        a, b = a.float(), b.float()
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("kw", [{"low": 3, "high": 1}, {"low": NAN},
                                {"dtype": "int64", "requires_grad": True},
                                {"low": 300, "high": 400, "dtype": "uint8"},
                                {"noncontiguous": True, "memory_format": "contiguous_format"}])
def test_make_tensor_errors(kw):
    torch = need_torch()
    errs = []
    for lib in (torch, numtorch):
        kw2 = dict(kw)
        kw2["dtype"] = getattr(lib, kw2.get("dtype", "float32"))
        if "memory_format" in kw2:
            kw2["memory_format"] = getattr(lib, kw2["memory_format"])
        with pytest.raises(Exception) as info:
            lib.testing.make_tensor((2, 2), device="cpu", **kw2)
        errs.append(info.value)
    assert type(errs[1]) is type(errs[0])
    assert str(errs[1]).replace("numtorch", "torch") == str(errs[0])
