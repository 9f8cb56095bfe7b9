"""dtypes, promotion tables, finfo/iinfo and the default dtype, against torch."""
import itertools
import pickle

import numpy as np
import pytest

import numtorch
from conftest import need_torch, torch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
         "complex64", "complex128"]
ALIASES = ["float", "double", "half", "long", "int", "short", "cfloat", "cdouble", "chalf", "complex32"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]


def outcome(fn):
    """fn()'s result as a comparable string, or the exception type."""
    try:
        return str(fn())
    except Exception as e:
        return type(e).__name__


def both(fn):
    need_torch()
    return outcome(lambda: fn(torch)), outcome(lambda: fn(numtorch))


@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_names(name):
    t, n = getattr(need_torch(), name), getattr(numtorch, name)
    assert repr(n) == repr(t) and str(n) == str(t)
    assert isinstance(n, numtorch.dtype)


@pytest.mark.parametrize("name", NAMES + ["complex32"])
@pytest.mark.parametrize("attr", ["is_floating_point", "is_complex", "is_signed", "itemsize", "abbr"])
def test_attributes(name, attr):
    assert getattr(getattr(numtorch, name), attr) == getattr(getattr(need_torch(), name), attr)


@pytest.mark.parametrize("name", NAMES + ["complex32"])
@pytest.mark.parametrize("meth", ["to_complex", "to_real"])
def test_to_complex_real(name, meth):
    t, n = both(lambda m: getattr(getattr(m, name), meth)())
    assert n == t


@pytest.mark.parametrize("name", NAMES)
def test_pickle_and_identity(name):
    d = getattr(numtorch, name)
    assert pickle.loads(pickle.dumps(d)) is d
    assert d == d and hash(d) == hash(d)


def test_aliases_are_same_objects():
    assert numtorch.float is numtorch.float32 and numtorch.long is numtorch.int64
    assert numtorch.cdouble is numtorch.complex128 and numtorch.chalf is numtorch.complex32


def test_dtype_not_constructible():
    t, n = both(lambda m: m.dtype())
    assert n == t == "TypeError"


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES + ["complex32"], repeat=2)))
def test_promote_types_table(a, b):
    t, n = both(lambda m: m.promote_types(getattr(m, a), getattr(m, b)))
    assert n == t


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, repeat=2)))
def test_can_cast_table(a, b):
    t, n = both(lambda m: m.can_cast(getattr(m, a), getattr(m, b)))
    assert n == t


def _operands(m):
    ops = {}
    for name in NAMES:
        ops["dim_" + name] = m.zeros(2, dtype=getattr(m, name))
        ops["zero_" + name] = m.zeros((), dtype=getattr(m, name))
    ops.update(py_bool=True, py_int=3, py_float=1.5, py_complex=1j, np_int32=np.int32(2),
               np_f64=np.float64(1),
               np_bool=np.bool_(True), np_c128=np.complex128(1j))
    return ops


OPERANDS = list(_operands(numtorch))


@pytest.mark.parametrize("default", ["float32", "float64", "float16", "bfloat16"])
def test_result_type_table(default):
    need_torch()
    bad = []
    for m in (torch, numtorch):
        m.set_default_dtype(getattr(m, default))
    ops_t, ops_n = _operands(torch), _operands(numtorch)
    for a, b in itertools.product(OPERANDS, repeat=2):
        t = outcome(lambda: torch.result_type(ops_t[a], ops_t[b]))
        n = outcome(lambda: numtorch.result_type(ops_n[a], ops_n[b]))
        if t != n:
            bad.append((a, b, t, n))
    assert not bad


@pytest.mark.parametrize("fn", [
    lambda m: m.result_type(m.tensor([1]), "a"),
    lambda m: m.result_type(m.tensor([1]), None),
    lambda m: m.can_cast(1, m.int8),
    lambda m: m.can_cast(m.int8, "float"),
    lambda m: m.promote_types(m.int8, 1),
    lambda m: m.promote_types("float", m.int8),
])
def test_promotion_errors(fn):
    t, n = both(fn)
    assert n == t == "TypeError"


@pytest.mark.parametrize("name", FLOATS + ["complex64", "complex128", None])
def test_finfo(name):
    need_torch()
    ft = torch.finfo(getattr(torch, name)) if name else torch.finfo()
    fn = numtorch.finfo(getattr(numtorch, name)) if name else numtorch.finfo()
    assert repr(fn) == repr(ft)
    for attr in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(fn, attr) == getattr(ft, attr), attr
        assert type(getattr(fn, attr)) is type(getattr(ft, attr)), attr


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    it, ni = need_torch().iinfo(getattr(torch, name)), numtorch.iinfo(getattr(numtorch, name))
    assert repr(ni) == repr(it)
    for attr in ["bits", "min", "max", "dtype"]:
        assert getattr(ni, attr) == getattr(it, attr)


def test_info_equality():
    assert numtorch.finfo(numtorch.float32) == numtorch.finfo(numtorch.complex64)
    assert numtorch.finfo(numtorch.float32) != numtorch.finfo(numtorch.float64)
    assert numtorch.iinfo(numtorch.int8) == numtorch.iinfo(numtorch.int8)


@pytest.mark.parametrize("fn", [
    lambda m: m.finfo(m.int32), lambda m: m.finfo(m.bool), lambda m: m.finfo("float"), lambda m: m.finfo(1.0),
    lambda m: m.iinfo(m.float32), lambda m: m.iinfo(m.bool), lambda m: m.iinfo(m.complex64),
    lambda m: m.iinfo("int"),
])
def test_info_errors(fn):
    t, n = both(fn)
    assert n == t == "TypeError"


# float16 is left out: torch then makes complex32 tensors, which NumPy cannot hold.
@pytest.mark.parametrize("name", [n for n in NAMES if n != "float16"] + ["x"])
def test_set_default_dtype(name):
    need_torch()
    res = {}
    for m in (torch, numtorch):
        d = getattr(m, name, 1.0)
        try:
            m.set_default_dtype(d)
            res[m] = (str(m.get_default_dtype()), str(m.tensor([1.5]).dtype),
                      outcome(lambda: m.tensor([1j]).dtype))
        except Exception as e:
            res[m] = (type(e).__name__, str(e))
    assert res[numtorch] == res[torch]


@pytest.mark.parametrize("fn", [
    lambda m: m.is_floating_point(m.zeros(1)), lambda m: m.is_floating_point(m.zeros(1, dtype=m.int32)),
    lambda m: m.is_complex(m.zeros(1, dtype=m.complex64)), lambda m: m.is_complex(m.zeros(1)),
    lambda m: m.is_floating_point(1.0), lambda m: m.is_complex([1j]),
    lambda m: m.zeros(1, dtype=m.bfloat16).is_floating_point(), lambda m: m.zeros(1).is_complex(),
    lambda m: m.zeros(1, dtype=m.uint8).is_signed(), lambda m: m.zeros(1, dtype=m.int8).is_signed(),
])
def test_is_floating_complex(fn):
    t, n = both(fn)
    assert n == t
