"""Grad modes against torch: no_grad, enable_grad, set_grad_enabled, inference_mode, decorators, threads."""
import threading

import pytest

from test_function import both


def _x(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True)


def test_nesting():
    def s(lib, rec):
        x = _x(lib)
        with lib.no_grad():
            rec += [lib.is_grad_enabled(), (x * 2).requires_grad]
            with lib.enable_grad():
                rec += [lib.is_grad_enabled(), (x * 2).requires_grad]
            with lib.set_grad_enabled(True):
                rec.append((x * 2).requires_grad)
            rec.append(lib.is_grad_enabled())
        rec.append(lib.is_grad_enabled())
    both(s)


def test_set_grad_enabled_as_function():
    def s(lib, rec):
        r = lib.set_grad_enabled(False)
        rec += [type(r).__name__, lib.is_grad_enabled(), repr(r)]
        lib.set_grad_enabled(True)
        rec.append(lib.is_grad_enabled())
        with lib.set_grad_enabled(False) as ctx:
            rec += [ctx, lib.is_grad_enabled()]
        rec.append(lib.is_grad_enabled())
    both(s)


@pytest.mark.parametrize("arg", ["x", 1, None])
def test_set_grad_enabled_type_error(arg):
    both(lambda lib, rec: lib.set_grad_enabled(arg))


def test_set_grad_enabled_missing_arg():
    both(lambda lib, rec: lib.set_grad_enabled())


DECORATORS = [
    ("no_grad()", lambda lib: lib.no_grad()),
    ("no_grad", lambda lib: lib.no_grad),
    ("enable_grad()", lambda lib: lib.enable_grad()),
    ("enable_grad", lambda lib: lib.enable_grad),
    ("set_grad_enabled(False)", lambda lib: lib.set_grad_enabled(False)),
    ("set_grad_enabled(True)", lambda lib: lib.set_grad_enabled(True)),
    ("inference_mode()", lambda lib: lib.inference_mode()),
    ("inference_mode", lambda lib: lib.inference_mode),
    ("inference_mode(False)", lambda lib: lib.inference_mode(False)),
    ("inference_mode(mode=False)", lambda lib: lib.inference_mode(mode=False)),
]


@pytest.mark.parametrize("name,deco", DECORATORS, ids=[d[0] for d in DECORATORS])
@pytest.mark.parametrize("outer", ["plain", "no_grad", "inference"])
def test_decorators(name, deco, outer):
    def s(lib, rec):
        x = _x(lib)

        @deco(lib)
        def f(a, k=2):
            """doc"""
            return (a * k).requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled()

        @deco(lib)
        def gen(n):
            for _ in range(n):
                got = yield lib.is_grad_enabled(), lib.is_inference_mode_enabled()
                rec.append(got)
            return "done"

        ctx = {"plain": lib.enable_grad, "no_grad": lib.no_grad, "inference": lib.inference_mode}[outer]
        with ctx():
            rec += [f(x), f(x, k=3), f.__name__, f.__doc__, lib.is_grad_enabled()]
            g = gen(2)
            rec.append(next(g))
            rec.append(g.send("sent"))
            try:
                g.send("last")
            except StopIteration as e:
                rec.append(e.value)
            rec += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
        rec.append(lib.is_grad_enabled())
    both(s)


def test_context_managers_return_none():
    def s(lib, rec):
        for cm in (lib.no_grad(), lib.enable_grad(), lib.inference_mode(), lib.inference_mode(False)):
            with cm as c:
                rec.append(c)
    both(s)


def test_inference_mode_flags():
    def s(lib, rec):
        x = _x(lib)
        with lib.inference_mode():
            rec += [lib.is_inference_mode_enabled(), lib.is_grad_enabled(), (x * 2).requires_grad]
            with lib.inference_mode(mode=False):
                rec += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
            with lib.enable_grad():
                rec += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
        with lib.no_grad():
            with lib.inference_mode(False):
                rec += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
        rec += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    both(s)


def test_exception_restores_mode():
    def s(lib, rec):
        try:
            with lib.no_grad():
                raise ValueError("boom")
        except ValueError:
            rec.append(lib.is_grad_enabled())

        @lib.no_grad()
        def bad():
            raise KeyError("k")
        try:
            bad()
        except KeyError:
            rec.append(lib.is_grad_enabled())
    both(s)


def test_decorating_class_warns():
    def s(lib, rec):
        class C:
            def __init__(self):
                rec.append(lib.is_grad_enabled())
        make = lib.no_grad()(C)
        rec.append(type(make(), ).__name__)
        rec.append(lib.is_grad_enabled())
    both(s)


def test_new_thread_starts_with_grad_enabled():
    def s(lib, rec):
        res = []
        with lib.no_grad():
            t = threading.Thread(target=lambda: res.append(lib.is_grad_enabled()))
            t.start()
            t.join()
            rec += [res, lib.is_grad_enabled()]
    both(s)


def test_thread_local_mode():
    def s(lib, rec):
        res = []

        def worker():
            with lib.no_grad():
                res.append(lib.is_grad_enabled())
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        rec += [res, lib.is_grad_enabled()]
    both(s)


def test_module_paths():
    def s(lib, rec):
        rec.append(lib.autograd.grad_mode.no_grad is lib.no_grad)
        rec.append(lib.autograd.no_grad is lib.no_grad)
        rec.append(lib.autograd.set_grad_enabled is lib.set_grad_enabled)
        rec.append(lib.autograd.inference_mode is lib.inference_mode)
    both(s)


def test_detect_anomaly_warns_and_toggles():
    def s(lib, rec):
        rec.append(lib.autograd.grad_mode.__name__.split(".")[-1])
        with lib.autograd.detect_anomaly():
            rec.append(lib.is_anomaly_enabled())
        rec.append(lib.is_anomaly_enabled())
        lib.autograd.set_detect_anomaly(True)
        rec += [lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()]
        lib.autograd.set_detect_anomaly(False)
        rec.append(lib.is_anomaly_enabled())
    both(s)
