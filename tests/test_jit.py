"""torch.jit's annotations in eager code, against torch."""
import warnings

import pytest

import numtorch
from conftest import need_torch


def _use(lib):
    jit = lib.jit

    class Net(lib.nn.Module):
        scale: jit.Final[int] = 2

        @jit.unused
        def aux(self, x):
            return x + 1

        @jit.ignore
        def py(self, x):
            return x * 3

        @jit.export
        def extra(self, x):
            return x - 1

        def forward(self, x):
            y = jit.annotate(list, [])
            if not jit.is_scripting() and not jit.is_tracing():
                y.append(self.py(x) + self.aux(x) + self.extra(x) * self.scale)
            return y[0]
    return Net()(lib.ones(2)).tolist()


def test_annotations_leave_eager_code_alone():
    assert _use(numtorch) == _use(need_torch())


@pytest.mark.parametrize("args", [(True,), (False,), ("yes",), ()])
def test_ignore_arguments_and_warnings(args):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        kw = {"drop_on_export": True} if not args else {}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                deco = lib.jit.ignore(*args, **kw)

                def count(s):
                    return len(s)
                out = deco(count)("abc")
            except RuntimeError as e:
                out = str(e)
        res.append((out, [(w.category.__name__, str(w.message)) for w in caught]))
    assert res[0] == res[1]
