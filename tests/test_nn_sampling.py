"""Padding, interpolation and shuffles against the torch oracle."""
import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import check, check_raises, need_torch, rand

X4 = rand(2, 3, 4, 5, dtype="float64")
X3 = rand(2, 3, 6, dtype="float64")
X5 = rand(1, 2, 3, 4, 5, dtype="float64")
F32 = rand(2, 3, 5, 7)


def F(lib):
    return lib.nn.functional


PADS = [(1, 2), (1, 1, 2, 0), (-1, 2, 1, -2), (3, 3, 3, 3), (0, 0, 1, 1)]


@pytest.mark.parametrize("p", PADS)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("x", [X4, X4[0], X4[0].transpose(0, 2, 1)], ids=["4d", "3d", "T"])
def test_pad(p, mode, x):
    check(lambda m, t: F(m).pad(t, p, mode=mode), x)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_1d_3d(mode):
    check(lambda m, t: F(m).pad(t, (2, 1), mode=mode), X3)
    check(lambda m, t: F(m).pad(t, (2, 1), mode=mode), X3[0])
    check(lambda m, t: F(m).pad(t, (1, 2, 1, 0, 2, 1), mode=mode), X5)
    check(lambda m, t: F(m).pad(t, (1, -1, 1, 0, -1, 1), mode=mode), X5[0])


def test_pad_constant_extra():
    check(lambda m, t: F(m).pad(t, (1, 1, 1, 1, 1, 1, 1, 1), value=2.5), X4)
    check(lambda m, t: F(m).pad(t, (1, 1), value=1.5), (X4 * 5).astype("int64"), grad=False)
    check(lambda m, t: F(m).pad(t, (1, 1), value=True), X4 > 0, grad=False)
    check(lambda m, t: F(m).pad(t, (2, -3)), X4)
    check(lambda m, t: F(m).pad(t, ()), X4)
    check(lambda m, t: F(m).pad(t, (1, 1, 1, 1), mode="replicate"), (X4 * 5).astype("int64"), grad=False)
    check(lambda m, t: F(m).pad(t, (1, 1), mode="reflect"), np.zeros((0, 2, 3)))
    check(lambda m, t: m.constant_pad_nd(t, (1, 2), 3.0), X3)
    check(lambda m, t: F(m).pad(t, (1, 1), mode="reflect"), X3.astype("float32"))


PAD_ERRORS = [
    lambda m, t: F(m).pad(t, (1,)),
    lambda m, t: F(m).pad(t, (1,) * 10),
    lambda m, t: F(m).pad(t, (-3, -3)),
    lambda m, t: F(m).pad(t, (1, 1), mode="reflect"),
    lambda m, t: F(m).pad(t, (5, 5, 1, 1), mode="reflect"),
    lambda m, t: F(m).pad(t, (1, 1, 4, 4), mode="reflect"),
    lambda m, t: F(m).pad(t, (6, 6, 1, 1), mode="circular"),
    lambda m, t: F(m).pad(t[0, 0, 0], (1, 1), mode="reflect"),
    lambda m, t: F(m).pad(t, (1, 1), mode="foo"),
    lambda m, t: F(m).pad(t, (1, 1, 1, 1), mode="reflect", value=1.0),
    lambda m, t: F(m).pad(t[:, :0], (1, 1, 1, 1), mode="reflect"),
    lambda m, t: F(m).pad(t.bool(), (1, 1, 1, 1), mode="reflect"),
]


@pytest.mark.parametrize("fn", PAD_ERRORS)
def test_pad_errors(fn):
    check_raises(fn, X4)


INTERP = [dict(scale_factor=2), dict(size=(3, 11)), dict(scale_factor=1.7), dict(scale_factor=(0.6, 2.3)),
          dict(scale_factor=1.7, recompute_scale_factor=True), dict(size=5), dict(scale_factor=0.5)]


@pytest.mark.parametrize("kw", INTERP)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area"])
def test_interpolate2d(kw, mode):
    check(lambda m, t: F(m).interpolate(t, mode=mode, **kw), F32, atol=1e-5)
    check(lambda m, t: F(m).interpolate(t, mode=mode, **kw), F32.astype("float64"))
    if mode in ("bilinear", "bicubic"):
        check(lambda m, t: F(m).interpolate(t, mode=mode, align_corners=True, **kw), F32, atol=1e-5)


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=11), dict(scale_factor=0.7), dict(size=1)])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear", "area"])
def test_interpolate1d(kw, mode):
    check(lambda m, t: F(m).interpolate(t, mode=mode, **kw), X3)
    if mode == "linear":
        check(lambda m, t: F(m).interpolate(t, mode=mode, align_corners=True, **kw), X3)


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(2, 5, 7)), dict(scale_factor=(1.5, 0.5, 1.3))])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "trilinear", "area"])
def test_interpolate3d(kw, mode):
    check(lambda m, t: F(m).interpolate(t, mode=mode, **kw), X5)
    if mode == "trilinear":
        check(lambda m, t: F(m).interpolate(t, mode=mode, align_corners=True, **kw), X5)


def test_interpolate_misc():
    check(lambda m, t: F(m).interpolate(t[:, :, ::2].transpose(-1, -2), scale_factor=2, mode="bilinear"), F32)
    check(lambda m, t: F(m).interpolate(t, scale_factor=2, mode="bilinear"), F32.astype("float16"), grad=False,
          atol=1e-2, rtol=1e-2)
    check(lambda m, t: F(m).interpolate(t, size=4), np.zeros((0, 2, 3, 3)))
    check(lambda m, t: F(m).upsample_bilinear(t, scale_factor=2), F32)
    check(lambda m, t: F(m).upsample_nearest(t, size=(6, 9)), F32)
    check(lambda m, t: F(m).upsample(t, scale_factor=3, mode="bicubic"), F32, atol=1e-5)


INTERP_ERRORS = [
    lambda m, t: F(m).interpolate(t),
    lambda m, t: F(m).interpolate(t, size=3, scale_factor=2),
    lambda m, t: F(m).interpolate(t, size=(3,)),
    lambda m, t: F(m).interpolate(t, scale_factor=(2,)),
    lambda m, t: F(m).interpolate(t, size=3, mode="linear"),
    lambda m, t: F(m).interpolate(t[0], size=3, mode="bilinear"),
    lambda m, t: F(m).interpolate(t, size=3, mode="trilinear"),
    lambda m, t: F(m).interpolate(t, size=3, align_corners=True),
    lambda m, t: F(m).interpolate(t, size=3, mode="foo"),
    lambda m, t: F(m).interpolate(t, size=0),
    lambda m, t: F(m).interpolate(t[0, 0], size=3),
    lambda m, t: F(m).interpolate(t.long(), size=3),
    lambda m, t: F(m).interpolate(t, size=4, recompute_scale_factor=True),
    lambda m, t: F(m).interpolate(t, size=4, antialias=True),
    lambda m, t: F(m).interpolate(t[:, :0], size=4),
    lambda m, t: F(m).interpolate(t, scale_factor=-1.0),
]


@pytest.mark.parametrize("fn", INTERP_ERRORS)
def test_interpolate_errors(fn):
    check_raises(fn, X4)


SHUFFLES = [
    (lambda m, t: F(m).pixel_shuffle(t, 2), rand(2, 8, 3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_shuffle(t, 2), rand(8, 3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_shuffle(t, 1), rand(2, 3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_shuffle(t, 3), rand(2, 2, 9, 3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_unshuffle(t, 2), rand(2, 3, 4, 6, dtype="float64")),
    (lambda m, t: F(m).pixel_unshuffle(t.transpose(-1, -2), 2), rand(2, 3, 4, 6, dtype="float64")),
    (lambda m, t: F(m).channel_shuffle(t, 2), rand(2, 6, 3, 4, dtype="float64")),
    (lambda m, t: F(m).channel_shuffle(t, 3), rand(2, 6, 5, dtype="float64")),
    (lambda m, t: m.pixel_shuffle(t, 2), rand(1, 4, 2, 2, dtype="float64")),
    (lambda m, t: m.channel_shuffle(t, 2), rand(1, 4, 2, 2, dtype="float64")),
    (lambda m, t: F(m).pixel_shuffle(t, 2), (rand(2, 8, 3, 4) * 5).astype("int64")),
    (lambda m, t: F(m).pixel_shuffle(t, 2), rand(2, 3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_shuffle(t, 2), rand(3, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_unshuffle(t, 2), rand(2, 3, 5, 4, dtype="float64")),
    (lambda m, t: F(m).pixel_unshuffle(t, 2), rand(2, 3, 4, 5, dtype="float64")),
    (lambda m, t: F(m).channel_shuffle(t, 4), rand(2, 6, 5, dtype="float64")),
    (lambda m, t: F(m).channel_shuffle(t, 0), rand(2, 6, 5, dtype="float64")),
]


@pytest.mark.parametrize("case", SHUFFLES)
def test_shuffles(case):
    fn, x = case
    check(fn, x)


def test_grad_fn_names():
    torch = need_torch()
    cases = [lambda m, t: F(m).pad(t, (1, 1)), lambda m, t: F(m).pad(t, (1, 1, 1, 1), mode="reflect"),
             lambda m, t: F(m).pad(t[0], (1, 1), mode="replicate"),
             lambda m, t: F(m).pad(t, (1, 1, 1, 1), mode="circular"),
             lambda m, t: F(m).interpolate(t, scale_factor=2), lambda m, t: F(m).interpolate(t, size=3,
                                                                                              mode="bilinear"),
             lambda m, t: F(m).interpolate(t, size=3, mode="bicubic"),
             lambda m, t: F(m).interpolate(t, size=3, mode="nearest-exact"),
             lambda m, t: F(m).pixel_unshuffle(t, 2), lambda m, t: F(m).channel_shuffle(t, 3)]
    x = rand(2, 3, 4, 4, dtype="float64")
    for fn in cases:
        a = fn(torch, torch.tensor(x, requires_grad=True))
        b = fn(numtorch, numtorch.tensor(x, requires_grad=True))
        assert b.grad_fn.name() == a.grad_fn.name()


GRADCHECK = [
    lambda m, t: F(m).pad(t, (1, 2, -1, 1)),
    lambda m, t: F(m).pad(t, (1, 2, 1, 1), mode="reflect"),
    lambda m, t: F(m).pad(t, (1, 2, 1, 1), mode="replicate"),
    lambda m, t: F(m).pad(t, (1, 2, 1, 1), mode="circular"),
    lambda m, t: F(m).interpolate(t, scale_factor=1.5),
    lambda m, t: F(m).interpolate(t, scale_factor=1.5, mode="bilinear"),
    lambda m, t: F(m).interpolate(t, size=(4, 3), mode="bicubic", align_corners=True),
    lambda m, t: F(m).interpolate(t[0], size=5, mode="linear"),
    lambda m, t: F(m).interpolate(t[None], scale_factor=(1, 2, 1), mode="trilinear"),
    lambda m, t: F(m).interpolate(t, size=2, mode="area"),
    lambda m, t: F(m).pixel_shuffle(t.reshape(1, 4, 3, 2), 2),
    lambda m, t: F(m).pixel_unshuffle(t[..., :2], 2),
    lambda m, t: F(m).channel_shuffle(t.reshape(1, 4, 3, 2), 2),
]


@pytest.mark.parametrize("fn", GRADCHECK)
def test_gradcheck(fn):
    x = numtorch.tensor(rand(1, 2, 4, 3, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: fn(numtorch, t), (x,))
    assert numtorch.autograd.gradgradcheck(lambda t: fn(numtorch, t), (x,))


LAYERS = [
    ("ReflectionPad1d", (2,), X3), ("ReflectionPad2d", ((1, 2, 0, 3),), X4), ("ReflectionPad3d", (1,), X5),
    ("ReplicationPad1d", ((1, 3),), X3), ("ReplicationPad2d", (2,), X4), ("ReplicationPad3d", (1,), X5),
    ("ZeroPad1d", (2,), X3), ("ZeroPad2d", ((1, 0, 2, 1),), X4), ("ZeroPad3d", (1,), X5),
    ("ConstantPad1d", (2, 3.5), X3), ("ConstantPad2d", ((1, 0, 2, 1), -1), X4), ("ConstantPad3d", (1, 2.0), X5),
    ("CircularPad1d", (2,), X3), ("CircularPad2d", ((1, 0, 2, 1),), X4), ("CircularPad3d", (1,), X5),
    ("PixelShuffle", (2,), rand(2, 8, 3, 4, dtype="float64")), ("PixelUnshuffle", (2,), X4[..., :4]),
    ("ChannelShuffle", (3,), X4),
    ("UpsamplingNearest2d", (None, 2), X4), ("UpsamplingBilinear2d", ((3, 7),), X4),
]


@pytest.mark.parametrize("name,args,x", LAYERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(name, args, x, dtype):
    torch = need_torch()
    mods = {lib: getattr(lib.nn, name)(*args) for lib in (torch, numtorch)}
    assert repr(mods[numtorch]) == repr(mods[torch])
    for train in (True, False):
        check(lambda m, t: mods[m].train(train)(t), x.astype(dtype), atol=1e-5)


UPSAMPLE = [dict(scale_factor=2), dict(size=3, mode="bilinear", align_corners=True),
            dict(scale_factor=(2, 1.5), mode="bicubic"), dict(size=(3, 4), mode="area"),
            dict(scale_factor=1.7, mode="nearest-exact", recompute_scale_factor=True)]


@pytest.mark.parametrize("kw", UPSAMPLE)
def test_upsample(kw):
    torch = need_torch()
    mods = {lib: lib.nn.Upsample(**kw) for lib in (torch, numtorch)}
    assert repr(mods[numtorch]) == repr(mods[torch])
    check(lambda m, t: mods[m](t), X4)
