"""SobolEngine against torch's: the same points bit for bit, scrambled or not, and the same state."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, check_raises, need_torch

DIMS = [1, 2, 5, 1000, 21201]
STATE = ("sobolstate", "shift", "quasi", "_first_point", "num_generated", "dimension", "scramble", "seed",
         "MAXBIT", "MAXDIM")


def _run(lib, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(lib, lib.quasirandom.SobolEngine)
    return out, [str(w.message) for w in caught]


def _both(fn):
    """``fn(lib, SobolEngine)`` under torch and numtorch: equal results (tensors bit for bit) and warnings."""
    torch = need_torch()
    t, tw = _run(torch, fn)
    n, nw = _run(numtorch, fn)
    assert_same(n, t, atol=0, rtol=0)
    assert nw == tw


def _raises(fn, message=True):
    """Both raise the same exception type, with the same message unless ``message`` is False."""
    ne, te = check_raises(lambda lib: fn(lib, lib.quasirandom.SobolEngine))
    if message:
        assert str(ne) == str(te)


def _state(e):
    return [getattr(e, name) for name in STATE]


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("scramble", [False, True])
def test_draws(dim, scramble):
    def fn(lib, S):
        e = S(dim, scramble=scramble, seed=12345 if scramble else None)
        first = _state(e)
        pts = [e.draw(), e.draw(3), e.draw_base2(2), e.draw(5)]
        return first, pts, _state(e), repr(e)
    _both(fn)


@pytest.mark.parametrize("seed", [0, 1, -3, 2 ** 40 + 1])
def test_seeds(seed):
    _both(lambda lib, S: (S(7, scramble=True, seed=seed).draw(33), S(3, seed=seed).draw(5)))


@pytest.mark.parametrize("seed", [0, 2024])
def test_unseeded_scramble_uses_global_generator(seed):
    def fn(lib, S):
        lib.manual_seed(seed)
        e = S(6, scramble=True)
        return _state(e), e.draw(9), lib.rand(3)  # the global stream moved on by the same draws
    _both(fn)


def test_unscrambled_leaves_global_generator():
    def fn(lib, S):
        lib.manual_seed(5)
        S(4).draw(3)
        return lib.rand(2)
    _both(fn)


@pytest.mark.parametrize("scramble", [False, True])
def test_sequences(scramble):
    def fn(lib, S):
        e = S(9, scramble=scramble, seed=3)
        out = [e.fast_forward(0).num_generated, e.draw(2), e.fast_forward(5).num_generated, e.draw(3)]
        out += [e.reset().num_generated, _state(e), e.draw_base2(0), e.draw_base2(0), e.draw_base2(1)]
        out += [e.draw_base2(2), e.fast_forward(1000).draw(17), _state(e)]
        e.reset()
        out += [e.fast_forward(1).draw(3), e.reset().fast_forward(2 ** 20 + 3).draw(2), _state(e)]
        out += [e.draw(0), e.draw(1), e.fast_forward(-3).num_generated, e.draw(3)]
        return out
    _both(fn)


def test_negative_fast_forward_from_start():
    # torch's kernel toggles the first direction number at every negative step
    def fn(lib, S):
        e = S(3).fast_forward(-5)
        return e.num_generated, e.draw(8), _state(e)
    _both(fn)
    _both(lambda lib, S: _state(S(4, True, 2).fast_forward(-4).fast_forward(7)))


def test_fast_forward_equals_draw():
    def fn(lib, S):
        a, b = S(20, True, 8), S(20, True, 8)
        a.draw(37)
        b.fast_forward(37)
        return a.quasi, b.quasi, a.draw(5), b.draw(5)
    _both(fn)


def test_large_draw_in_blocks():
    _both(lambda lib, S: (S(1000, True, 4).draw(3000), S(1000).draw(2000, dtype=lib.float64)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 2, 6])
def test_dtypes(dtype, n):
    def fn(lib, S):
        e = S(5, True, 21)
        return e.draw(n, dtype=getattr(lib, dtype)), e.draw(n, dtype=getattr(lib, dtype)), e.draw(3)
    _both(fn)


def test_default_dtype():
    def fn(lib, S):
        lib.set_default_dtype(lib.float64)
        wide = S(4, True, 1)
        pts = [wide.draw(3), wide._first_point]
        lib.set_default_dtype(lib.float32)
        narrow = S(4, True, 1)
        # the first point was made in float32 and keeps its rounding in a float64 draw
        pts += [narrow.draw(3, dtype=lib.float64), wide.reset().draw(3)]
        pts.append(narrow.reset().draw(1, dtype=lib.float64))
        return pts
    _both(fn)


def test_out():
    def fn(lib, S):
        e = S(3, True, 5)
        res = []
        for n, dt in [(1, lib.float32), (4, lib.float64), (2, lib.int64), (3, lib.float32)]:
            out = lib.full((2,), 7, dtype=dt)
            got = e.draw(n, out=out)
            res += [got is out, out]
        out = lib.empty(0, dtype=lib.float64)
        res += [e.draw(2, out=out, dtype=lib.float64) is out, out, e.draw_base2(2, out=out) is out, out]
        return res
    _both(fn)


def test_aliasing():
    def fn(lib, S):
        e = S(3, True, 2)
        q = e.quasi
        res = [e.draw() is e._first_point, e.fast_forward(3).quasi is q]
        e.draw(2)
        res += [e.quasi is q, q]
        q = e.quasi
        res += [e.reset().quasi is q, q]
        return res
    _both(fn)


@pytest.mark.parametrize("fn", [
    lambda lib, S: S(lib.tensor(3)).draw(2),
    lambda lib, S: repr(S(lib.tensor(4, dtype=lib.int32), True, 1)),
    lambda lib, S: S(np.int64(4), scramble=1, seed=3).draw(3),
    lambda lib, S: S(3).draw(lib.tensor(3)),
    lambda lib, S: S(3).fast_forward(2).draw(np.int64(2)),
    lambda lib, S: S(3).fast_forward(lib.tensor(2)).draw(2),
    lambda lib, S: (S(3).draw(True), S(3).draw(1.0), S(3).draw_base2(0)),
    lambda lib, S: S(3).draw(1, dtype=lib.int64),
    lambda lib, S: S(3).draw(1, dtype=lib.float16),
    lambda lib, S: S(3).fast_forward(2).draw(0),
    lambda lib, S: S(3, seed=5).draw(2),
])
def test_unusual_arguments(fn):
    _both(fn)


def test_repr():
    _both(lambda lib, S: [repr(S(3)), repr(S(3, scramble=True)), repr(S(3, seed=4)), repr(S(3, True, 4)),
                          repr(S(21201, seed=0)), repr(S(2, 1, -1)), str(S(5))])


def _base2_after(e, n, m):
    e.draw(n)
    return e.draw_base2(m)


@pytest.mark.parametrize("fn", [
    lambda lib, S: S(0),
    lambda lib, S: S(-1),
    lambda lib, S: S(21202),
    lambda lib, S: S("3"),
    lambda lib, S: S(3).draw(0),
    lambda lib, S: S(3).draw(-1),
    lambda lib, S: S(3).fast_forward(2).draw(-2),
    lambda lib, S: S(3).draw(2.0),
    lambda lib, S: S(3).fast_forward(1).draw(np.float64(2)),
    lambda lib, S: S(3).fast_forward(1).draw(lib.tensor(2.0)),
    lambda lib, S: S(3).fast_forward(1).draw(True),
    lambda lib, S: S(3).fast_forward(1).draw(2 ** 63),
    lambda lib, S: S(3).fast_forward(-2 ** 63),
    lambda lib, S: S(3).draw("3"),
    lambda lib, S: S(3).draw(None),
    lambda lib, S: S(3).draw(3, dtype=lib.int64),
    lambda lib, S: S(3).fast_forward(4).draw(2, dtype=lib.int32),
    lambda lib, S: S(3).draw(3, dtype=lib.float16),
    lambda lib, S: S(3).draw(3, dtype=lib.bfloat16),
    lambda lib, S: S(3).draw(3, dtype=lib.complex64),
    lambda lib, S: S(3).draw(3, dtype=lib.bool),
    lambda lib, S: S(3).draw(3, dtype="float"),
    lambda lib, S: S(3).fast_forward(2.0),
    lambda lib, S: S(3).fast_forward(1).fast_forward(True),
    lambda lib, S: S(3).fast_forward(lib.tensor([2])),
    lambda lib, S: S(3).draw_base2(-1),
    lambda lib, S: S(3).draw_base2(2.0),
    lambda lib, S: _base2_after(S(3), 8, 2),
    lambda lib, S: _base2_after(S(3).fast_forward(3), 0, 1),
    lambda lib, S: S(3, scramble=True, seed=1.5),
    lambda lib, S: S(3, scramble=True, seed="a"),
    lambda lib, S: S(3, scramble=True, seed=2 ** 64),
    lambda lib, S: S(3).draw(2, out=lib.empty(0, requires_grad=True)),
])
def test_errors(fn):
    _raises(fn)


@pytest.mark.parametrize("fn", [
    lambda lib, S: S(2.5),
    lambda lib, S: S(True),
    lambda lib, S: S(lib.tensor(4.0)),
    lambda lib, S: S(lib.tensor([4])),
])
def test_bad_dimension_type(fn):
    # torch's message here comes from its zeros() overload resolution; the type is what matters
    _raises(fn, message=False)


def test_import_is_lazy():
    code = ("import sys, numtorch\n"
            "assert 'numtorch.quasirandom' not in sys.modules\n"
            "q = numtorch.quasirandom\n"
            "assert q._direction_table.cache_info().currsize == 0\n"
            "q.SobolEngine(3)\n"
            "assert q._direction_table.cache_info().currsize == 1\n")
    subprocess.run([sys.executable, "-c", code], check=True)
