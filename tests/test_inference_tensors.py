"""Inference tensors against torch: which tensors are inference tensors, and what is refused outside
inference mode (saving for backward, in-place updates, requires_grad, the version counter)."""
import threading

import numpy as np
import pytest

import numtorch
from conftest import assert_same, lib_of


def _attempt(rec, fn):
    """Record fn's result, or its exception's type and message."""
    try:
        r = fn()
    except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
        rec.append(("raised", type(e).__name__, str(e)))
        return None
    rec.append(r)
    return r


def both(scenario):
    """Run scenario(lib, rec) with torch and with numtorch; the recorded lists must agree."""
    recs = {}
    for name in ("torch", "numtorch"):
        rec = []
        scenario(lib_of(name), rec)
        recs[name] = rec
    t, n = recs["torch"], recs["numtorch"]
    assert len(n) == len(t), f"numtorch {n} vs torch {t}"
    for a, b in zip(n, t):
        if hasattr(b, "dtype"):
            assert_same(a, b)
        else:
            assert a == b, f"numtorch {a!r} vs torch {b!r}"


def _inf(lib, *shape, dtype=None):
    with lib.inference_mode():
        return lib.arange(float(np.prod(shape, dtype=int)), dtype=dtype or lib.float32).reshape(shape)


@pytest.mark.parametrize("make", ["ones", "zeros0d", "empty", "tensor", "arange", "randn", "full_like",
                                  "int"])
def test_created_in_inference_mode(make):
    def s(lib, rec):
        lib.manual_seed(0)
        n = lib.ones(2, 3)
        with lib.inference_mode():
            t = {"ones": lambda: lib.ones(2, 3), "zeros0d": lambda: lib.zeros(()),
                 "empty": lambda: lib.empty(0), "tensor": lambda: lib.tensor([1, 2]),
                 "arange": lambda: lib.arange(4), "randn": lambda: lib.randn(3),
                 "full_like": lambda: lib.full_like(n, 2.0),
                 "int": lambda: lib.tensor(3, dtype=lib.int64)}[make]()
            rec += [t.is_inference(), lib.is_inference(t)]
        rec += [t.is_inference(), lib.is_inference(t), t]
    both(s)


def test_ops_and_views_inside_inference_mode():
    def s(lib, rec):
        n = lib.arange(6.0).reshape(2, 3)
        w = lib.ones(3, requires_grad=True)
        with lib.inference_mode():
            i = lib.ones(2, 3)
            for r in (n + 1, n * n, 2.0 - n, n.exp(), n.sum(), n @ n.T, lib.cat([n, n]), n.clone(),
                      n.max(dim=1).values, w * 2):
                rec += [r.is_inference(), r.requires_grad, r.grad_fn is None]
            # views of a normal tensor stay normal; views of an inference tensor are inference tensors
            for v in (n[1:], n[0], n.view(6), n.t(), n.detach(), n.unsqueeze(0), n.transpose(0, 1)):
                rec += [v.is_inference(), v._base is n]
            for v in (i[1:], i.view(6), i.detach(), i.expand(2, 2, 3)):
                rec.append(v.is_inference())
        rec += [n.is_inference(), w.is_inference()]
    both(s)


def test_no_grad_makes_normal_tensors():
    def s(lib, rec):
        with lib.no_grad():
            t = lib.ones(2)
            rec += [t.is_inference(), (t + 1).is_inference()]
        with lib.inference_mode(False):
            rec.append(lib.ones(2).is_inference())
        with lib.inference_mode():
            with lib.inference_mode(False):
                rec += [lib.ones(2).is_inference(), lib.is_inference_mode_enabled()]
            rec += [lib.ones(2).is_inference(), lib.is_inference_mode_enabled()]
    both(s)


def test_decorated_function_makes_inference_tensors():
    def s(lib, rec):
        @lib.inference_mode()
        def f(x):
            return x * 2

        r = f(lib.ones(3))
        rec += [r.is_inference(), r, (r + 1).is_inference()]
    both(s)


def test_outside_inference_mode_functional_ops_give_normal_tensors():
    def s(lib, rec):
        i = _inf(lib, 2, 3)
        w = lib.ones(2, 3, requires_grad=True)
        for r in (i + 1, i.exp(), i.clone(), i.sum(0), lib.stack([i, i]), i.to(lib.float64), w + i):
            rec += [r.is_inference(), r.requires_grad, r]
        for v in (i[0], i.view(3, 2), i.detach(), i.reshape(6), i.T, i.narrow(1, 0, 2)):
            rec += [v.is_inference(), v]
        # (torch's clone of an inference tensor starts at _version 1, an artefact numtorch does not copy)
        c = i.clone()
        c.add_(1)
        rec += [c.is_inference(), c]
    both(s)


@pytest.mark.parametrize("expr", ["mul", "mm", "exp_then_mul", "div", "view_mul"])
def test_saving_inference_tensor_for_backward_raises(expr):
    def s(lib, rec):
        i = _inf(lib, 3, 3)
        w = lib.ones(3, 3, requires_grad=True)
        f = {"mul": lambda: w * i, "mm": lambda: lib.mm(w, i), "div": lambda: w / i,
             "exp_then_mul": lambda: w.exp() * i, "view_mul": lambda: w * i[0]}[expr]
        _attempt(rec, lambda: f().sum().item())
        # with no graph being recorded nothing is saved
        with lib.no_grad():
            rec.append(f())
        rec.append(w.detach() * i)
    both(s)


def test_backward_through_ops_that_save_nothing():
    def s(lib, rec):
        i = _inf(lib, 3)
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (w + i).sum()
        y.backward()
        rec += [y, w.grad, y.is_inference()]
    both(s)


@pytest.mark.parametrize("how", ["add_", "zero_", "fill_", "copy_", "setitem", "out", "mul_scalar_",
                                 "view_add_", "clamp_", "index_put_"])
def test_inplace_outside_inference_mode_raises(how):
    def s(lib, rec):
        i = _inf(lib, 2, 3)
        n = lib.full((2, 3), 7.0)
        f = {"add_": lambda: i.add_(n), "zero_": lambda: i.zero_(), "fill_": lambda: i.fill_(3.0),
             "copy_": lambda: i.copy_(n), "setitem": lambda: i.__setitem__((0, 1), 5.0),
             "out": lambda: lib.add(n, n, out=i), "mul_scalar_": lambda: i.mul_(2),
             "view_add_": lambda: i[1].add_(1), "clamp_": lambda: i.clamp_(0, 2),
             "index_put_": lambda: i.index_put_((lib.tensor([0]),), lib.tensor(9.0))}[how]
        _attempt(rec, f)
        # torch writes first and refuses at the version bump, so the data changed
        rec.append(i.clone())
        with lib.no_grad():
            _attempt(rec, lambda: f() is not None)
        with lib.inference_mode():
            rec.append(f() is not None)
            rec.append(i.clone())
    both(s)


def test_inplace_inside_inference_mode():
    def s(lib, rec):
        n = lib.zeros(3)
        v = n[1:]
        rec += [n._version, v._version]
        with lib.inference_mode():
            n.add_(1)
            v.mul_(3)
            n[0] = 5.0
            rec += [n._version, v._version, n.is_inference(), v.is_inference()]
            i = lib.zeros(3)
            i.add_(2)
            i[1:].sub_(1)
            _attempt(rec, lambda: i._version)
            rec.append(i)
        rec += [n._version, n, i]
    both(s)


def test_version_counter_of_inference_tensors():
    def s(lib, rec):
        i = _inf(lib, 4)
        for t in (i, i[1:], i.view(2, 2), i.view(2, 2).T, i.reshape(2, 2)):
            _attempt(rec, lambda: t._version)
        rec.append((i + 1)._version)
    both(s)


def test_detached_outside_inference_mode():
    # torch gives such a detach a working version counter: it counts and takes in-place updates, yet it
    # is still an inference tensor that cannot require grad or be saved
    def s(lib, rec):
        i = _inf(lib, 4)
        d = i.detach()
        rec += [d.is_inference(), d._version]
        d.add_(1)
        _attempt(rec, lambda: d[1:].mul_(2))
        _attempt(rec, lambda: d[1:]._version)
        rec += [d._version, d, i, d[1:].is_inference(), d.view(2, 2).is_inference()]
        _attempt(rec, lambda: i._version)
        _attempt(rec, lambda: d.requires_grad_())
        w = lib.ones(4, requires_grad=True)
        _attempt(rec, lambda: (w * d).sum().item())
        with lib.inference_mode():
            e = i.detach()
            _attempt(rec, lambda: e._version)
            rec.append(e.is_inference())
        _attempt(rec, lambda: e.add_(1))
        rec.append(i)
    both(s)


def test_data_attribute():
    def s(lib, rec):
        i = _inf(lib, 3)
        n = lib.ones(3)
        d = i.data
        rec += [d.is_inference(), d._version]
        d.add_(1)
        rec += [d._version, i]
        with lib.inference_mode():
            rec += [n.data.is_inference(), n.data._version, i.data.is_inference()]
            _attempt(rec, lambda: i.data._version)
            dd = i.detach()
        _attempt(rec, lambda: dd.data._version)
        rec.append(dd.data.is_inference())
    both(s)


def test_requires_grad():
    def s(lib, rec):
        i = _inf(lib, 3)
        _attempt(rec, lambda: i.requires_grad_())
        _attempt(rec, lambda: setattr(i, "requires_grad", True))
        rec.append(i.requires_grad_(False).requires_grad)
        rec.append(i.clone().requires_grad_().requires_grad)
        with lib.inference_mode():
            j = lib.ones(3)
            rec.append(j.requires_grad_().requires_grad)
            rec += [(j * 2).requires_grad, (j * 2).grad_fn is None]
        _attempt(rec, lambda: i.requires_grad_(True))
        with lib.inference_mode():
            rec.append(lib.ones(2, requires_grad=True).requires_grad)
    both(s)


def test_is_inference_bad_input():
    def s(lib, rec):
        for bad in (3, [1.0], None):
            _attempt(rec, lambda: lib.is_inference(bad))
    both(s)


def test_threads_are_independent():
    # inference mode is per thread: a thread outside it keeps creating normal tensors meanwhile
    def s(lib, rec):
        entered, done = threading.Event(), threading.Event()
        out = {}

        def worker():
            with lib.inference_mode():
                out["inner"] = lib.ones(2)
                entered.set()
                done.wait(5)

        th = threading.Thread(target=worker)
        th.start()
        entered.wait(5)
        out["outer"] = lib.ones(2) + 1
        done.set()
        th.join()
        rec += [out["inner"].is_inference(), out["outer"].is_inference(), lib.ones(1).is_inference()]
    both(s)


def test_marking_stops_after_leaving_inference_mode():
    # creation reverts to the plain path once no thread is in inference mode
    from numtorch._ops import _registry, operators
    from numtorch import _tensor
    with numtorch.inference_mode():
        assert operators._new is not object.__new__
        with numtorch.inference_mode():
            pass
        assert _registry._new is not object.__new__
    for mod in (_tensor, _registry, operators):
        assert mod._new is object.__new__
    try:
        with numtorch.inference_mode():
            raise ValueError
    except ValueError:
        pass
    assert _registry._new is object.__new__


@pytest.mark.parametrize("case", ["linear", "conv2d", "function", "mse", "parameter", "batch_norm", "relu",
                                  "where"])
def test_layers_and_functions_with_inference_inputs(case):
    def s(lib, rec):
        F = lib.nn.functional

        class Mul(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, y)
                return x * y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * y, g * x

        with lib.inference_mode():
            i = lib.ones(2, 3)
            im = lib.ones(1, 1, 5, 5)
        w = lib.ones(4, 3, requires_grad=True)
        k = lib.ones(1, 1, 3, 3, requires_grad=True)
        f = {"linear": lambda: F.linear(i, w), "conv2d": lambda: F.conv2d(im, k),
             "function": lambda: Mul.apply(w[:2], i), "mse": lambda: F.mse_loss(w[:2], i),
             "parameter": lambda: lib.nn.Parameter(i),
             "batch_norm": lambda: F.batch_norm(i, None, None, w[0], w[1], training=True),
             "relu": lambda: F.relu(i) * w[:2], "where": lambda: lib.where(i > 0, w[:2], i)}[case]
        r = _attempt(rec, lambda: f().sum().item())
        with lib.no_grad():
            _attempt(rec, lambda: f().is_inference())
        with lib.inference_mode():
            out = f()
            rec += [out.is_inference(), out.requires_grad]
        if r is not None:
            y = f()
            y.sum().backward()
            rec += [y.is_inference(), w.grad]
    both(s)
