"""NumPy interop and copy/pickle against torch: memory sharing, __array__, deepcopy, pickle round trips."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch


def outcome(m, expr):
    """Result (as text, torch's names) of ``expr`` with T = m, its exception type, and the warning count."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = repr(eval(expr, {"T": m, "np": np, "copy": copy, "pickle": pickle}))
        except Exception as e:
            r = type(e).__name__
    return r.replace("numtorch", "torch"), len(w)


CASES = [
    'pickle.loads(pickle.dumps(T.Size([2,3])))', "pickle.loads(pickle.dumps(T.device('cuda:1')))",
    'T.ones(2, requires_grad=True).numpy()', 'T.ones(2, requires_grad=True).numpy(force=True)',
    'np.asarray(T.ones(2))',
    'np.asarray(T.ones(2, requires_grad=True))', 'np.asarray(T.ones(2,dtype=T.bfloat16)).dtype',
    'T.ones(2,dtype=T.bfloat16).numpy().dtype', 'copy.deepcopy(T.ones(2, requires_grad=True)).requires_grad',
    'copy.deepcopy(T.ones(2, requires_grad=True) * 2)', 'copy.copy(T.ones(2, requires_grad=True) * 2)',
    'pickle.loads(pickle.dumps(T.ones(2, dtype=T.int8)))',
    'pickle.loads(pickle.dumps(T.ones(2, requires_grad=True)))',
    'pickle.loads(pickle.dumps(T.ones(4,6).T)).stride()',
    'pickle.loads(pickle.dumps(T.ones(2, dtype=T.bfloat16)))',
]


@pytest.mark.parametrize("expr", CASES)
def test_interop(expr):
    assert outcome(numtorch, expr) == outcome(need_torch(), expr)


@pytest.mark.parametrize("make", [
    lambda m, a: m.from_numpy(a), lambda m, a: m.as_tensor(a), lambda m, a: m.asarray(a),
])
def test_numpy_shares_memory_both_ways(make):
    for m in (need_torch(), numtorch):
        a = np.arange(6.0).reshape(2, 3)
        t = make(m, a)
        a[0, 1] = 50
        t[1, 2] = -7
        assert t[0, 1].item() == 50 and a[1, 2] == -7


def test_legacy_constructor_shares_same_dtype_array():
    for m in (need_torch(), numtorch):
        a = np.arange(3.0, dtype=np.float32)
        t = m.Tensor(a)
        a[0] = 9
        assert t[0].item() == 9


@pytest.mark.parametrize("make", [lambda m, a: m.tensor(a), lambda m, a: m.Tensor(a.astype(np.float64)),
                                  lambda m, a: m.Tensor(a.tolist())])
def test_copies_do_not_share(make):
    for m in (need_torch(), numtorch):
        a = np.arange(3.0, dtype=np.float32)
        t = make(m, a)
        a[0] = 9
        assert t[0].item() == 0


def test_numpy_method_shares_memory():
    for m in (need_torch(), numtorch):
        t = m.zeros(3)
        n = t.numpy()
        n[1] = 4
        t[2] = 5
        assert t[1].item() == 4 and n[2] == 5
        v = t[1:].numpy()
        v[0] = 8
        assert t[1].item() == 8


def test_default_numpy_int_is_int64():
    for m in (need_torch(), numtorch):
        assert m.from_numpy(np.array([1, 2])).dtype is m.int64
        assert m.tensor(np.array([1, 2])).dtype is m.int64


def test_deepcopy_leaf_keeps_grad():
    a = numtorch.ones(2, requires_grad=True)
    a.grad = numtorch.full((2,), 3.0)
    b = copy.deepcopy(a)
    assert b.requires_grad and b.is_leaf and b.grad is not None and b.grad.tolist() == [3.0, 3.0]
    assert b.data_ptr() != a.data_ptr()


def test_deepcopy_non_leaf_raises():
    for m in (need_torch(), numtorch):
        with pytest.raises(RuntimeError):
            copy.deepcopy(m.ones(2, requires_grad=True) * 2)


def test_deepcopy_memo_keeps_views_together():
    res = {}
    for m in (need_torch(), numtorch):
        base = m.arange(6.0)
        pair = copy.deepcopy([base, base[2:]])
        pair[0][3] = 100
        res[m] = pair[1].tolist()
    assert res[numtorch] == res[need_torch()]


@pytest.mark.parametrize("make", [
    lambda m: m.ones(2, 3, dtype=m.int8), lambda m: m.ones(2, requires_grad=True),
    lambda m: m.arange(12.0).view(3, 4).T,
    lambda m: m.tensor(2.5, dtype=m.float64), lambda m: m.zeros(0, 3), lambda m: m.ones(2, dtype=m.bfloat16),
    lambda m: m.tensor([True, False]), lambda m: m.tensor([1 + 2j]),
])
def test_pickle_round_trip(make):
    for m in (need_torch(), numtorch):
        t = make(m)
        r = pickle.loads(pickle.dumps(t))
        assert r.dtype is t.dtype and r.shape == t.shape and r.requires_grad == t.requires_grad
        assert r.stride() == t.stride()
        assert r.detach().float().tolist() == t.detach().float().tolist()
