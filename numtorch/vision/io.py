"""numtorch.vision.io: image files to and from uint8 tensors, decoded and encoded with Pillow."""
import enum
import io as _io
import os
import tempfile

import numpy as np

import numtorch
from .datasets.utils import _pil_image

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_png", "decode_jpeg",
           "read_image", "encode_png", "write_png", "encode_jpeg", "write_jpeg"]


class ImageReadMode(enum.Enum):
    """How decoded images are converted: keep the file's channels, or force gray/RGB with or without alpha."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_MODE_TO_PIL = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
                ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """Read a file's bytes into a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return numtorch.from_numpy(np.frombuffer(bytearray(data), dtype=np.uint8))


def write_file(filename, data):
    """Write a 1-D uint8 tensor's bytes to a file (atomically)."""
    _check_bytes(data)
    _atomic_write(os.fspath(filename), data.numpy().tobytes())


def _atomic_write(path, payload):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".part-")
    with os.fdopen(fd, "wb") as out:
        out.write(payload)
    os.replace(tmp, path)


def _check_tensor(data):
    if not isinstance(data, numtorch.Tensor):
        raise TypeError(f"Expected a Tensor, got {type(data)}")


def _check_bytes(data):
    _check_tensor(data)
    if data.dtype != numtorch.uint8:
        raise RuntimeError("Expected a torch.uint8 tensor")
    if data.dim() != 1 or data.numel() == 0:
        raise RuntimeError("Expected a non empty 1-dimensional tensor")


def _native_mode(img):
    # Palettes expand to RGB(A) (torchvision's UNCHANGED hands back one uninitialised plane for them),
    # 1-bit becomes 8-bit gray, CMYK becomes RGB.
    if img.mode == "P":
        return "RGBA" if "transparency" in img.info else "RGB"
    if img.mode in ("L", "LA", "RGB", "RGBA"):
        return img.mode
    return "L" if img.mode == "1" else "RGB"


def _png_to_gray(img, alpha):
    # libpng's rgb_to_gray as torchvision configures it: 0.299/0.587 in 1/32768 steps (truncated, blue takes
    # the rest), the weighted sum truncated; Pillow rounds its own conversion and differs by 1 on some pixels
    rgba = np.asarray(img.convert("RGBA"), dtype=np.int64)
    gray = (rgba[..., 0] * 9797 + rgba[..., 1] * 19234 + rgba[..., 2] * 3737) >> 15
    planes = (gray, rgba[..., 3]) if alpha else (gray,)
    return np.stack(planes, axis=-1).astype(np.uint8)


def _decode_pixels(img, fmt, mode):
    if fmt == "JPEG":
        if mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
            raise RuntimeError("The provided mode is not supported for JPEG files")
        if mode == ImageReadMode.GRAY:
            # libjpeg's own grayscale output (the luma plane), as torchvision asks for
            img.draft("L", img.size)
    elif fmt == "PNG" and mode in (ImageReadMode.GRAY, ImageReadMode.GRAY_ALPHA):
        return _png_to_gray(img, mode == ImageReadMode.GRAY_ALPHA)
    target = _native_mode(img) if mode == ImageReadMode.UNCHANGED else _MODE_TO_PIL[mode]
    return np.asarray(img if img.mode == target else img.convert(target))


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode an image (bytes in a 1-D uint8 tensor, or a path) into a (C, H, W) uint8 tensor."""
    Image = _pil_image()
    if not isinstance(input, numtorch.Tensor):
        input = read_file(str(input))
    _check_bytes(input)
    if isinstance(mode, str):
        mode = ImageReadMode[mode.upper()]
    try:
        img = Image.open(_io.BytesIO(input.numpy().tobytes()))
    except OSError as err:
        raise RuntimeError("Unsupported image file. Only jpeg, png, webp and gif are currently supported. "
                           "For avif and heic format, please rely on `decode_avif` and `decode_heic` "
                           "directly.") from err
    if img.mode.startswith("I"):
        # torchvision returns these as torch.uint16, a dtype numtorch does not have
        raise RuntimeError(f"decoding {img.mode} (16/32-bit) images needs torch.uint16, which numtorch "
                           "does not provide; save the image with 8 bits per channel")
    fmt = img.format
    if apply_exif_orientation:
        from PIL import ImageOps
        img = ImageOps.exif_transpose(img)
    arr = _decode_pixels(img, fmt, mode)
    arr = arr[:, :, None] if arr.ndim == 2 else arr
    # a fresh writable CHW copy: Pillow's buffer is read-only
    return numtorch.from_numpy(arr.transpose(2, 0, 1).astype(np.uint8))


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode PNG bytes (a 1-D uint8 tensor) into a (C, H, W) tensor."""
    return decode_image(input, mode, apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation=False):
    """Decode JPEG bytes (a 1-D uint8 tensor, or a list of them) into (C, H, W) uint8 tensors."""
    if isinstance(input, list):
        if len(input) == 0:
            raise ValueError("Input list must contain at least one element")
        if not all(isinstance(t, numtorch.Tensor) for t in input):
            raise ValueError("All elements of the input list must be tensors.")
        return [decode_image(t, mode, apply_exif_orientation) for t in input]
    return decode_image(input, mode, apply_exif_orientation)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an image file into a (C, H, W) uint8 tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation=apply_exif_orientation)


def _to_pil(input):
    _check_tensor(input)
    if input.dtype != numtorch.uint8:
        raise RuntimeError("Input tensor dtype should be uint8")
    if input.dim() != 3:
        raise RuntimeError("Input data should be a 3-dimensional tensor")
    if input.size(0) not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {input.size(0)}")
    arr = input.detach().cpu().permute(1, 2, 0).numpy()
    return _pil_image().fromarray(np.ascontiguousarray(arr[:, :, 0] if arr.shape[2] == 1 else arr))


def _encode(img, **save_kwargs):
    buf = _io.BytesIO()
    img.save(buf, **save_kwargs)
    return numtorch.from_numpy(np.frombuffer(bytearray(buf.getvalue()), dtype=np.uint8))


def encode_png(input, compression_level=6):
    """Encode a (C, H, W) uint8 tensor (C = 1 or 3) as PNG bytes in a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    return _encode(_to_pil(input), format="PNG", compress_level=compression_level)


def write_png(input, filename, compression_level=6):
    """Write a (C, H, W) uint8 tensor to a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality=75):
    """Encode a (C, H, W) uint8 tensor (or a list of them) as JPEG bytes."""
    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, list):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is passed")
        return [_encode(_to_pil(t), format="JPEG", quality=quality) for t in input]
    return _encode(_to_pil(input), format="JPEG", quality=quality)


def write_jpeg(input, filename, quality=75):
    """Write a (C, H, W) uint8 tensor to a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
