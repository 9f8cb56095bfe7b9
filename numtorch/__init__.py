"""numtorch: PyTorch's API on NumPy. ``import numtorch as torch``."""
from . import _malloc
_malloc.keep_freed_memory()
from . import _dtype
from ._dtype import (bfloat16, bool, can_cast, cdouble, cfloat, chalf, complex32, complex64, complex128, double,
                     dtype, finfo, float, float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz, float16,
                     float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64, is_complex,
                     is_floating_point, long, promote_types, result_type, set_default_dtype, short, uint8, uint16,
                     uint32, uint64)
from ._device import device
from ._size import Size
from ._tensor import Tensor
from . import _ops
from ._ops import FUNCTIONS as _FUNCTIONS
from ._legacy import CPU_TYPES as _CPU_TYPES, set_default_tensor_type
from ._printing import get_printoptions, set_printoptions
from . import autograd, cuda, random, utils
from . import linalg
from . import fft, special
from . import optim
from .autograd import (enable_grad, inference_mode, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                       is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled)
from .autograd.anomaly_mode import set_anomaly_enabled
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from ._storage import TypedStorage, UntypedStorage
from ._alias import install_torch_alias
from ._config import (are_deterministic_algorithms_enabled, get_float32_matmul_precision, get_num_interop_threads,
                      get_num_threads, is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision,
                      set_num_interop_threads, set_num_threads, use_deterministic_algorithms)
from ._config import get_deterministic_debug_mode, set_deterministic_debug_mode
from ._from_file import from_file
from . import _tensor_more  # noqa: F401
from . import _torch_function  # noqa: F401
from math import e, inf, nan, pi

globals().update(_FUNCTIONS)
globals().update(_CPU_TYPES)
__version__ = "2.13.0"


class layout:
    """Memory layout of a tensor (only ``torch.strided`` is supported)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


strided = layout("strided")


class memory_format:
    """Memory format of a tensor."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def is_tensor(obj):
    """Whether ``obj`` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input.numel()


# torch.nn is importable as an attribute right after ``import torch``.
from . import nn  # noqa: E402,F401
from . import serialization  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import accelerator, amp, backends  # noqa: E402,F401
from .cuda import OutOfMemoryError  # noqa: E402
from .amp import autocast, get_autocast_dtype, is_autocast_enabled  # noqa: E402,F401
from ._compile import compile  # noqa: E402,F401
from . import compiler  # noqa: E402,F401
from ._functorch import vmap  # noqa: E402,F401


_LAZY = ("distributions", "func", "jit", "quasirandom", "testing")


def __getattr__(name):
    # Rarely used namespaces load on first use, which keeps ``import numtorch`` fast.
    if name in _LAZY:
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
