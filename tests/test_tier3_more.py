"""Remaining tier-3 names against the torch oracle: uninitialized parameters/buffers and lazy modules,
OutOfMemoryError, deterministic debug mode, from_file, small Tensor methods."""
import copy
import pickle

import pytest

import numtorch
from conftest import assert_same, need_torch, rand

LIBS = ["torch", "numtorch"]


def _lib(name):
    return need_torch() if name == "torch" else numtorch


def _outcome(fn):
    """What ``fn()`` gives: ('ok', value) or ('raise', exception type name, message head)."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the type itself is what gets compared
        return ("raise", type(e).__name__, str(e).split(" in ")[0][:60])


# ------------------------------------------------------------------------ uninitialized tensors

def _uninit_probe(lib, kind):
    p = getattr(lib.nn, kind)()
    probes = {
        "repr": lambda: repr(p), "str": lambda: str(p), "cls": lambda: p.cls_to_become.__name__,
        "rg": lambda: p.requires_grad, "dtype": lambda: str(p.dtype), "device": lambda: str(p.device),
        "ndim": lambda: p.ndim, "shape": lambda: p.shape, "add": lambda: p + 1, "radd": lambda: lib.ones(2) + p,
        "sum": lambda: p.sum(), "numel": lambda: p.numel(), "detach": lambda: p.detach(),
        "fn": lambda: lib.mul(p, 2), "share": lambda: p.share_memory_(), "data": lambda: p.data.shape,
        "is_param": lambda: isinstance(p, lib.nn.Parameter), "is_fp": lambda: p.is_floating_point(),
        "size": lambda: tuple(p.size()),
    }
    return {k: _outcome(f) for k, f in probes.items()}


@pytest.mark.parametrize("kind", ["UninitializedParameter", "UninitializedBuffer"])
def test_uninitialized_use_before_materialize(kind):
    t = _uninit_probe(_lib("torch"), kind)
    n = _uninit_probe(numtorch, kind)
    for key in t:
        if t[key][0] == "raise":
            assert n[key][:2] == t[key][:2], key
            assert n[key][2].split(" in ")[0] == t[key][2].split(" in ")[0], key
        else:
            assert n[key][0] == "ok", (key, n[key])
            if key != "cls":
                assert str(n[key][1]) == str(t[key][1]).replace("torch", "numtorch") or \
                    str(n[key][1]) == str(t[key][1]), key


@pytest.mark.parametrize("kind", ["UninitializedParameter", "UninitializedBuffer"])
@pytest.mark.parametrize("shape,kw", [((2, 3), {}), (4, {"dtype": "float64"}), ((0,), {}), ((), {})])
def test_materialize(kind, shape, kw):
    res = {}
    for name in LIBS:
        lib = _lib(name)
        kw2 = {k: getattr(lib, v) for k, v in kw.items()}
        p = getattr(lib.nn, kind)()
        p.materialize(shape, **kw2)
        res[name] = (type(p).__name__, tuple(p.shape), str(p.dtype), p.requires_grad, p.is_leaf)
    assert res["numtorch"] == res["torch"]


def _ctor_run(lib):
    got = []
    q = lib.nn.UninitializedParameter(requires_grad=False, dtype=lib.float64)
    got.append((q.requires_grad, str(q.dtype), repr(copy.deepcopy(q)), copy.deepcopy(q).dtype == q.dtype))
    r = pickle.loads(pickle.dumps(q))
    got.append((type(r).__name__, r.requires_grad))
    b = lib.nn.UninitializedBuffer(requires_grad=True, persistent=False)
    got.append((b.requires_grad, b.persistent))
    for f in (lambda: b.to(lib.float64), lambda: b.double(), lambda: b.float(), lambda: b.data):
        c = f()
        got.append((type(c).__name__, c is b, str(c.dtype), c.requires_grad))
    got.append(_outcome(lambda: lib.nn.UninitializedParameter(dtype=lib.int64))[:2])
    m = lib.nn.LazyBatchNorm1d()
    m.double()
    got.append([(k, type(v).__name__, str(v.dtype)) for k, v in m.state_dict().items()])
    m(lib.tensor(rand(3, 4, dtype="float64")))
    got.append((type(m).__name__, str(m.running_mean.dtype), tuple(m.running_var.shape)))
    return [str(g).replace("numtorch", "torch") for g in got], m.running_mean


def test_uninitialized_ctor_and_casts():
    t, tm = _ctor_run(need_torch())
    n, nm = _ctor_run(numtorch)
    assert n == t
    assert_same(nm, tm)


def _lazy_linear_run(lib):
    lib.manual_seed(0)
    m = lib.nn.LazyLinear(3)
    out = [repr(m), m.has_uninitialized_params(), type(copy.deepcopy(m).weight).__name__]
    m.double()
    out.append((type(m.weight).__name__, str(m.weight.dtype)))
    out.append({k: type(v).__name__ for k, v in m.state_dict().items()})
    out.append(isinstance(m, lib.nn.modules.lazy.LazyModuleMixin))
    y = m(lib.tensor(rand(2, 4, dtype="float64")))
    out.append((type(m).__name__, repr(m), type(m.weight).__name__, m.has_uninitialized_params()
                if hasattr(m, "has_uninitialized_params") else None))
    m2 = lib.nn.LazyLinear(3)
    m2.load_state_dict(lib.nn.Linear(4, 3).state_dict())
    out.append((type(m2).__name__, tuple(m2.weight.shape)))
    out.append(_outcome(lambda: lib.nn.Linear(2, 3).load_state_dict(lib.nn.LazyLinear(3).state_dict()))[:2])
    return out, y


def test_lazy_linear_uses_uninitialized():
    torch = need_torch()
    t, ty = _lazy_linear_run(torch)
    n, ny = _lazy_linear_run(numtorch)
    assert [str(x).replace("numtorch", "torch") for x in n] == [str(x) for x in t]
    assert_same(ny, ty)
