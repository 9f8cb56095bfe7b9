"""nn.init against torch: same generator draws (bit-exact), gains, fan modes, errors, deprecated aliases."""
import math
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch, to_np

CASES = [
    ("uniform_", (3, 4), {}), ("uniform_", (5,), dict(a=-2, b=3)), ("normal_", (3, 4), dict(mean=1, std=2)),
    ("trunc_normal_", (50, 40), {}), ("trunc_normal_", (50, 40), dict(a=2.0, b=3.0)),
    ("trunc_normal_", (30,), dict(std=0.02)), ("trunc_normal_", (20,), dict(mean=5.0, a=-1.0, b=1.0)),
    ("constant_", (2, 3), dict(val=0.3)), ("ones_", (2,), {}), ("zeros_", (2,), {}), ("eye_", (3, 5), {}),
    ("eye_", (5, 3), {}), ("dirac_", (6, 4, 3, 3), dict(groups=2)), ("dirac_", (4, 6, 3), {}),
    ("dirac_", (2, 2, 3, 3, 3), {}), ("xavier_uniform_", (10, 20), {}), ("xavier_normal_", (10, 20, 3), dict(gain=2)),
    ("kaiming_uniform_", (10, 20), dict(a=math.sqrt(5))), ("kaiming_uniform_", (0, 3), {}),
    ("kaiming_normal_", (7, 3, 3, 3), dict(mode="fan_out", nonlinearity="relu")), ("kaiming_normal_", (3, 0), {}),
    ("kaiming_uniform_", (4, 5), dict(mode="fan_out", nonlinearity="tanh")),
    ("sparse_", (10, 6), dict(sparsity=0.3)), ("sparse_", (4, 3), dict(sparsity=0.0)),
    ("uniform", (3, 3), {}), ("normal", (3,), {}), ("constant", (3,), dict(val=2.0)), ("eye", (2, 2), {}),
    ("dirac", (2, 2, 3), {}), ("xavier_uniform", (3, 4), {}), ("xavier_normal", (3, 4), {}),
    ("kaiming_uniform", (3, 4), {}), ("kaiming_normal", (3, 4), {}), ("sparse", (4, 3), dict(sparsity=0.5)),
]


def _run(lib, init, name, shape, kw, dtype):
    lib.manual_seed(3)
    t = lib.empty(*shape, dtype=getattr(lib, dtype))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = getattr(init, name)(t, **kw)
    assert out is t
    return to_np(t), [(x.category, str(x.message)) for x in w], lib.rand(1).item()


@pytest.mark.parametrize("name,shape,kw", CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_init_bit_exact(name, shape, kw, dtype):
    torch = need_torch()
    t = _run(torch, torch.nn.init, name, shape, kw, dtype)
    n = _run(numtorch, numtorch.nn.init, name, shape, kw, dtype)
    np.testing.assert_array_equal(n[0], t[0])
    assert n[1] == t[1]
    assert n[2] == t[2]  # the generator advanced by the same amount


@pytest.mark.parametrize("shape,gain", [((5, 8), 1), ((8, 5), 1), ((4, 3, 2), 2.0), ((0, 3), 1)])
def test_orthogonal(shape, gain):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(1)
        t = lib.empty(*shape)
        lib.nn.init.orthogonal_(t, gain=gain)
        res.append((to_np(t), lib.rand(1).item()))
    # QR goes through LAPACK in both; the last bits may differ
    np.testing.assert_allclose(res[1][0], res[0][0], atol=1e-5)
    assert res[0][1] == res[1][1]


def test_init_with_generator_and_requires_grad():
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        g = lib.Generator().manual_seed(7)
        p = lib.nn.Parameter(lib.empty(4, 5))
        lib.nn.init.kaiming_uniform_(p, generator=g)
        lib.nn.init.normal_(p, generator=g)
        res.append((to_np(p), p.requires_grad, p.grad_fn, p._version))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    assert res[1][1:] == res[0][1:]


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                                  ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu",), ("conv_transpose3d",)])
def test_calculate_gain(args):
    torch = need_torch()
    assert numtorch.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


ERRORS = [
    ("calculate_gain", ("foo",), {}), ("calculate_gain", ("leaky_relu", True), {}),
    ("calculate_gain", ("leaky_relu", "x"), {}), ("xavier_uniform_", ((3,),), {}),
    ("kaiming_normal_", ((3, 4),), dict(mode="fan")), ("eye_", ((3,),), {}), ("dirac_", ((3, 3),), {}),
    ("dirac_", ((3, 2, 3),), dict(groups=2)), ("orthogonal_", ((3,),), {}), ("sparse_", ((3,),), dict(sparsity=0.1)),
]


@pytest.mark.parametrize("name,args,kw", ERRORS)
def test_init_errors(name, args, kw):
    torch = need_torch()
    types = []
    for lib in (torch, numtorch):
        real = [lib.empty(*a) if isinstance(a, tuple) else a for a in args]
        with pytest.raises(Exception) as e:
            getattr(lib.nn.init, name)(*real, **kw)
        types.append((e.type, str(e.value)))
    assert types[0] == types[1]


def test_fan_in_fan_out():
    torch = need_torch()
    for shape in [(3, 4), (5, 6, 3, 3), (2, 3, 4)]:
        a = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
        b = numtorch.nn.init._calculate_fan_in_and_fan_out(numtorch.empty(*shape))
        assert a == b
