"""uint8 bilinear and bicubic interpolation (plain and antialiased) against torch, pixel for pixel.

torch computes these with fixed-point integer kernels; every comparison here is exact, strides included.
"""
import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import check, check_raises, need_torch

MODES = ["bilinear", "bicubic"]


def F(lib):
    return lib.nn.functional


def pixels(*shape, seed=0):
    """Full-range uint8 data with a third of the pixels forced to 0 or 255, so bicubic overshoot saturates."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, shape)
    extreme = rng.random(shape) < 0.35
    return np.where(extreme, 255 * rng.integers(0, 2, shape), x).astype(np.uint8)


def same(x, **kw):
    check(lambda m, t: F(m).interpolate(t, **kw), x, grad=False, strides=True)


SIZES = {
    "up": ((5, 7), (11, 16)),
    "down": ((23, 19), (9, 7)),
    "down37to5": ((37, 37), (5, 5)),
    "non_integer": ((13, 17), (8, 29)),
    "equal": ((6, 9), (6, 9)),
    "height_only": ((6, 9), (14, 9)),
    "width_only": ((6, 9), (6, 4)),
    "from_1px": ((1, 1), (4, 3)),
    "to_1px": ((9, 8), (1, 1)),
    "row_to_column": ((1, 12), (7, 1)),
}


@pytest.mark.parametrize("case", sorted(SIZES))
@pytest.mark.parametrize("align_corners", [None, False, True])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_sizes(mode, antialias, align_corners, case):
    (h, w), size = SIZES[case]
    channels = 4 if size == (1, 1) else 3  # torch fails an assert for 3 channels to 1x1 (test_rgb_to_1x1)
    same(pixels(2, channels, h, w, seed=h * w), size=size, mode=mode, antialias=antialias,
         align_corners=align_corners)


@pytest.mark.parametrize("mode", MODES)
def test_huge_downscale(mode):
    """Antialiased taps so small that torch's fixed-point precision reaches its 22-bit cap."""
    same(pixels(1, 2, 3, 1200, seed=6), size=(2, 2), mode=mode, antialias=True)


SCALES = [(0.3, 1.7), (2.5, 0.45), (1.33, 1.33), 0.13, (1.05, 2.0)]


@pytest.mark.parametrize("recompute", [None, False, True])
@pytest.mark.parametrize("scale", SCALES, ids=str)
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_scale_factor(mode, antialias, scale, recompute):
    # (1.05, 2.0) keeps the height of 10 (torch then skips that axis whatever the scale)
    same(pixels(1, 3, 10, 23, seed=5), scale_factor=scale, recompute_scale_factor=recompute, mode=mode,
         antialias=antialias)


def _view(t, layout):
    if layout == "channels_last":  # stored NHWC
        return t.permute(0, 3, 1, 2)
    if layout == "sliced":
        return t[:, :, 1:, ::2]
    return t.transpose(2, 3)  # stored with height and width swapped


@pytest.mark.parametrize("layout", ["contiguous", "channels_last", "sliced", "transposed"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("mode,antialias", [("bilinear", False), ("bilinear", True), ("bicubic", False),
                                            ("bicubic", True)])
def test_channels_and_layouts(mode, antialias, batch, channels, layout):
    shape = {"channels_last": (batch, 11, 14, channels), "transposed": (batch, channels, 14, 11)}
    x = pixels(*shape.get(layout, (batch, channels, 11, 14)), seed=channels)

    def fn(m, t):
        if layout != "contiguous":
            t = _view(t, layout)
        return F(m).interpolate(t, size=(8, 17), mode=mode, antialias=antialias)
    check(fn, x, grad=False, strides=True)


@pytest.mark.parametrize("channels", [4, 5])
@pytest.mark.parametrize("mode,antialias", [("bilinear", False), ("bicubic", True)])
def test_output_width_one(mode, antialias, channels):
    """With more than 4 channels torch's generic kernel repeats each column's first output row (not for a
    channels-last output, nor with 4 channels, which take the AVX2 kernel)."""
    x = pixels(3, channels, 9, 6, seed=2)
    same(x, size=(13, 1), mode=mode, antialias=antialias)
    check(lambda m, t: F(m).interpolate(t.permute(0, 3, 1, 2), size=(13, 1), mode=mode, antialias=antialias),
          x.transpose(0, 2, 3, 1).copy(), grad=False, strides=True)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_output_width_one_split_between_threads(threads):
    """Past torch's grain size the repeated rows restart where the threads' ranges begin."""
    torch = need_torch()
    saved = torch.get_num_threads(), numtorch.get_num_threads()
    torch.set_num_threads(threads)
    numtorch.set_num_threads(threads)
    try:
        same(pixels(1, 5, 40, 3, seed=3), size=(13111, 1), mode="bilinear")
    finally:
        torch.set_num_threads(saved[0])
        numtorch.set_num_threads(saved[1])


def test_empty_batch():
    same(pixels(0, 3, 5, 6), size=(7, 2), mode="bicubic")


@pytest.mark.parametrize("mode,antialias", [("bilinear", False), ("bicubic", True)])
def test_misread_view_raises(mode, antialias):
    """torch repacks up to 4 channels reading pixel i at i times the width stride. A width-1 tensor that
    counts as contiguous may have any width stride; where it differs from the height stride torch reads
    other pixels (some outside the tensor), so numtorch raises its not-implemented error instead."""
    x = pixels(2, 2, 1, 9)
    view = numtorch.tensor(x).transpose(2, 3)
    assert view.is_contiguous() and view.stride()[2:] == (1, 9)
    with pytest.raises(NotImplementedError):
        F(numtorch).interpolate(view, size=(6, 3), mode=mode, antialias=antialias)
    same(x.transpose(0, 1, 3, 2).copy(), size=(6, 3), mode=mode, antialias=antialias)


@pytest.mark.parametrize("hw", [(5, 6), (5, 1), (1, 6)])
@pytest.mark.parametrize("channels", [3, 4])
def test_rgb_to_1x1(channels, hw):
    """A 1x1 output also counts as channels-last: torch writes its 4-channel repacking straight into it,
    which for 3 channels fails an internal assert once the height is resampled."""
    x = pixels(2, channels, *hw, seed=4)
    for mode, antialias in (("bilinear", False), ("bicubic", True)):
        if channels == 3 and hw[0] > 1:
            ne, te = check_raises(lambda m, t: F(m).interpolate(t, size=(1, 1), mode=mode, antialias=antialias), x)
            assert str(ne) == str(te)
        else:
            same(x, size=(1, 1), mode=mode, antialias=antialias)


def test_errors_unchanged():
    x = pixels(1, 3, 4, 5)
    same(x, size=(3, 3), mode="bilinear", antialias=True)
    check_raises(lambda m, t: F(m).interpolate(t, size=(0, 3), mode="bilinear"), x)
    check_raises(lambda m, t: F(m).interpolate(t, size=(3, 3), scale_factor=2.0, mode="bicubic"), x)
    check_raises(lambda m, t: F(m).interpolate(t[0], size=3, mode="bilinear"), x)
    check_raises(lambda m, t: F(m).interpolate(t[0], size=3, mode="linear"), x)
    check_raises(lambda m, t: F(m).interpolate(t, size=(3, 3), mode="bilinear", antialias=True,
                                               recompute_scale_factor=True), x)
