"""Tensor-image kernels behind numtorch.vision.transforms.functional, in torchvision's arithmetic."""
import warnings

import numpy as np

import numtorch
from numtorch.nn import functional as nnF

from . import _sampling

_INT_MAX = {"torch.uint8": 255, "torch.int8": 127, "torch.int16": 32767, "torch.uint16": 65535,
            "torch.int32": 2147483647, "torch.int64": 9223372036854775807}


def _max_value(dtype):
    return _INT_MAX.get(str(dtype), 1)


def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def _need_3d(img):
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")


def _float_of(img):
    return img.dtype if img.is_floating_point() else numtorch.float32


def get_dimensions(img):
    _assert_image_tensor(img)
    return [1 if img.ndim == 2 else img.shape[-3], img.shape[-2], img.shape[-1]]


def get_image_size(img):
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img):
    _assert_image_tensor(img)
    return 1 if img.ndim == 2 else img.shape[-3]


def convert_image_dtype(image, dtype=numtorch.float32):
    if image.dtype == dtype:
        return image
    to_float = numtorch.tensor(0, dtype=dtype).is_floating_point()
    if image.is_floating_point():
        if to_float:
            return image.to(dtype)
        if (image.dtype == numtorch.float32 and dtype in (numtorch.int32, numtorch.int64)) or (
                image.dtype == numtorch.float64 and dtype == numtorch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # scale by max + 1 - eps so that 1.0 lands on max and the bins are equally wide
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    in_max = float(_max_value(image.dtype))
    if to_float:
        return image.to(dtype) / in_max
    out_max = float(_max_value(dtype))
    if in_max > out_max:
        factor = int((in_max + 1) // (out_max + 1))
        return numtorch.div(image, factor, rounding_mode="floor").to(dtype)
    return image.to(dtype) * int((out_max + 1) // (in_max + 1))


def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img, top, left, height, width):
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        ltrb = [max(min(0, right) - left, 0), max(min(0, bottom) - top, 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], ltrb, fill=0)
    return img[..., top:bottom, left:right]


def rgb_to_grayscale(img, num_output_channels=1):
    _need_3d(img)
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        # ITU-R 601-2 luma, with torchvision's rounded coefficients
        lum = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        lum = img.clone()
    return lum.expand(img.shape) if num_output_channels == 3 else lum


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, _max_value(img1.dtype)).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, numtorch.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    ft = _float_of(img)
    gray = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = numtorch.mean(gray.to(ft), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:  # a single channel has no saturation, as in PIL
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = numtorch.max(img, dim=-3).values
    minc = numtorch.min(img, dim=-3).values
    flat = maxc == minc
    span = maxc - minc
    ones = numtorch.ones_like(maxc)
    s = span / numtorch.where(flat, ones, maxc)
    span = numtorch.where(flat, ones, span)
    rc, gc, bc = (maxc - r) / span, (maxc - g) / span, (maxc - b) / span
    # exactly one sector term is non-zero; the masks pick it without branching per pixel
    h = (maxc == r) * (bc - gc)
    h = h + ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    h = h + ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = numtorch.fmod(h / 6.0 + 1.0, 1.0)
    return numtorch.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = numtorch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(dtype=numtorch.int32) % 6
    p = numtorch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = numtorch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = numtorch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    pick = (i.unsqueeze(dim=-3) == numtorch.arange(6).view(-1, 1, 1)).to(img.dtype)
    table = numtorch.stack((numtorch.stack((v, q, p, p, t, v), dim=-3),
                            numtorch.stack((t, v, v, q, p, p), dim=-3),
                            numtorch.stack((p, p, t, v, v, q), dim=-3)), dim=-4)
    return numtorch.einsum("...ijk, ...xijk -> ...xjk", pick, table)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, numtorch.Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    dtype = img.dtype
    h, s, v = _rgb2hsv(convert_image_dtype(img, numtorch.float32)).unbind(dim=-3)
    hsv = numtorch.stack(((h + hue_factor) % 1.0, s, v), dim=-3)
    return convert_image_dtype(_hsv2rgb(hsv), dtype)


def adjust_gamma(img, gamma, gain=1):
    if not isinstance(img, numtorch.Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    dtype = img.dtype
    out = img if img.is_floating_point() else convert_image_dtype(img, numtorch.float32)
    return convert_image_dtype((gain * out.pow(gamma)).clamp(0, 1), dtype)


def _parse_pad(padding):
    """Return [left, right, top, bottom] (F.pad order) from torchvision's 1/2/4-element padding."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def _pad_symmetric(img, p):
    if min(p) < 0:
        cl, cr, ct, cb = (-min(v, 0) for v in p)
        img = img[..., ct:img.shape[-2] - cb, cl:img.shape[-1] - cr]
        p = [max(v, 0) for v in p]
    if img.ndim not in (3, 4):
        raise RuntimeError("Symmetric padding of N-D tensors are not supported yet")

    def index(n, lo, hi):
        return np.concatenate([np.arange(lo - 1, -1, -1), np.arange(n), -1 - np.arange(hi)])

    ys = numtorch.from_numpy(index(img.shape[-2], p[2], p[3]))
    xs = numtorch.from_numpy(index(img.shape[-1], p[0], p[1]))
    return img[..., ys[:, None], xs[None, :]]


def pad(img, padding, fill=0, padding_mode="constant"):
    _assert_image_tensor(img)
    fill = 0 if fill is None else fill
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    p = _parse_pad(padding)
    if padding_mode == "symmetric":
        return _pad_symmetric(img, p)
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(dim=0)
    dtype = img.dtype
    # reflect/replicate only exist for float tensors in torch, so integer images go through float32
    cast = padding_mode != "constant" and dtype not in (numtorch.float32, numtorch.float64)
    if cast:
        img = img.to(numtorch.float32)
    if padding_mode == "constant":
        img = nnF.pad(img, p, mode="constant", value=float(fill))
    else:
        img = nnF.pad(img, p, mode="replicate" if padding_mode == "edge" else "reflect")
    if squeeze:
        img = img.squeeze(dim=0)
    return img.to(dtype) if cast else img


def _cast_squeeze_in(img, dtypes):
    squeeze = img.ndim < 4
    if squeeze:
        img = img.unsqueeze(dim=0)
    out_dtype = img.dtype
    cast = out_dtype not in dtypes
    if cast:
        img = img.to(dtypes[0])
    return img, cast, squeeze, out_dtype


def _cast_squeeze_out(img, cast, squeeze, out_dtype):
    if squeeze:
        img = img.squeeze(dim=0)
    if cast:
        if not out_dtype.is_floating_point:
            img = numtorch.round(img)
        img = img.to(out_dtype)
    return img


def _on_array(img, fn):
    """Run a NumPy kernel on a tensor's values and wrap the result as a tensor of the same dtype."""
    return numtorch.from_numpy(np.ascontiguousarray(fn(img.detach().numpy())))


class _Resample(numtorch.autograd.Function):
    """A linear NumPy resampling kernel with its adjoint as the backward, so gradients reach the image."""

    @staticmethod
    def forward(ctx, img, forward_fn, backward_fn):
        ctx.backward_fn = backward_fn
        return _on_array(img, forward_fn)

    @staticmethod
    def backward(ctx, grad):
        return _on_array(grad, ctx.backward_fn), None, None


def _resample(img, forward_fn, backward_fn):
    if numtorch.is_grad_enabled() and img.requires_grad:
        return _Resample.apply(img, forward_fn, backward_fn)
    return _on_array(img, forward_fn)


def _resize_adjoint(in_hw, size, mode, antialias, ft):
    hmat = _sampling.resize_matrix(in_hw[0], size[0], mode, antialias, ft)
    wmat = _sampling.resize_matrix(in_hw[1], size[1], mode, antialias, ft)
    return lambda g: hmat.T @ g @ wmat


def resize(img, size, interpolation="bilinear", antialias=True):
    _assert_image_tensor(img)
    size = list(size)
    antialias = bool(antialias) and interpolation in ("bilinear", "bicubic")
    # torchvision hands other modes to interpolate without antialias, which rejects them like this
    if interpolation == "lanczos":
        raise ValueError("Lanczos mode requires antialias=True")
    if interpolation not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        modes = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D) for the "
                                  f"modes: {modes} (got {interpolation})")
    img, cast, squeeze, out_dtype = _cast_squeeze_in(img, [numtorch.float32, numtorch.float64])
    if img.ndim != 4:  # a 2-D image becomes (1, H, W): interpolate sees one spatial dimension
        spatial = list(img.shape[2:])
        raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                         f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                         "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                         "format.")
    if interpolation in ("bilinear", "bicubic"):
        adjoint = _resize_adjoint(img.shape[-2:], size, interpolation, antialias, _np_float(img))
        if antialias:
            img = _resample(img, lambda a: _sampling.resize_antialias(a, size, interpolation), adjoint)
        else:
            # torch switches to its channels-last bilinear kernel for small outputs and 1-thread RGB
            small = sum(size) <= 128 or (numtorch.get_num_threads() == 1 and img.shape[1] == 3)
            img = _resample(img, lambda a: _sampling.resize_plain(a, size, interpolation, small), adjoint)
    else:
        img = nnF.interpolate(img, size=size, mode=interpolation)
    if interpolation == "bicubic" and out_dtype == numtorch.uint8:
        img = img.clamp(min=0, max=255)
    return _cast_squeeze_out(img, cast, squeeze, out_dtype)


def _check_grid_inputs(img, matrix, interpolation, fill, coeffs=None):
    if not isinstance(img, numtorch.Tensor):
        raise TypeError("Input img should be Tensor")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn("Argument fill should be either int, float, tuple or list")
    channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels "
                         f"of the image ({len(fill)} != {channels})")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _apply_grid(img, grid, mode, fill):
    """Sample img at grid; outside pixels take fill (blended by coverage for bilinear)."""
    img, cast, squeeze, out_dtype = _cast_squeeze_in(img, [numtorch.float64 if grid.dtype == np.float64
                                                           else numtorch.float32])
    grid = np.broadcast_to(grid, (img.shape[0],) + grid.shape[1:])
    if img.ndim != 4:  # a 2-D image reaches grid_sample as a 3-D (1-D spatial) input
        raise RuntimeError("grid_sampler(): expected grid to have size 1 in last dimension, but got grid "
                           f"with sizes {list(grid.shape)}")
    shape = tuple(img.shape)
    out = _resample(img, lambda a: _sampling.grid_sample(a, grid, mode),
                    lambda g: _sampling.grid_sample_backward(g, grid, mode, shape))
    if fill is not None:
        # sampling an all-ones image measures how much of each output pixel came from inside
        ones = np.ones((shape[0], 1) + shape[2:], dtype=grid.dtype)
        mask = numtorch.from_numpy(_sampling.grid_sample(ones, grid, mode))
        values = fill if isinstance(fill, (tuple, list)) else [float(fill)]
        values = numtorch.tensor(values, dtype=out.dtype).view(1, -1, 1, 1)
        if mode == "nearest":
            out = numtorch.where(mask < 0.5, values, out)
        else:
            out = out * mask + (1.0 - mask) * values
    return _cast_squeeze_out(out, cast, squeeze, out_dtype)


def _affine_grid(theta, w, h, ow, oh):
    """Output pixel centres mapped through theta into grid_sample's normalised coordinates."""
    ft = theta.dtype.type
    xs = numtorch.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, steps=ow).numpy().astype(ft)
    ys = numtorch.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, steps=oh).numpy().astype(ft)
    base = np.empty((oh, ow, 3), dtype=ft)
    base[..., 0], base[..., 1], base[..., 2] = xs, ys[:, None], 1
    scaled = theta.T / np.array([0.5 * w, 0.5 * h], dtype=ft)
    return (base.reshape(-1, 3) @ scaled).reshape(1, oh, ow, 2)


def affine(img, matrix, interpolation="nearest", fill=None):
    _check_grid_inputs(img, matrix, interpolation, fill)
    theta = np.asarray(matrix, dtype=_np_float(img)).reshape(2, 3)
    h, w = img.shape[-2], img.shape[-1]
    return _apply_grid(img, _affine_grid(theta, w, h, w, h), interpolation, fill)


def _np_float(img):
    return np.float64 if img.dtype == numtorch.float64 else np.float32


def _affine_output_size(matrix, w, h):
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    moved = corners @ np.asarray(matrix, dtype=np.float32).reshape(2, 3).T
    half = np.array([w * 0.5, h * 0.5], dtype=np.float32)
    lo, hi = moved.min(axis=0) + half, moved.max(axis=0) + half
    # snap to a 1e-4 grid first so that float noise does not add a whole pixel
    tol = np.float32(1e-4)
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation="nearest", expand=False, fill=None):
    _check_grid_inputs(img, matrix, interpolation, fill)
    w, h = img.shape[-1], img.shape[-2]
    ow, oh = _affine_output_size(matrix, w, h) if expand else (w, h)
    theta = np.asarray(matrix, dtype=_np_float(img)).reshape(2, 3)
    return _apply_grid(img, _affine_grid(theta, w, h, ow, oh), interpolation, fill)


def _perspective_grid(coeffs, ow, oh, ft):
    xs = numtorch.linspace(0.5, ow * 1.0 + 0.5 - 1.0, steps=ow).numpy().astype(ft)
    ys = numtorch.linspace(0.5, oh * 1.0 + 0.5 - 1.0, steps=oh).numpy().astype(ft)
    base = np.empty((oh * ow, 3), dtype=ft)
    base[:, 0], base[:, 1], base[:, 2] = np.tile(xs, oh), np.repeat(ys, ow), 1
    c = np.asarray(coeffs, dtype=ft)
    num = base @ (c[:6].reshape(2, 3).T / np.array([0.5 * ow, 0.5 * oh], dtype=ft))
    den = base @ np.array([[c[6], c[6]], [c[7], c[7]], [1, 1]], dtype=ft)
    return (num / den - ft(1)).reshape(1, oh, ow, 2)


def perspective(img, perspective_coeffs, interpolation="bilinear", fill=None):
    if not isinstance(img, numtorch.Tensor):
        raise TypeError("Input img should be Tensor.")
    _check_grid_inputs(img, None, interpolation, fill, coeffs=perspective_coeffs)
    grid = _perspective_grid(perspective_coeffs, img.shape[-1], img.shape[-2], _np_float(img))
    return _apply_grid(img, grid, interpolation, fill)


def _gaussian_kernel1d(size, sigma, dtype):
    half = (size - 1) * 0.5
    x = numtorch.linspace(-half, half, steps=size, dtype=dtype)
    pdf = numtorch.exp(-0.5 * (x / sigma).pow(2))
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma):
    if not isinstance(img, numtorch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    ft = _float_of(img)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], ft)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], ft)
    kernel = numtorch.mm(ky[:, None], kx[None, :])
    kernel = kernel.expand(img.shape[-3], 1, kernel.shape[0], kernel.shape[1])
    img, cast, squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    half_x, half_y = kernel_size[0] // 2, kernel_size[1] // 2
    img = nnF.pad(img, [half_x, half_x, half_y, half_y], mode="reflect")
    img = nnF.conv2d(img, kernel, groups=img.shape[-3])
    return _cast_squeeze_out(img, cast, squeeze, out_dtype)


def invert(img):
    _assert_image_tensor(img)
    _need_3d(img)
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img


def posterize(img, bits):
    _assert_image_tensor(img)
    _need_3d(img)
    if img.dtype != numtorch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return img & -int(2 ** (8 - bits))


def solarize(img, threshold):
    _assert_image_tensor(img)
    _need_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return numtorch.where(img >= threshold, invert(img), img)


def _smoothed(img):
    """The 3x3 smoothing PIL's sharpness enhancer blends against (border pixels kept)."""
    ft = _float_of(img)
    kernel = numtorch.ones((3, 3), dtype=ft)
    kernel[1, 1] = 5.0
    kernel = (kernel / kernel.sum()).expand(img.shape[-3], 1, 3, 3)
    tmp, cast, squeeze, out_dtype = _cast_squeeze_in(img, [kernel.dtype])
    tmp = _cast_squeeze_out(nnF.conv2d(tmp, kernel, groups=tmp.shape[-3]), cast, squeeze, out_dtype)
    out = img.clone()
    out[..., 1:-1, 1:-1] = tmp
    return out


def adjust_sharpness(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.size(-1) <= 2 or img.size(-2) <= 2:
        return img
    return _blend(img, _smoothed(img), sharpness_factor)


def autocontrast(img):
    _assert_image_tensor(img)
    _need_3d(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    ft = _float_of(img)
    lo = img.amin(dim=(-2, -1), keepdim=True).to(ft)
    hi = img.amax(dim=(-2, -1), keepdim=True).to(ft)
    scale = bound / (hi - lo)
    flat = numtorch.isfinite(scale).logical_not()
    lo = numtorch.where(flat, numtorch.zeros_like(lo), lo)
    scale = numtorch.where(flat, numtorch.ones_like(scale), scale)
    return ((img - lo) * scale).clamp(0, bound).to(img.dtype)


def _equalize_array(a):
    """PIL-style histogram equalisation of a uint8 (..., C, H, W) array, per image and channel."""
    lead = a.shape[:-2]
    planes = a.reshape(-1, a.shape[-2] * a.shape[-1]).astype(np.int64)
    k = planes.shape[0]
    hist = np.zeros((k, 256), dtype=np.int64)
    np.add.at(hist, (np.repeat(np.arange(k), planes.shape[1]), planes.ravel()), 1)
    # the last non-empty bin does not count towards the step (PIL's rule)
    last = 255 - np.argmax(hist[:, ::-1] != 0, axis=1)
    step = (hist.sum(axis=1) - hist[np.arange(k), last]) // 255
    safe = np.where(step == 0, 1, step)
    lut = (np.cumsum(hist, axis=1) + (step // 2)[:, None]) // safe[:, None]
    lut = np.clip(np.concatenate([np.zeros((k, 1), np.int64), lut[:, :-1]], axis=1), 0, 255)
    out = np.take_along_axis(lut, planes, axis=1)
    out = np.where((step == 0)[:, None], planes, out)
    return out.astype(np.uint8).reshape(*lead, a.shape[-2], a.shape[-1])


def equalize(img):
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != numtorch.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return _on_array(img, _equalize_array)


def normalize(tensor, mean, std, inplace=False):
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean = numtorch.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std = numtorch.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by "
                         "zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def erase(img, i, j, h, w, v, inplace=False):
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


def elastic_transform(img, displacement, interpolation="bilinear", fill=None):
    if not isinstance(img, numtorch.Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    h, w = img.shape[-2:]
    gx = numtorch.linspace((-w + 1) / w, (w - 1) / w, w).numpy()
    gy = numtorch.linspace((-h + 1) / h, (h - 1) / h, h).numpy()
    ident = np.stack(np.broadcast_arrays(gx[None, :], gy[:, None]), -1)[None]
    grid = ident + displacement.detach().numpy().astype(np.float32)
    return _apply_grid(img, grid, interpolation, fill)
