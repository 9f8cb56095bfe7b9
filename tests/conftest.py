"""Oracle helpers: run the same inputs through real torch and numtorch and compare everything."""
import warnings

import numpy as np
import pytest

import numtorch

try:
    import torch
except ImportError:  # oracle tests skip only when torch is absent
    torch = None

LIBS = ("torch", "numtorch")


def need_torch():
    if torch is None:
        pytest.skip("real torch is not installed")
    return torch


@pytest.fixture
def oracle():
    return need_torch()


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests may change the default dtype or print options: put them back afterwards."""
    dt = numtorch.get_default_dtype()
    grad = numtorch.is_grad_enabled()
    yield
    numtorch.set_default_dtype(dt)
    numtorch.set_grad_enabled(grad)
    numtorch.set_printoptions(profile="default")
    if torch is not None:
        torch.set_default_dtype(getattr(torch, str(dt).split(".")[1]))
        torch.set_grad_enabled(grad)


def lib_of(name):
    return need_torch() if name == "torch" else numtorch


def to_np(x):
    """A NumPy copy of a torch or numtorch tensor (bfloat16 widened to float32)."""
    x = x.detach()
    if str(x.dtype) == "torch.bfloat16":
        x = x.float()
    if hasattr(x, "_data"):
        return np.array(x._data)
    return x.resolve_conj().resolve_neg().numpy().copy()


def make_inputs(lib, data, grad, dtypes=None):
    out = []
    for i, d in enumerate(data):
        if not isinstance(d, np.ndarray):
            out.append(d)
            continue
        dt = getattr(lib, dtypes[i]) if dtypes and dtypes[i] else None
        t = lib.tensor(d, dtype=dt)
        if grad and t.dtype.is_floating_point:
            t.requires_grad_(True)
        out.append(t)
    return out


def assert_same(n, t, atol=1e-6, rtol=1e-5, strides=False, what="result"):
    """numtorch result ``n`` matches torch result ``t``: type, dtype, shape, values (and strides)."""
    if isinstance(t, (tuple, list)):
        assert isinstance(n, (tuple, list)) and len(n) == len(t), f"{what}: {n!r} vs {t!r}"
        for i, (a, b) in enumerate(zip(n, t)):
            assert_same(a, b, atol, rtol, strides, f"{what}[{i}]")
        return
    if not isinstance(t, torch.Tensor):
        assert n == t or (isinstance(t, float) and np.isclose(n, t, atol=atol, rtol=rtol)), f"{what}: {n} != {t}"
        return
    assert isinstance(n, numtorch.Tensor), f"{what}: expected a Tensor, got {type(n).__name__}"
    assert str(n.dtype) == str(t.dtype), f"{what}: dtype {n.dtype} != {t.dtype}"
    assert tuple(n.shape) == tuple(t.shape), f"{what}: shape {tuple(n.shape)} != {tuple(t.shape)}"
    if strides:
        assert n.stride() == t.stride(), f"{what}: strides {n.stride()} != {t.stride()}"
    a, b = to_np(n), to_np(t)
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def run_both(fn, *data, grad=False, dtypes=None):
    """Call ``fn(lib, *inputs)`` for torch and numtorch; returns {name: (result, inputs, warnings, error)}."""
    res = {}
    for name in LIBS:
        lib = lib_of(name)
        ins = make_inputs(lib, data, grad, dtypes)
        err = out = None
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out = fn(lib, *ins)
            except Exception as e:  # compared below
                err = e
        res[name] = (out, ins, [str(x.message) for x in w], err)
    return res


def check(fn, *data, grad=True, dtypes=None, atol=1e-6, rtol=1e-5, strides=False, warns=True):
    """Run ``fn(lib, *tensors)`` under torch and numtorch from the same NumPy ``data``; compare results,
    dtypes, shapes (strides), warnings, first-order gradients, and the exception type on failure."""
    need_torch()
    res = run_both(fn, *data, grad=grad, dtypes=dtypes)
    (t, tin, tw, te), (n, nin, nw, ne) = res["torch"], res["numtorch"]
    if te is not None or ne is not None:
        assert type(ne) is type(te), f"exception: numtorch {type(ne).__name__}: {ne} / torch {type(te).__name__}: {te}"
        return
    assert_same(n, t, atol, rtol, strides)
    if warns:
        assert len(nw) == len(tw), f"warnings: numtorch {nw} vs torch {tw}"
    if not grad:
        return
    outs_t = t if isinstance(t, (tuple, list)) else (t,)
    outs_n = n if isinstance(n, (tuple, list)) else (n,)
    pairs = [(a, b) for a, b in zip(outs_n, outs_t) if isinstance(b, torch.Tensor) and b.requires_grad]
    ins = [(a, b) for a, b in zip(nin, tin) if isinstance(b, torch.Tensor) and b.requires_grad]
    if not pairs or not ins:
        return
    rng = np.random.default_rng(1)
    seeds = [rng.uniform(-1, 1, tuple(b.shape)) for _, b in pairs]
    gt = torch.autograd.grad([b for _, b in pairs], [b for _, b in ins],
                             [torch.tensor(s, dtype=b.dtype) for s, (_, b) in zip(seeds, pairs)],
                             allow_unused=True)
    gn = numtorch.autograd.grad([a for a, _ in pairs], [a for a, _ in ins],
                                [numtorch.tensor(s, dtype=a.dtype) for s, (a, _) in zip(seeds, pairs)],
                                allow_unused=True)
    for i, (x, y) in enumerate(zip(gn, gt)):
        if y is None:
            assert x is None or not np.any(to_np(x)), f"grad[{i}]: torch None, numtorch {x}"
        else:
            assert x is not None, f"grad[{i}]: numtorch None"
            assert_same(x, y, atol * 10, rtol * 10, what=f"grad[{i}]")


def check_raises(fn, *data, dtypes=None):
    """Both libraries raise, with the same exception type."""
    need_torch()
    res = run_both(fn, *data, dtypes=dtypes)
    te, ne = res["torch"][3], res["numtorch"][3]
    assert te is not None, "torch did not raise"
    assert type(ne) is type(te), f"numtorch raised {type(ne).__name__}: {ne}; torch {type(te).__name__}: {te}"
    return ne, te


def rand(*shape, dtype="float32", seed=0, low=-2, high=2):
    """Deterministic NumPy test data."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(max(low, 0) if dtype == "uint8" else low * 5, high * 5, shape).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)
