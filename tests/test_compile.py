"""torch.compile and torch.compiler: numtorch runs compiled code eagerly behind torch's wrappers."""
import copy
import io
import pickle

import numpy as np
import pytest

import numtorch
from conftest import need_torch, rand


def _pair():
    torch = need_torch()
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    nm = numtorch.nn.Sequential(numtorch.nn.Linear(3, 4), numtorch.nn.ReLU(), numtorch.nn.Linear(4, 2))
    nm.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return torch, tm, nm


def test_optimized_module_wraps_the_original():
    torch, tm, nm = _pair()
    tc, nc = torch.compile(tm), numtorch.compile(nm)
    assert repr(nc) == repr(tc)
    assert type(nc).__name__ == type(tc).__name__ == "OptimizedModule"
    assert list(nc.state_dict()) == list(tc.state_dict()) == ["_orig_mod.0.weight", "_orig_mod.0.bias",
                                                              "_orig_mod.2.weight", "_orig_mod.2.bias"]
    assert [n for n, _ in nc.named_parameters()] == [n for n, _ in tc.named_parameters()]
    assert nc._orig_mod is nm
    for c in (nc, tc):
        with pytest.raises(TypeError):  # special methods are looked up on the wrapper's class
            c[0]
    # attribute reads and writes reach the original, the training flag included
    nc.tag, tc.tag = 1, 1
    assert nm.tag == tm.tag == 1
    nc.eval()
    tc.eval()
    assert (nm.training, nc.training) == (tm.training, tc.training) == (False, False)
    assert "weight" not in dir(nc) and "tag" in dir(nc)


def test_compiled_module_computes_as_eager_torch():
    torch, tm, nm = _pair()
    x = rand(5, 3)
    nc = numtorch.compile(nm)
    out = nc(numtorch.tensor(x, requires_grad=True))
    ref = tm(torch.tensor(x, requires_grad=True))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-7)
    out.sum().backward()
    ref.sum().backward()
    for (n, p), (_, q) in zip(nc.named_parameters(), torch.compile(tm).named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-7, err_msg=n)


def test_compiled_checkpoints_interchange():
    # a compiled model's state dict keeps the _orig_mod. prefix in both libraries' files
    torch, tm, nm = _pair()
    buf = io.BytesIO()
    torch.save(torch.compile(tm).state_dict(), buf)
    buf.seek(0)
    state = numtorch.load(buf)
    assert list(state) == list(numtorch.compile(nm).state_dict())
    fresh = numtorch.compile(numtorch.nn.Sequential(numtorch.nn.Linear(3, 4), numtorch.nn.ReLU(),
                                                    numtorch.nn.Linear(4, 2)))
    assert not fresh.load_state_dict(state).missing_keys
    with pytest.raises(RuntimeError, match="Missing key"):
        nm.load_state_dict(state)


def test_compiled_module_pickles_and_copies():
    _, _, nm = _pair()
    nc = numtorch.compile(nm)
    for other in (pickle.loads(pickle.dumps(nc)), copy.deepcopy(nc)):
        assert type(other) is type(nc) and other._orig_mod is not nm
        assert numtorch.equal(other._orig_mod[0].weight, nm[0].weight)


def test_compiled_function_and_decorator():
    def f(x, k=2):
        """doc"""
        return x * k + 1
    g = numtorch.compile(f)
    assert g.__name__ == "f" and g.__doc__ == "doc" and g.__wrapped__ is f
    x = numtorch.arange(4.0)
    assert numtorch.equal(g(x, k=3), f(x, k=3))
    deco = numtorch.compile(mode="max-autotune", fullgraph=True, dynamic=False)
    assert numtorch.equal(deco(f)(x), f(x))
    assert numtorch.compile(f, disable=True) is f
    _, _, nm = _pair()
    assert numtorch.compile(nm, disable=True) is nm


def test_is_compiling_inside_compiled_code():
    torch = need_torch()
    seen = {}
    for lib in (torch, numtorch):
        @lib.compile(backend="eager")
        def f(x):
            return x + 1, lib.compiler.is_compiling()

        class M(lib.nn.Module):
            def forward(self, x):
                return x * 2, lib.compiler.is_compiling()
        m = M()
        outside = m(lib.ones(2))[1]
        assert m.compile(backend="eager") is None
        assert list(m.state_dict()) == []
        seen[lib.__name__] = (f(lib.ones(2))[1], outside, m(lib.ones(2))[1], lib.compiler.is_compiling())
    assert seen["numtorch"] == seen["torch"] == (True, False, True, False)


def test_disable_runs_eagerly_inside_compiled_code():
    inner = numtorch.compiler.disable(lambda: numtorch.compiler.is_compiling())
    outer = numtorch.compile(lambda: (inner(), numtorch.compiler.is_compiling()))
    assert outer() == (False, True)
    assert numtorch.compiler.disable()(len)("ab") == 2


@pytest.mark.parametrize("kwargs", [{"mode": "fastest"}, {"mode": "default", "options": {}},
                                    {"backend": "no-such-backend"}])
def test_argument_errors(kwargs):
    torch = need_torch()
    msgs = []
    for lib in (torch, numtorch):
        with pytest.raises(RuntimeError) as info:
            lib.compile(lib.nn.Linear(2, 2), **kwargs)
        msgs.append((type(info.value).__name__, str(info.value)))
    assert msgs[0] == msgs[1]


def test_non_callable():
    torch = need_torch()
    msgs = []
    for lib in (torch, numtorch):
        with pytest.raises(AssertionError) as info:
            lib.compile(3)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_compiler_namespace():
    torch = need_torch()
    assert numtorch.compiler.list_backends() == torch.compiler.list_backends()
    assert numtorch.compiler.reset() is None
    assert numtorch.compiler.is_exporting() is torch.compiler.is_exporting() is False
    assert numtorch.compiler.is_dynamo_compiling() is torch.compiler.is_dynamo_compiling() is False
