"""PIL-image kernels behind numtorch.vision.transforms.functional (Pillow does the pixel work)."""
import numbers

import numpy as np

from ._pil import Image, _from_array, is_pil_image


def _need_pil(img):
    if not is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def get_dimensions(img):
    """Return [channels, height, width] of a PIL image."""
    if not is_pil_image(img):
        raise TypeError(f"Unexpected type {type(img)}")
    return [len(img.getbands()), img.size[1], img.size[0]]


def get_image_size(img):
    if not is_pil_image(img):
        raise TypeError(f"Unexpected type {type(img)}")
    return list(img.size)


def get_image_num_channels(img):
    if not is_pil_image(img):
        raise TypeError(f"Unexpected type {type(img)}")
    return len(img.getbands())


def hflip(img):
    _need_pil(img)
    return img.transpose(Image().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _need_pil(img)
    return img.transpose(Image().Transpose.FLIP_TOP_BOTTOM)


def _enhance(img, kind, factor):
    _need_pil(img)
    from PIL import ImageEnhance
    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(img, "Brightness", brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(img, "Contrast", contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(img, "Color", saturation_factor)


def adjust_sharpness(img, sharpness_factor):
    return _enhance(img, "Sharpness", sharpness_factor)


def adjust_hue(img, hue_factor):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _need_pil(img)
    mode = img.mode
    if mode in ("L", "1", "I", "F"):
        return img
    h, s, v = img.convert("HSV").split()
    # the hue channel wraps around: uint8 addition modulo 256, as torchvision shifts it
    shift = np.uint8(np.int32(hue_factor * 255) & 0xFF)
    hue = np.asarray(h, dtype=np.uint8) + shift
    return Image().merge("HSV", (_from_array(hue, "L"), s, v)).convert(mode)


def adjust_gamma(img, gamma, gain=1.0):
    _need_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    mode = img.mode
    table = [int((256 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
    return img.convert("RGB").point(table).convert(mode)


def _parse_fill(fill, img, name="fillcolor"):
    """Turn a fill number or sequence into Pillow's colour argument for this image's bands."""
    bands = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and bands > 1:
        fill = tuple([fill] * bands)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * bands
        elif len(fill) != bands:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the "
                             f"image ({len(fill)} != {bands})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def _ltrb(padding):
    if isinstance(padding, numbers.Number):
        return [padding] * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return list(padding)


def pad(img, padding, fill=0, padding_mode="constant"):
    _need_pil(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)):
        if len(padding) not in (1, 2, 4):
            raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                             f"{len(padding)} element tuple")
        padding = padding[0] if len(padding) == 1 else tuple(padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    palette = img.getpalette() if img.mode == "P" else None
    if padding_mode == "constant":
        from PIL import ImageOps
        out = ImageOps.expand(img, border=padding, **_parse_fill(fill, img, name="fill"))
    else:
        left, top, right, bottom = _ltrb(padding)
        # negative padding crops first, as torchvision does for the non-constant modes
        cl, ct, cr, cb = (max(-v, 0) for v in (left, top, right, bottom))
        if cl or ct or cr or cb:
            img = img.crop((cl, ct, img.width - cr, img.height - cb))
        arr = np.asarray(img)
        widths = [(max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))] + [(0, 0)] * (arr.ndim - 2)
        out = Image().fromarray(np.pad(arr, widths, padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def crop(img, top, left, height, width):
    _need_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img, size, interpolation=2):
    _need_pil(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)


def affine(img, matrix, interpolation=0, fill=None):
    _need_pil(img)
    return img.transform(img.size, Image().Transform.AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    _need_pil(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def perspective(img, perspective_coeffs, interpolation=3, fill=None):
    _need_pil(img)
    kind = Image().Transform.PERSPECTIVE
    return img.transform(img.size, kind, perspective_coeffs, interpolation, **_parse_fill(fill, img))


def to_grayscale(img, num_output_channels):
    _need_pil(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    img = img.convert("L")
    if num_output_channels == 3:
        lum = np.asarray(img, dtype=np.uint8)
        img = _from_array(np.stack([lum, lum, lum], -1), "RGB")
    return img


def _ops(name, img, *args):
    _need_pil(img)
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def invert(img):
    return _ops("invert", img)


def posterize(img, bits):
    return _ops("posterize", img, bits)


def solarize(img, threshold):
    return _ops("solarize", img, threshold)


def autocontrast(img):
    return _ops("autocontrast", img)


def equalize(img):
    return _ops("equalize", img)
