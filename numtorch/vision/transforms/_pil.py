"""Lazy access to Pillow, the optional image library behind the PIL code paths."""
import numpy as np

_MISSING = "numtorch.vision needs Pillow for PIL images: pip install pillow (or numtorch[vision])"


def Image():
    """Return the PIL.Image module, or raise ImportError with install advice when Pillow is absent."""
    try:
        from PIL import Image as mod
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    return mod


def is_pil_image(img):
    """True when img is a PIL image (False, not an error, when Pillow is not installed)."""
    try:
        from PIL import Image as mod
    except ImportError:
        return False
    return isinstance(img, mod.Image)


def _from_array(arr, mode):
    """Build an image of this mode from raw array bytes (Pillow >= 11.3 no longer reinterprets by mode)."""
    arr = np.ascontiguousarray(arr)
    size = (arr.shape[1], arr.shape[0]) if arr.ndim > 1 else (1, arr.shape[0])
    return Image().frombuffer(mode, size, arr.tobytes(), "raw", mode, 0, 1)
