"""gradcheck / gradgradcheck against torch: same verdicts, exception types, messages and warnings."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import lib_of, need_torch, rand


def _verdict(name, fn, data, dtype="float64", grad=None, **kw):
    """(result or exception type, message head, warnings) of ``gradcheck`` under one library."""
    lib = lib_of(name)
    grad = grad if grad is not None else [True] * len(data)
    ins = [lib.tensor(d, dtype=getattr(lib, dtype), requires_grad=g) for d, g in zip(data, grad)]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            check = getattr(lib.autograd, kw.pop("check", "gradcheck"))
            res = check(lambda *a: fn(lib, *a), tuple(ins), **kw)
            msg = ""
        except Exception as e:
            res, msg = type(e).__name__, str(e).split("\n")[0]
    return res, msg, [str(x.message) for x in w]


def _same(fn, *data, **kw):
    need_torch()
    t = _verdict("torch", fn, data, **dict(kw))
    n = _verdict("numtorch", fn, data, **dict(kw))
    assert n == t
    return n


GOOD = [
    ("mul", lambda m, x, y: x * y, [(3, 4), (4,)]),
    ("sin_sum", lambda m, x, y: (x * y).sin().sum(0), [(2, 3), (3,)]),
    ("exp", lambda m, x: x.exp(), [(3,)]),
    ("scalar", lambda m, x: (x * x).sum(), [()]),
    ("empty", lambda m, x: x * 2, [(0, 3)]),
    ("matmul", lambda m, x, y: x @ y, [(2, 3), (3, 2)]),
    ("transposed", lambda m, x: x.t().tanh(), [(3, 2)]),
    ("tuple_out", lambda m, x, y: (x * y, x.sigmoid()), [(3,), (3,)]),
    ("pow", lambda m, x: x.pow(3), [(4,)]),
]


@pytest.mark.parametrize("name,fn,shapes", GOOD, ids=[g[0] for g in GOOD])
@pytest.mark.parametrize("fast", [False, True])
def test_gradcheck_passes(name, fn, shapes, fast):
    data = [rand(*s, seed=i, dtype="float64") for i, s in enumerate(shapes)]
    res = _same(fn, *data, fast_mode=fast)
    assert res[0] is True or name == "empty"  # torch.tensor(empty array) has a 0 stride: both raise


@pytest.mark.parametrize("name,fn,shapes", GOOD, ids=[g[0] for g in GOOD])
def test_gradgradcheck_passes(name, fn, shapes):
    data = [rand(*s, seed=i, dtype="float64") for i, s in enumerate(shapes)]
    assert _same(fn, *data, check="gradgradcheck")[0] is not False
    if name != "empty":
        ins = tuple(numtorch.tensor(d, requires_grad=True) for d in data)
        assert numtorch.autograd.gradgradcheck(lambda *a: fn(numtorch, *a), ins, fast_mode=True)


BAD = [
    ("half_detached", lambda m, x: x * x.detach()),
    ("detached_out", lambda m, x: x.detach() * 2),
    ("wrong_scale", lambda m, x: x * 2 + x.detach()),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("raise_exception", [True, False])
@pytest.mark.parametrize("fast", [False, True])
def test_gradcheck_fails(name, fn, raise_exception, fast):
    res = _same(fn, rand(2, 3, dtype="float64"), raise_exception=raise_exception, fast_mode=fast)
    assert res[0] in (False, "GradcheckError")


def test_mismatch_message_matches_torch():
    need_torch()
    msgs = []
    for name in ("torch", "numtorch"):
        lib = lib_of(name)
        x = lib.tensor([[1., 2.], [3., 4.]], dtype=lib.float64, requires_grad=True)
        try:
            lib.autograd.gradcheck(lambda a: a * a.detach(), (x,))
        except RuntimeError as e:
            msgs.append(str(e))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_not_double_warns(dtype):
    _same(lambda m, x: x * 2, rand(3, dtype=dtype), dtype=dtype, atol=1e-1, rtol=1e-1, eps=1e-2)


def test_no_input_requires_grad():
    assert _same(lambda m, x: x * 2, rand(3), grad=[False])[0] == "ValueError"


def test_partial_requires_grad():
    assert _same(lambda m, x, y: x * y, rand(3), rand(3, seed=1), grad=[True, False])[0] is True


def test_stride_zero_input():
    need_torch()
    errs = []
    for name in ("torch", "numtorch"):
        lib = lib_of(name)
        x = lib.tensor([1.], dtype=lib.float64).expand(3).requires_grad_()
        with pytest.raises(RuntimeError) as e:
            lib.autograd.gradcheck(lambda a: a * 2, (x,))
        errs.append(str(e.value))
    assert errs[0] == errs[1]


COMPLEX_FNS = [lambda m, x: x * x.conj(), lambda m, x: (x * x).sum(),
               lambda m, x: x * m.tensor(2j, dtype=m.complex128)]


@pytest.mark.parametrize("fn", COMPLEX_FNS)
def test_complex(fn):
    need_torch()
    d = rand(3, dtype="float64") + 1j * rand(3, dtype="float64", seed=3)
    assert _same(fn, d, dtype="complex128")[0] is True


def test_complex_mismatch_message():
    need_torch()
    d = rand(2, dtype="float64") + 1j * rand(2, dtype="float64", seed=3)
    res = _same(lambda m, x: x * x.detach(), d, dtype="complex128")
    assert res[0] == "GradcheckError"


def test_non_tensor_outputs():
    assert _same(lambda m, x: (x * 3, 5), rand(2, dtype="float64"))[0] == "AttributeError"


def test_non_tensor_inputs():
    x = numtorch.tensor(rand(2, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda a, k, s: a * k + s, (x, 3, "s"[:0] or 1.5))


def test_grad_outputs_given():
    x = numtorch.tensor(rand(3, dtype="float64"), requires_grad=True)
    g = numtorch.tensor(rand(3, dtype="float64", seed=2), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda a: a.sin(), (x,), (g,))
    assert numtorch.autograd.gradgradcheck(lambda a: a.sin(), (x,), gen_non_contig_grad_outputs=True)


def test_gradgradcheck_detects_bad_second_derivative():
    x = numtorch.tensor(rand(3, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda a: a * a * a.detach(), (x,), raise_exception=False) is False


def test_module_import():
    from numtorch.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
    assert issubclass(GradcheckError, RuntimeError)
    assert gradcheck is numtorch.autograd.gradcheck and gradgradcheck is numtorch.autograd.gradgradcheck
    assert np.all(numtorch.tensor([1.]).numpy() == 1)
