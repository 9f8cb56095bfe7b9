"""Process-wide settings torch exposes at top level: threads, matmul precision, determinism."""
import contextlib
import os
import threading
import warnings

from . import _blas

# torch's own float32/float64 summation order (bit-identical sums, see _ops/_sumorder.py; layer/group norm
# statistics, _ops/_moments.py) costs 3-10x NumPy's pairwise sums, so it is opt-in: NUMTORCH_EXACT_SUM=1 in
# the environment, or set_exact_sum(True).
EXACT_SUM = [os.environ.get("NUMTORCH_EXACT_SUM", "0") == "1"]


def set_exact_sum(enabled):
    """Sum float32/float64 tensors (and take layer/group norm statistics) in torch's CPU order (bit-identical
    results, slower) or NumPy's."""
    EXACT_SUM[0] = bool(enabled)


class _ThreadExact(threading.local):
    on = False


# torch's summation order for the current thread alone, whatever EXACT_SUM says (a loss's one reduction)
EXACT_HERE = _ThreadExact()


@contextlib.contextmanager
def exact_sum_here():
    """Sums in torch's order inside the block, on this thread only."""
    was = EXACT_HERE.on
    EXACT_HERE.on = True
    try:
        yield
    finally:
        EXACT_HERE.on = was


# which scaled_dot_product_attention kernels may run (torch.backends.cuda's flags, which CPU calls obey too)
SDP = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True, "fp16_bf16_reduction_math": False}

_state = {"threads": os.cpu_count() or 1, "interop": 2, "precision": "highest", "deterministic": False,
          "warn_only": False}


def _set_blas_threads(n):
    # NumPy's BLAS is the only multi-threaded part of numtorch; threadpoolctl, when present, sizes it,
    # else the thread setter of the OpenBLAS/MKL library NumPy has loaded is called directly.
    blas = _blas.library()
    if n == 1 and blas is not None and blas.single_thread_quietly():
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        if blas is not None:
            blas.setter(n)
        return
    threadpool_limits(n)


def set_num_threads(int):
    """Sets the number of threads used for intra-op parallelism: NumPy's BLAS, and numtorch's own split of
    convolution blocks (which uses two threads whenever this is 2 or more)."""
    if not isinstance(int, type(1)) or int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state["threads"] = int
    _set_blas_threads(int)


def get_num_threads():
    """The number of threads used for intra-op parallelism."""
    return _state["threads"]


def set_num_interop_threads(int):
    """Sets the number of threads used for inter-op parallelism."""
    if not isinstance(int, type(1)) or int <= 0:
        raise RuntimeError("Expected positive number of threads")
    _state["interop"] = int


def get_num_interop_threads():
    """The number of threads used for inter-op parallelism."""
    return _state["interop"]


def set_float32_matmul_precision(precision):
    """Sets the internal precision of float32 matrix products ('highest', 'high' or 'medium')."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/Context.cpp:458.)", UserWarning, stacklevel=2)
        return
    _state["precision"] = precision


def get_float32_matmul_precision():
    """The current float32 matrix product precision setting."""
    return _state["precision"]


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Asks for deterministic algorithms (numtorch's CPU kernels always are)."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' must be bool, not {type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled():
    """Whether ``use_deterministic_algorithms(True)`` is in effect."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    """Whether deterministic mode only warns."""
    return _state["warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    """Sets the deterministic debug mode: "default"/0 off, "warn"/1 warn only, "error"/2 error."""
    if not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                               f"but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    # The same switches use_deterministic_algorithms sets, so either interface reads the other's choice.
    _state["deterministic"], _state["warn_only"] = debug_mode != 0, debug_mode == 1


def get_deterministic_debug_mode():
    """The deterministic debug mode as an int: 0 default, 1 warn, 2 error."""
    if not _state["deterministic"]:
        return 0
    return 1 if _state["warn_only"] else 2
