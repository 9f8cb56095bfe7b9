"""torch.cuda over CuPy: availability, devices, memory, seeding, streams and the legacy cuda tensor types.

Without CuPy and a GPU every function behaves as in a CPU-only build of torch: queries that have a
harmless answer return it (``device_count() == 0``), the rest raise torch's errors.
"""
from .._device import cupy_module
from .._legacy import CUDA_TYPES
from .memory import (empty_cache, ipc_collect, max_memory_allocated, max_memory_reserved,  # noqa: F401
                     mem_get_info, memory_allocated, memory_reserved, memory_stats, memory_summary,
                     reset_max_memory_allocated, reset_peak_memory_stats)
from .random import (get_rng_state, get_rng_state_all, initial_seed, manual_seed,  # noqa: F401
                     manual_seed_all, seed, seed_all, set_rng_state, set_rng_state_all)
from .streams import (Event, Stream, StreamContext, current_stream, default_stream, stream,  # noqa: F401
                      synchronize)

globals().update(CUDA_TYPES)

_NO_CUDA = "Torch not compiled with CUDA enabled"
_current = [0]
_initialized = [False]


class OutOfMemoryError(RuntimeError):
    """Raised when the CUDA caching allocator cannot satisfy a request."""

    __module__ = "numtorch"


def is_available():
    """Whether a CUDA GPU (and CuPy) can be used."""
    return cupy_module() is not None


def _lazy_init():
    if _initialized[0]:
        return
    if not is_available():
        raise AssertionError(_NO_CUDA)
    _initialized[0] = True
    from .random import _run_queued
    _run_queued()


def _legacy_check(name):
    """Legacy ``torch.cuda.FloatTensor(...)`` without CUDA is a TypeError in torch, not an assertion."""
    if not is_available():
        raise TypeError(f"type torch.cuda.{name} not available. {_NO_CUDA}.")
    _lazy_init()


def init():
    """Initialize CUDA state (raises when CUDA is unavailable)."""
    _lazy_init()


def is_initialized():
    """Whether CUDA state has been initialized."""
    return _initialized[0]


def device_count():
    """Number of visible CUDA devices."""
    cp = cupy_module()
    return cp.cuda.runtime.getDeviceCount() if cp is not None else 0


def current_device():
    """Index of the current CUDA device."""
    _lazy_init()
    return _current[0]


def _index(device, optional=True):
    """Device index of an int/str/device (None -> current device, -1 without CUDA)."""
    from .._device import to_device
    if device is None:
        return _current[0] if is_available() else -1
    if isinstance(device, int):
        return device
    d = to_device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index if d.index is not None else (_current[0] if is_available() else -1)


def set_device(device):
    """Select the current CUDA device (a negative index is ignored, as in torch)."""
    idx = _index(device)
    if idx < 0:
        return
    if not is_available():
        # torch's CPU build fails here on the missing C binding: keep its exception type
        raise AttributeError(f"set_device: {_NO_CUDA}")
    _lazy_init()
    cupy_module().cuda.Device(idx).use()
    _current[0] = idx


def _props(device):
    _lazy_init()
    idx = _index(device)
    return cupy_module().cuda.runtime.getDeviceProperties(idx)


def get_device_name(device=None):
    """Name of a CUDA device."""
    name = _props(device)["name"]
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    """(major, minor) compute capability of a CUDA device."""
    p = _props(device)
    return p["major"], p["minor"]


class _CudaDeviceProperties:
    """Properties of a CUDA device (name, memory, capability, multiprocessor count)."""

    def __init__(self, p):
        name = p["name"]
        self.name = name.decode() if isinstance(name, bytes) else name
        self.major, self.minor = p["major"], p["minor"]
        self.total_memory = p["totalGlobalMem"]
        self.multi_processor_count = p["multiProcessorCount"]
        self.is_integrated = p.get("integrated", 0)
        self.is_multi_gpu_board = p.get("isMultiGpuBoard", 0)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory >> 20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_properties(device=None):
    """Properties of a CUDA device."""
    return _CudaDeviceProperties(_props(device))


def is_bf16_supported(including_emulation=True):
    """Whether the current CUDA device supports bfloat16 (False without CUDA)."""
    if not is_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


class device:
    """Context manager that changes the selected CUDA device."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return
        if not is_available():
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self.prev_idx = _current[0]
        if self.prev_idx != self.idx:
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


class device_of(device):
    """Context manager that selects the device of a tensor (a no-op for CPU tensors)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


def __getattr__(name):
    # torch.cuda.amp is loaded on first use: it needs the whole of numtorch (autocast wraps nn ops)
    if name == "amp":
        import importlib
        return importlib.import_module(".amp", __name__)
    raise AttributeError(f"module 'numtorch.cuda' has no attribute '{name}'")
