"""``torch.nn.attention``: choosing the kernels behind ``scaled_dot_product_attention``.

numtorch computes attention one way (torch's math formulation); the CPU backends torch has, MATH and
FLASH_ATTENTION, both compute it here, and with neither enabled the call fails as torch's does.
"""
import contextlib
import enum

from ..._config import SDP as _SDP

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The kernels ``scaled_dot_product_attention`` may use."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_SWITCHES = {SDPBackend.MATH: "math", SDPBackend.FLASH_ATTENTION: "flash",
             SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.CUDNN_ATTENTION: "cudnn"}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Within the block, ``scaled_dot_product_attention`` may use only ``backends`` (one or a list)."""
    if isinstance(backends, SDPBackend):
        backends = [backends]
    if not isinstance(backends, list) or not all(isinstance(b, SDPBackend) for b in backends):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
                             f"{type(backends).__name__}")
    before = dict(_SDP)
    for backend, switch in _SWITCHES.items():
        _SDP[switch] = backend in backends
    try:
        yield {}
    finally:
        _SDP.update(before)
