"""torch.cuda over CuPy: availability, devices, and the legacy cuda tensor types."""
from .._device import cupy_module
from .._legacy import CUDA_TYPES

globals().update(CUDA_TYPES)

_NO_CUDA = "Torch not compiled with CUDA enabled"
_current = [0]


def is_available():
    """Whether a CUDA GPU (and CuPy) can be used."""
    return cupy_module() is not None


def _lazy_init():
    if not is_available():
        raise AssertionError(_NO_CUDA)


def device_count():
    """Number of visible CUDA devices."""
    cp = cupy_module()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def current_device():
    """Index of the current CUDA device."""
    _lazy_init()
    return _current[0]


def set_device(device):
    """Select the current CUDA device."""
    from .._device import to_device
    d = to_device(device) if not isinstance(device, int) else None
    idx = device if isinstance(device, int) else (d.index or 0)
    _lazy_init()
    cupy_module().cuda.Device(idx).use()
    _current[0] = idx


def is_initialized():
    return is_available()


def manual_seed(seed):
    """Seeds the CUDA generators (no-op without CUDA, as torch)."""


def manual_seed_all(seed):
    """Seeds the generators of all CUDA devices (no-op without CUDA, as torch)."""


def synchronize(device=None):
    """Waits for all kernels on the device to finish."""
    _lazy_init()
    cupy_module().cuda.Device().synchronize()


def current_stream(device=None):
    _lazy_init()
    return cupy_module().cuda.get_current_stream()


class device:
    """Context manager that changes the selected CUDA device."""

    def __init__(self, device):
        from .._device import to_device
        self.idx = device if isinstance(device, int) else (to_device(device).index or 0 if device is not None
                                                           else -1)
        self.prev = -1

    def __enter__(self):
        if self.idx >= 0 and is_available():
            self.prev = _current[0]
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.prev >= 0:
            set_device(self.prev)
        return False
