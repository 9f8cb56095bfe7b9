"""Oracle tests for numtorch.fft against real torch: values, dtypes, shapes, errors, complex gradients."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, check, check_raises, need_torch, rand

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]
REAL_ONLY = {"rfft", "ihfft", "rfftn", "rfft2"}
TOL = {"float32": (1e-5, 1e-4), "float64": (1e-10, 1e-9)}

ONE_D_KW = [{}, {"n": 1}, {"n": 3}, {"n": 9}, {"dim": 0}, {"dim": -2, "n": 2}, {"norm": "ortho"},
            {"norm": "forward"}, {"norm": "backward", "n": 6}]
N_D_KW = [{}, {"dim": (0,)}, {"dim": (1, 0)}, {"dim": (-1, 0), "s": (3, 5)}, {"s": (4, 2)}, {"s": (-1, 3)},
          {"norm": "ortho"}, {"norm": "forward", "s": (2, 6)}]


def fn(name, kw, post=None):
    def run(m, x):
        y = getattr(m.fft, name)(x, **kw)
        return post(y) if post else y
    return run


def cplx(*shape, dtype="complex128", seed=0):
    return (rand(*shape, seed=seed) + 1j * rand(*shape, seed=seed + 1)).astype(dtype)


@pytest.mark.parametrize("kw", ONE_D_KW)
@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_one_dim_real_input(name, kw, dtype):
    atol, rtol = TOL[dtype]
    check(fn(name, kw), rand(4, 6, dtype=dtype), atol=atol, rtol=rtol)


@pytest.mark.parametrize("kw", ONE_D_KW)
@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_one_dim_complex_input(name, kw, dtype):
    atol, rtol = TOL["float32" if dtype == "complex64" else "float64"]
    check(fn(name, kw), cplx(4, 6, dtype=dtype), atol=atol, rtol=rtol)


@pytest.mark.parametrize("kw", N_D_KW)
@pytest.mark.parametrize("name", N_D)
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_n_dim(name, kw, dtype):
    data = rand(3, 4, dtype=dtype) if dtype == "float64" else cplx(3, 4)
    check(fn(name, kw), data, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("kw", [{}, {"dim": (0, 2)}, {"s": (2, 3, 4)}, {"dim": (2, 0, 1), "s": (3, 2, 5)},
                                {"dim": ()}, {"dim": 1}])
@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "irfftn"])
def test_three_dim(name, kw):
    check(fn(name, kw), rand(2, 3, 4, dtype="float32"), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name", ONE_D + N_D)
@pytest.mark.parametrize("view", ["transposed", "sliced", "expanded"])
def test_non_contiguous(name, view):
    make = {"transposed": lambda x: x.mT, "sliced": lambda x: x[::2, 1:],
            "expanded": lambda x: x[:1].expand(3, 5)}
    check(lambda m, x: getattr(m.fft, name)(make[view](x)), rand(5, 5, dtype="float64"), atol=1e-10,
          rtol=1e-9)


@pytest.mark.parametrize("name", ONE_D + N_D)
@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
def test_integer_inputs_use_default_float(name, dtype):
    check(fn(name, {}), rand(3, 4, dtype=dtype), grad=False, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "fftn"])
def test_integer_inputs_follow_default_dtype(name):
    torch = need_torch()
    for lib in (numtorch, torch):
        lib.set_default_dtype(lib.float64)
    check(fn(name, {}), rand(5, dtype="int64"), grad=False, atol=1e-10)


@pytest.mark.parametrize("name", ["fftn", "ifftn", "fft2"])
def test_no_dims_is_a_complex_copy(name):
    check(fn(name, {"dim": ()}), rand(2, 3, dtype="float64"))
    check(fn("fftn", {}), np.array(2.5))


@pytest.mark.parametrize("post", ["abs", "real", "imag", "angle"])
@pytest.mark.parametrize("name,kw", [("fft", {}), ("ifft", {"n": 7}), ("rfft", {"n": 5}), ("ihfft", {}),
                                     ("fftn", {"s": (2, 5)}), ("rfftn", {"norm": "ortho"}),
                                     ("rfft2", {"s": (4, 3)})])
def test_gradients_of_complex_outputs(name, kw, post):
    check(fn(name, kw, lambda y: getattr(y, post)() if post in ("abs", "angle") else getattr(y, post)),
          rand(3, 4, dtype="float64", seed=3), atol=1e-10, rtol=1e-8)


def _complex_grads(name, kw, data, post):
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        z = lib.tensor(data, requires_grad=True)
        y = getattr(lib.fft, name)(z, **kw)
        loss = (post(y) * lib.tensor(rand(*y.shape, dtype="float64", seed=5))).sum()
        (g,) = lib.autograd.grad(loss, [z])
        out[lib] = g
    return out[numtorch], out[torch]


@pytest.mark.parametrize("name,kw", [("fft", {}), ("ifft", {"norm": "ortho"}), ("irfft", {}),
                                     ("irfft", {"n": 7}), ("irfft", {"n": 3}), ("hfft", {"n": 5}),
                                     ("fftn", {"s": (5, 2)}),
                                     ("irfftn", {}), ("irfft2", {"s": (3, 8), "norm": "forward"}),
                                     ("ifft2", {"s": (2, 2)})])
def test_complex_input_gradients(name, kw):
    post = (lambda y: y.abs()) if y_is_complex(name) else (lambda y: y)
    n, t = _complex_grads(name, kw, cplx(3, 4, seed=7), post)
    assert_same(n, t, atol=1e-10, rtol=1e-8)


def y_is_complex(name):
    return name in ("fft", "ifft", "fftn", "ifftn", "fft2", "ifft2")


@pytest.mark.parametrize("name,kw", [("fft", {"n": 6}), ("ifft", {}), ("rfft", {"n": 3}), ("irfft", {"n": 5}),
                                     ("hfft", {}), ("ihfft", {"norm": "forward"}), ("fftn", {"s": (2, 5)}),
                                     ("rfftn", {}), ("irfftn", {"s": (3, 5)}), ("rfft2", {"norm": "ortho"})])
@pytest.mark.parametrize("complex_input", [False, True])
def test_gradcheck(name, kw, complex_input):
    if complex_input and name in REAL_ONLY:
        return
    data = cplx(3, 4, seed=2) if complex_input else rand(3, 4, dtype="float64", seed=2)
    x = numtorch.tensor(data, requires_grad=True)
    f = fn(name, kw)
    assert numtorch.autograd.gradcheck(lambda t: f(numtorch, t), (x,))
    assert numtorch.autograd.gradgradcheck(lambda t: f(numtorch, t), (x,))


@pytest.mark.parametrize("name,kw,node", [("fft", {}, "FftR2CBackward0"), ("ifft", {}, "ConjBackward0"),
                                          ("rfft", {}, "FftR2CBackward0"), ("irfft", {}, "FftC2RBackward0"),
                                          ("fftn", {}, "FftC2CBackward0"), ("hfft", {}, "FftC2RBackward0"),
                                          ("rfft2", {}, "FftR2CBackward0")])
def test_node_names(name, kw, node):
    torch = need_torch()
    for lib in (torch, numtorch):
        x = lib.ones(2, 4, requires_grad=True)
        assert getattr(lib.fft, name)(x, **kw).grad_fn.name() == node


def test_padding_and_trimming_are_differentiable():
    check(lambda m, x: m.fft.rfft(x, n=9).abs(), rand(5, dtype="float64"))
    check(lambda m, x: m.fft.fft(x[1:], n=2).real, rand(5, dtype="float64"))


ERRORS = [
    ("n zero", lambda m, x: m.fft.fft(x, n=0)),
    ("n negative", lambda m, x: m.fft.rfft(x, n=-1)),
    ("irfft size 1", lambda m, x: m.fft.irfft(x[:, :1])),
    ("dim out of range", lambda m, x: m.fft.fft(x, dim=2)),
    ("fft2 of 1-d", lambda m, x: m.fft.fft2(x[0])),
    ("0-d input", lambda m, x: m.fft.fft(x[0, 0])),
    ("0-d rfftn", lambda m, x: m.fft.rfftn(x[0, 0])),
    ("empty transformed dim", lambda m, x: m.fft.fft(x[:0], dim=0)),
    ("empty batch", lambda m, x: m.fft.fft(x[:0])),
    ("empty batch rfft", lambda m, x: m.fft.rfft(x[:0])),
    ("bad norm", lambda m, x: m.fft.fft(x, norm="bad")),
    ("s and dim lengths", lambda m, x: m.fft.fftn(x, s=(2,), dim=(0, 1))),
    ("repeated dims", lambda m, x: m.fft.fftn(x, dim=(0, 0))),
    ("repeated dims negative", lambda m, x: m.fft.rfftn(x, dim=(1, -1))),
    ("s too long", lambda m, x: m.fft.fftn(x, s=(2, 2, 2))),
    ("s zero", lambda m, x: m.fft.ifftn(x, s=(0, 2))),
    ("rfftn no dims", lambda m, x: m.fft.rfftn(x, dim=())),
    ("irfftn no dims", lambda m, x: m.fft.irfftn(x, dim=())),
    ("rfft complex", lambda m, x: m.fft.rfft(x.to(m.complex64))),
    ("ihfft complex", lambda m, x: m.fft.ihfft(x.to(m.complex128))),
    ("rfftn complex", lambda m, x: m.fft.rfftn(x.to(m.complex64))),
    ("half", lambda m, x: m.fft.fft(x.half())),
    ("bfloat16", lambda m, x: m.fft.irfft(x.bfloat16())),
    ("half rfft2", lambda m, x: m.fft.rfft2(x.half())),
    ("n float", lambda m, x: m.fft.fft(x, n=2.0)),
    ("dim tuple", lambda m, x: m.fft.fft(x, dim=(0,))),
    ("not a tensor", lambda m, x: m.fft.fft([1.0, 2.0])),
    ("fftfreq int dtype", lambda m, x: m.fft.fftfreq(4, dtype=m.int64)),
    ("rfftfreq int dtype", lambda m, x: m.fft.rfftfreq(4, dtype=m.int32)),
    ("fftfreq negative", lambda m, x: m.fft.fftfreq(-1)),
    ("fftfreq complex", lambda m, x: m.fft.fftfreq(4, dtype=m.complex64)),
    ("fftshift 0-d", lambda m, x: m.fft.fftshift(x[0, 0])),
    ("fftshift dim out of range", lambda m, x: m.fft.fftshift(x, dim=3)),
]


@pytest.mark.parametrize("fn_", [e[1] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(fn_):
    check_raises(fn_, rand(3, 4))


@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.5, 3, 0.0])
@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies(name, n, d):
    check(lambda m: getattr(m.fft, name)(n, d), grad=False)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64", "complex64"])
@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
def test_frequencies_dtype(name, dtype):
    check(lambda m: getattr(m.fft, name)(7, 0.3, dtype=getattr(m, dtype)), grad=False, atol=1e-3)


def test_frequencies_requires_grad():
    torch = need_torch()
    for lib in (torch, numtorch):
        f = lib.fft.fftfreq(4, requires_grad=True)
        assert f.requires_grad and f.is_leaf
    check(lambda m: m.fft.rfftfreq(6, 2.0, requires_grad=True), grad=False)


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1), [1]])
@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("shape", [(5,), (4, 5), (3, 0), (1, 1)])
def test_shifts(name, dim, shape):
    if dim is not None and len(shape) == 1 and dim not in (0, -1):
        return
    check(lambda m, x: getattr(m.fft, name)(x, dim=dim), rand(*shape, dtype="float64"))


def test_shift_inverts_and_keeps_dtype():
    check(lambda m, x: m.fft.ifftshift(m.fft.fftshift(x)), rand(3, 5, dtype="int64"), grad=False)
    check(lambda m, x: m.fft.fftshift(m.fft.fftfreq(6) + x), rand(6))


def test_round_trips():
    check(lambda m, x: m.fft.irfft(m.fft.rfft(x), n=7), rand(2, 7, dtype="float64"), atol=1e-12)
    check(lambda m, x: m.fft.ifftn(m.fft.fftn(x)).real, rand(2, 3, 4, dtype="float64"), atol=1e-12)
    check(lambda m, x: m.fft.hfft(m.fft.ihfft(x), n=6), rand(6, dtype="float64"), atol=1e-12)


@pytest.mark.parametrize("name", ONE_D + N_D)
def test_out_argument(name):
    # out= receives the transform (resized from empty), and is refused when autograd would record.
    def run(m, x):
        f = getattr(m.fft, name)
        probe = f(x)
        out = m.empty(0, dtype=probe.dtype)
        res = f(x, out=out)
        return res is out, out
    check(run, rand(4, 6, dtype="float64"), grad=False)
    check(lambda m: (m.fft.fftfreq(5, out=m.empty(5)), m.fft.rfftfreq(6, 0.5, out=m.empty(0))), grad=False)


def test_out_refuses_autograd():
    check_raises(lambda m, x: m.fft.fft(x.requires_grad_(), out=m.empty(0, dtype=m.complex128)),
                 rand(4, dtype="float64"))
