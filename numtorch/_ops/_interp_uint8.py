"""torch's CPU bilinear and bicubic interpolation of uint8 images (plain and antialiased), bit for bit.

torch does not resample uint8 pixels in floating point but with Pillow-SIMD's fixed-point scheme: per
resized axis it computes the filter taps in float64, quantises them to int16 at a power-of-two precision
chosen from the largest tap, sums pixel * tap in 32-bit integers from a half-unit bias, shifts back and
saturates to 0..255. The width is resampled first and stored as uint8, then the height. Integer sums do
not depend on their order, so torch's AVX2 loops (up to 4 channels) and its generic loops (more channels)
give the same pixels, except for a quirk of the generic height pass reproduced in ``_one_row_per_run``.
The tap arithmetic below follows torch's float64 steps one by one; the passes are vectorised gathers.
torch's internal assert on 3-channel images resized to 1x1 is raised as torch raises it; the width-1
views that torch misreads (``_reads_right_pixels``) raise the caller's not-implemented error instead.
"""
import math

import numpy as np

from .._config import get_num_threads
from .._tensor import Tensor
from . import _interp
from .layouts import suggest_format

_GRAIN = 32768  # torch's TensorIterator grain size: smaller loops are not split between threads


def _filter(x, cubic, a):
    """Pillow's triangle, or Keys' cubic with parameter ``a``, at distances ``x`` (float64)."""
    x = np.abs(x)
    if not cubic:
        return np.where(x < 1, 1.0 - x, 0.0)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _aa_taps(L, o, s, cubic):
    """Antialiased taps: the filter widened by the downscale factor, renormalised per output pixel."""
    support = (2.0 if cubic else 1.0) * (s if s >= 1 else 1.0)
    width = int(math.ceil(support)) * 2 + 1
    center = s * (np.arange(o) + 0.5)
    inv = 1.0 / s if s >= 1 else 1.0
    lo = np.maximum((center - support + 0.5).astype(np.int64), 0)
    size = np.clip(np.minimum((center + support + 0.5).astype(np.int64), L) - lo, 0, width)
    w = np.zeros((o, width))
    total = np.zeros(o)
    for j in range(width):  # the normalising total is summed left to right, as torch does
        x = ((lo + j).astype(np.float64) - center + 0.5) * inv
        w[:, j] = np.where(j < size, _filter(x, cubic, -0.5), 0.0)
        total = total + w[:, j]
    live = total != 0
    w[live] /= total[live, None]
    return lo, size, w, float(np.max(w[live], initial=0.0))


def _plain_taps(L, o, align_corners, scale, cubic):
    """Taps without antialiasing: 2 or 4 around the source point, those past an edge added onto it."""
    k = 4 if cubic else 2
    half = k // 2
    real = _interp.source_index(L, o, align_corners, scale, np.float64, cubic)
    # torch floors with floorf, which first rounds the float64 coordinate to float32
    base = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), L - 1)
    lam = np.clip(real - base, 0.0, 1.0)
    first = base - half + 1
    lo = np.maximum(first, 0)
    size = np.clip(np.minimum(base + half + 1, L) - lo, 0, k)
    w = np.zeros((o, k))
    rows = np.arange(o)
    slot = np.zeros(o, dtype=np.int64)
    top = 0.0
    for j in range(k):
        pos = first + j
        slot = np.where(pos <= 0, 0, np.where(pos >= L - 1, size - 1, slot))
        w[rows, slot] += _filter(float(j + 1 - half) - lam, cubic, -0.75)
        # the precision comes from the largest running sum, not only from the final taps
        top = max(top, float(w[rows, slot].max()))
        slot = slot + 1
    return lo, size, w, top


def _int16_taps(L, o, align_corners, scale, cubic, antialias):
    """(first input index, int16 taps as int64 [o, k], precision in bits) for one axis."""
    if antialias:
        lo, size, w, top = _aa_taps(L, o, float(_interp.source_scale(L, o, align_corners, scale, np.float64)), cubic)
    else:
        lo, size, w, top = _plain_taps(L, o, align_corners, scale, cubic)
    bits = 0
    while bits < 22 and int(0.5 + top * (1 << (bits + 1))) < (1 << 15):
        bits += 1
    v = w * (1 << bits)
    q = np.where(v < 0, np.trunc(v - 0.5), np.trunc(v + 0.5)).astype(np.int64)
    q[np.arange(w.shape[1]) >= size[:, None]] = 0
    return lo, q, bits


def _resample_axis(xp, arr, axis, taps):
    lo, q, bits = taps
    L = arr.shape[axis]
    src = xp.moveaxis(arr, axis, -1)
    acc = xp.full(src.shape[:-1] + (len(lo),), 1 << (bits - 1), dtype=np.int64)
    for j in range(q.shape[1]):
        acc += src[..., xp.asarray(np.minimum(lo + j, L - 1))].astype(np.int64) * xp.asarray(q[:, j])
    acc = ((acc + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)  # torch's int32 sums wrap
    return xp.moveaxis(xp.clip(acc >> bits, 0, 255).astype(np.uint8), -1, axis)


def _one_row_per_run(xp, out):
    """torch's generic kernel (more than 4 channels, channels-first output) with an output width of 1.

    Its height pass reads the source row and taps once per innermost loop run, assuming the run goes
    along the width; with width 1 the run goes down the height, so each run repeats its first row. Runs
    are the columns, further cut where the flat range is split between threads.
    """
    n = out.size
    rows = out.shape[2]
    starts = np.arange(0, n, rows)
    threads = get_num_threads()
    if n >= _GRAIN and threads > 1:
        chunk = -(-n // min(threads, -(-n // _GRAIN)))
        starts = np.union1d(starts, np.arange(0, n, chunk))
    first = starts[np.searchsorted(starts, np.arange(n), side="right") - 1]
    return out.reshape(-1)[xp.asarray(first)].reshape(out.shape)


def _reads_right_pixels(input, out_size):
    """Whether torch reads the right pixels, so that its result can be reproduced.

    For up to 4 channels torch repacks each image reading pixel i at i times the width stride. When the
    width is 1 that stride is free in a tensor torch deems contiguous, and if it differs from the height
    stride torch reads other pixels, some outside the tensor.
    """
    from .. import channels_last
    c, h, w = input.shape[1:]
    if c > 4 or w != 1 or h == 1 or (h, w) == tuple(out_size):
        return True
    last = input.is_contiguous(memory_format=channels_last)
    if not (last or input.is_contiguous()) or (last and c in (3, 4)):
        return True  # torch copies such inputs to channels-last, or reads them without repacking
    return input.stride(2) == input.stride(3)


def _packing_assert(input, out_size):
    """torch's AVX2 kernel writes a 3-channel image it repacked to 4 channels straight into an output that
    looks channels-last (a 1x1 channels-first one does) and fails an internal assert on the height pass."""
    from .. import channels_last
    repacked = input.is_contiguous() and not input.is_contiguous(memory_format=channels_last)
    if input.shape[1] == 3 and repacked and tuple(out_size) == (1, 1) and input.shape[2] > 1:
        raise RuntimeError('num_channels == unpacked_output.size(0) INTERNAL ASSERT FAILED at "/__w/pytorch/'
                           'pytorch/aten/src/ATen/native/cpu/UpSampleKernelAVXAntialias.h":269, please report a '
                           'bug to PyTorch. ')


def interpolate(input, out_size, mode, align_corners, scales, antialias, unsupported):
    """``interpolate`` of a uint8 (N, C, H, W) tensor in "bilinear" or "bicubic" mode, as torch's CPU.

    Raises ``unsupported`` where torch reads pixels from the wrong place (see ``_reads_right_pixels``).
    """
    _packing_assert(input, out_size)
    if not _reads_right_pixels(input, out_size):
        raise unsupported
    arr, xp = input._data, input._xp
    out = arr
    for axis in (3, 2):  # width first, as torch
        L, o = arr.shape[axis], out_size[axis - 2]
        if L != o:
            taps = _int16_taps(L, o, bool(align_corners), scales[axis - 2], mode == "bicubic", antialias)
            out = _resample_axis(xp, out, axis, taps)
    last = suggest_format(arr.shape, input.stride()) is not None
    height_pass = arr.shape[2] != out_size[0]
    if arr.shape[1] > 4 and not last and height_pass and out_size[1] == 1 and out_size[0] > 1 and out.size:
        out = _one_row_per_run(xp, out)
    # fresh copies, so that size-1 dimensions get torch's strides too
    if last:
        return Tensor._wrap(out.transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2))
    return Tensor._wrap(out.copy())
