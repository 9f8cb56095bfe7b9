"""torchvision.transforms.functional: image operations on PIL images and tensors (..., C, H, W)."""
import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np

import numtorch

from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from ._pil import _from_array, is_pil_image as _is_pil_image


class InterpolationMode(Enum):
    """Interpolation modes; PIL supports all of them, tensors nearest, nearest-exact, bilinear, bicubic."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2,
                     InterpolationMode.BICUBIC: 3, InterpolationMode.NEAREST_EXACT: 0,
                     InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5, InterpolationMode.LANCZOS: 1}


def _interpolation_modes_from_int(i):
    return _FROM_PIL_INT[i]


def _mode(interpolation):
    if isinstance(interpolation, int):
        return _FROM_PIL_INT[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow "
                        "integer constant")
    return interpolation


def _tensor(img):
    return isinstance(img, numtorch.Tensor)


def get_dimensions(img):
    """Return [channels, height, width] of an image."""
    return F_t.get_dimensions(img) if _tensor(img) else F_pil.get_dimensions(img)


def get_image_size(img):
    """Return [width, height] of an image."""
    return F_t.get_image_size(img) if _tensor(img) else F_pil.get_image_size(img)


def get_image_num_channels(img):
    """Return the number of channels of an image."""
    return F_t.get_image_num_channels(img) if _tensor(img) else F_pil.get_image_num_channels(img)


def _to_float_scaled(img):
    if img.dtype == numtorch.uint8:
        return img.to(dtype=numtorch.get_default_dtype()).div(255)
    return img


def to_tensor(pic):
    """Convert a PIL image or HWC ndarray to a CHW tensor; uint8 data is scaled to [0, 1]."""
    is_array = isinstance(pic, np.ndarray)
    if not (_is_pil_image(pic) or is_array):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if is_array and pic.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if is_array:
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        return _to_float_scaled(numtorch.from_numpy(arr.transpose((2, 0, 1))).contiguous())
    kinds = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16, "F": np.float32}
    arr = np.array(pic, kinds.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return _to_float_scaled(numtorch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1))))


def pil_to_tensor(pic):
    """Convert a PIL image to a CHW tensor of the same dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return numtorch.as_tensor(arr).permute((2, 0, 1))


def convert_image_dtype(image, dtype=numtorch.float):
    """Convert a tensor image to dtype, rescaling values to the new dtype's range."""
    if not _tensor(image):
        raise TypeError("Input img should be Tensor Image")
    return F_t.convert_image_dtype(image, dtype)


_CHANNEL_MODES = {2: ["LA"], 4: ["RGBA", "CMYK", "RGBX"], 3: ["RGB", "YCbCr", "HSV"]}
_DEFAULT_MODE = {2: "LA", 4: "RGBA", 3: "RGB"}


def to_pil_image(pic, mode=None):
    """Convert a CHW tensor or HWC ndarray to a PIL image (floats are scaled by 255)."""
    if _tensor(pic):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.numpy(force=True)
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = pic[:, :, None]
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    if np.issubdtype(pic.dtype, np.floating) and mode != "F":
        pic = (pic * 255).astype(np.uint8)
    bands = pic.shape[2]
    if bands == 1:
        pic = pic[:, :, 0]
        int16 = "I;16" if sys.byteorder == "little" else "I;16B"
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): int16, np.dtype(np.int32): "I",
                    np.dtype(np.float32): "F"}.get(pic.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be "
                             f"{expected}")
        mode = expected
    else:
        allowed = _CHANNEL_MODES[bands]
        if mode is not None and mode not in allowed:
            what = "2D" if bands == 2 else f"{bands}D"
            raise ValueError(f"Only modes {allowed} are supported for {what} inputs")
        if mode is None and pic.dtype == np.uint8:
            mode = _DEFAULT_MODE[bands]
    if mode is None:
        raise TypeError(f"Input type {pic.dtype} is not supported")
    return _from_array(pic, mode)


def normalize(tensor, mean, std, inplace=False):
    """Normalize a float tensor image channel-wise: (x - mean) / std."""
    if not _tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


def _compute_resized_output_size(image_size, size, max_size=None, allow_size_none=False):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if not allow_size_none:
            raise ValueError("This should never happen!!")
        if not isinstance(max_size, int):
            raise ValueError(f"max_size must be an integer when size is None, but got {max_size} instead.")
        new_short, new_long = int(max_size * short / long), max_size
    elif len(size) == 1:
        want = size if isinstance(size, int) else size[0]
        new_short, new_long = want, int(want * long / short)
        if max_size is not None:
            if max_size <= want:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size "
                                 f"for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    else:
        return [size[0], size[1]]
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize an image; an int size matches the smaller edge, keeping the aspect ratio."""
    interpolation = _mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element "
                             "tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller "
                             "edge, i.e. size should be an int or a sequence of length 1 in torchscript "
                             "mode.")
    _, height, width = get_dimensions(img)
    size = [size] if isinstance(size, int) else size
    out = _compute_resized_output_size((height, width), size, max_size)
    if [height, width] == out:
        return img
    if not _tensor(img):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument antialias is "
                          "ignored.")
        return F_pil.resize(img, size=out, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=out, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad an image on all sides (constant, edge, reflect or symmetric)."""
    if not _tensor(img):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    """Crop an image at (top, left) to (height, width); outside areas are zero-padded."""
    if not _tensor(img):
        return F_pil.crop(img, top, left, height, width)
    return F_t.crop(img, top, left, height, width)


def _pair(size):
    if isinstance(size, numbers.Number):
        return (int(size), int(size))
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return (size[0], size[0])
    return size


def center_crop(img, output_size):
    """Crop the centre of an image, padding with zeros when it is smaller than output_size."""
    crop_h, crop_w = _pair(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        ltrb = [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                (crop_w - w + 1) // 2 if crop_w > w else 0, (crop_h - h + 1) // 2 if crop_h > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    return crop(img, int(round((h - crop_h) / 2.0)), int(round((w - crop_w) / 2.0)), crop_h, crop_w)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):
    """Crop an image, then resize the crop to size."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Flip an image left to right."""
    return F_t.hflip(img) if _tensor(img) else F_pil.hflip(img)


def vflip(img):
    """Flip an image top to bottom."""
    return F_t.vflip(img) if _tensor(img) else F_pil.vflip(img)


def _get_perspective_coeffs(startpoints, endpoints):
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} startpoints and "
                         f"{len(endpoints)} endpoints.")
    # solve for the homography mapping output (end) points back to input (start) points
    a = np.zeros((8, 8), dtype=np.float64)
    for k, ((ex, ey), (sx, sy)) in enumerate(zip(endpoints, startpoints)):
        a[2 * k] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey]
        a[2 * k + 1] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    sol = np.linalg.lstsq(a, b, rcond=None)[0]
    return [float(v) for v in sol.astype(np.float32)]


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp an image so that startpoints move to endpoints."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _mode(interpolation)
    if not _tensor(img):
        return F_pil.perspective(img, coeffs, interpolation=pil_modes_mapping[interpolation], fill=fill)
    return F_t.perspective(img, coeffs, interpolation=interpolation.value, fill=fill)


def five_crop(img, size):
    """The four corner crops and the central crop of an image."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(h, w)}")
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img, size, vertical_flip=False):
    """five_crop of the image and of its flipped copy."""
    size = _pair(size)
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    flipped = vflip(img) if vertical_flip else hflip(img)
    return five_crop(img, size) + five_crop(flipped, size)


def _by_type(name, img, *args):
    return getattr(F_t if _tensor(img) else F_pil, name)(img, *args)


def adjust_brightness(img, brightness_factor):
    """Scale brightness: 0 gives black, 1 the original image."""
    return _by_type("adjust_brightness", img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level: 0 gives a solid grey image, 1 the original."""
    return _by_type("adjust_contrast", img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    """Blend with the greyscale image: 0 gives black and white, 1 the original."""
    return _by_type("adjust_saturation", img, saturation_factor)


def adjust_hue(img, hue_factor):
    """Shift the hue channel by hue_factor (in [-0.5, 0.5]) of a full turn."""
    return _by_type("adjust_hue", img, hue_factor)


def adjust_gamma(img, gamma, gain=1):
    """Gamma correction: gain * x ** gamma on [0, 1] intensities."""
    return _by_type("adjust_gamma", img, gamma, gain)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    # rotation-with-shear matrix M = T * C * R * S * C^-1 (torchvision's convention, degrees in)
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [v / scale for v in (d, -b, 0.0, -c, a, 0.0)]
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
        m[2] += cx
        m[5] += cy
    else:
        m = [v * scale for v in (a, b, 0.0, c, d, 0.0)]
        m[2] += m[0] * -cx + m[1] * -cy
        m[5] += m[3] * -cx + m[4] * -cy
        m[2] += cx + tx
        m[5] += cy + ty
    return m


def _centred(img, center):
    if center is None:
        return [0.0, 0.0]
    _, h, w = get_dimensions(img)
    return [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate an image counter-clockwise by angle degrees about center (default: the image centre)."""
    interpolation = _mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not _tensor(img):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                            center=center, fill=fill)
    matrix = _get_inverse_affine_matrix(_centred(img, center), -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_t.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None,
           center=None):
    """Apply an affine map (rotation, translation, scale, shear) keeping the image centre invariant."""
    interpolation = _mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    angle = float(angle) if isinstance(angle, int) else angle
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    _, height, width = get_dimensions(img)
    if not _tensor(img):
        center = [width * 0.5, height * 0.5] if center is None else center
        matrix = _get_inverse_affine_matrix(center, angle, list(translate), scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    translate = [1.0 * t for t in translate]
    matrix = _get_inverse_affine_matrix(_centred(img, center), angle, translate, scale, shear)
    return F_t.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


def to_grayscale(img, num_output_channels=1):
    """Convert a PIL image to greyscale with 1 or 3 output channels."""
    if _is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels=1):
    """Convert an RGB image to greyscale with 1 or 3 output channels."""
    if not _tensor(img):
        return F_pil.to_grayscale(img, num_output_channels)
    return F_t.rgb_to_grayscale(img, num_output_channels)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite the (h, w) box at (i, j) of a tensor image with v."""
    if not _tensor(img):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    return F_t.erase(img, i, j, h, w, v, inplace=inplace)


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur an image with a Gaussian kernel (reflect padding); PIL images go through a tensor."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    kernel_size = [kernel_size, kernel_size] if isinstance(kernel_size, int) else kernel_size
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    if any(k % 2 == 0 or k < 0 for k in kernel_size):
        raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    if any(s <= 0.0 for s in sigma):
        raise ValueError(f"sigma should have positive values. Got {sigma}")
    if _tensor(img):
        return F_t.gaussian_blur(img, kernel_size, sigma)
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    out = F_t.gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
    return to_pil_image(out, mode=img.mode)


def invert(img):
    """Invert the colours of an image."""
    return _by_type("invert", img)


def posterize(img, bits):
    """Keep only the top bits of each channel."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    return _by_type("posterize", img, bits)


def solarize(img, threshold):
    """Invert all pixel values at or above threshold."""
    return _by_type("solarize", img, threshold)


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed image: 0 blurs, 1 keeps, 2 sharpens."""
    return _by_type("adjust_sharpness", img, sharpness_factor)


def autocontrast(img):
    """Stretch each channel so its darkest pixel is black and its lightest is white."""
    return _by_type("autocontrast", img)


def equalize(img):
    """Equalise the histogram of each channel (uint8 images)."""
    return _by_type("equalize", img)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move each pixel by displacement (1, H, W, 2), in grid_sample's normalised coordinates."""
    if isinstance(interpolation, int):
        warnings.warn("Argument interpolation should be of type InterpolationMode instead of int. "
                      "Please, use InterpolationMode enum.")
        interpolation = _FROM_PIL_INT[interpolation]
    if not _tensor(displacement):
        raise TypeError("Argument displacement should be a Tensor")
    t_img = img
    if not _tensor(img):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    want = numtorch.Size((1,) + tuple(t_img.shape[-2:]) + (2,))
    if displacement.shape != want:
        raise ValueError(f"Argument displacement shape should be {want}, but given {displacement.shape}")
    out = F_t.elastic_transform(t_img, displacement, interpolation=interpolation.value, fill=fill)
    return out if _tensor(img) else to_pil_image(out, mode=img.mode)
