"""Devices and their array modules: cpu -> NumPy, cuda -> CuPy (imported lazily)."""
import numpy as np

_TYPES = ("cpu", "cuda", "meta")


class device:
    """Where a tensor's data lives: ``device('cpu')``, ``device('cuda:0')``, ``device('cuda', 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            if cupy_module() is None:
                raise RuntimeError("Cannot access accelerator device when none is available.")
            self.type, self.index = "cuda", type
            return
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type.__class__.__name__})")
        name, _, idx = type.partition(":")
        if name not in _TYPES and name not in ("mps", "xpu"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, xpu, meta device type at start of device "
                               f"string: {type}")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {type}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type, self.index = name, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # like torch, a device never equals a string
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


CPU = device("cpu")
_cupy = []


def cupy_module():
    """The cupy module, or None when CuPy (or a GPU) is absent."""
    if not _cupy:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy.append(cupy)
        except Exception:
            _cupy.append(None)
    return _cupy[0]


def to_device(d):
    """Normalise a device-like (str, int, device, None) to a device."""
    if d is None or d.__class__ is device:
        return d
    return device(d)


def xp_for(dev):
    """The array module that holds data for device ``dev``."""
    if dev is None or dev.type == "cpu":
        return np
    if dev.type == "cuda":
        cp = cupy_module()
        if cp is None:
            raise AssertionError("Torch not compiled with CUDA enabled")
        return cp
    raise RuntimeError(f"numtorch has no backend for device type {dev.type}")


def device_of(arr):
    """The device an array lives on."""
    if type(arr) is np.ndarray:
        return CPU
    return device("cuda", arr.device.id)
