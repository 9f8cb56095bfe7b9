"""torch.accelerator: device-agnostic access to the current accelerator (CUDA through CuPy, if present)."""
from . import cuda
from ._device import device as _device

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    """Whether an accelerator (a CUDA GPU with CuPy) can be used."""
    return cuda.is_available()


def current_accelerator(check_available=False):
    """The accelerator device type as a ``torch.device``, or None."""
    return _device("cuda") if cuda.is_available() else None


def device_count():
    """Number of accelerator devices."""
    return cuda.device_count()


def _require():
    if not cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index():
    """Index of the current accelerator device."""
    _require()
    return cuda.current_device()


current_device_idx = current_device_index


def set_device_index(device):
    """Select the current accelerator device."""
    _require()
    cuda.set_device(device)


set_device_idx = set_device_index


def synchronize(device=None):
    """Wait for all work on the accelerator device to finish."""
    _require()
    cuda.synchronize(device)
