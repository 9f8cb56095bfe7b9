"""Automatic mixed precision: the ``autocast`` context and the per-op casting policy.

Only ops on the policy lists below are affected, mirroring torch's CPU autocast policy (checked against
torch 2.13 op by op): matrix products, convolutions and (padded, unprojected) LSTMs run in the lower
precision dtype, losses and precision-sensitive reductions run in float32, everything else runs in the
dtype of its inputs. As in torch, float64 tensors are never cast and an op called from inside an autocast
op is not cast again.
"""
import functools
import sys
import warnings

from .. import _dtype
from .._device import cupy_module

# ops torch's CPU autocast runs in the lower precision dtype (bfloat16 by default)
LOWER_PRECISION = ("matmul", "mm", "bmm", "addmm", "baddbmm", "addbmm", "linear", "conv1d", "conv2d",
                   "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu", "einsum",
                   "tensordot", "vecdot", "scaled_dot_product_attention", "__matmul__", "__rmatmul__")
# ops torch's CPU autocast runs in lower precision only under a condition on their arguments
CONDITIONAL = {"lstm": "_lstm_on_onednn"}
# ops torch's CPU autocast runs in float32
FLOAT32 = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss",
           "margin_ranking_loss", "soft_margin_loss", "poisson_nll_loss", "hinge_embedding_loss",
           "triplet_margin_loss", "multi_margin_loss", "prod", "cdist", "trace", "inverse", "quantile",
           "nanquantile", "adaptive_avg_pool3d", "grid_sample", "polar")

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
                 "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
_enabled = {}
_dtypes = {"cpu": _dtype.bfloat16, "cuda": _dtype.float16}
# fast path flag for the op wrappers: any device type has autocast on, and not inside an autocast op
_active = [False]
_inside = [False]


def _check_device_type(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type.partition(":")[0] not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device "
                           f"string: {device_type}")


def is_autocast_available(device_type):
    """Whether autocast is available for ``device_type``."""
    return device_type in ("cpu", "cuda", "mps", "xpu")


def is_autocast_enabled(device_type=None):
    """Whether autocast is enabled for ``device_type`` (CUDA when not given)."""
    return _enabled.get(device_type or "cuda", False)


def get_autocast_dtype(device_type):
    """The lower precision dtype autocast uses on ``device_type``."""
    return _dtypes.get(device_type, _dtype.float16)


def set_autocast_enabled(device_type, enabled):
    """Turn autocast on or off for ``device_type``."""
    _enabled[device_type] = bool(enabled)
    _active[0] = any(_enabled.values())


def set_autocast_dtype(device_type, dtype):
    """Set the lower precision dtype autocast uses on ``device_type``."""
    _dtypes[device_type] = dtype


class autocast:
    """Context manager (or decorator) that runs chosen ops in lower precision for speed."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        _check_device_type(device_type)
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if device_type == "cuda" and enabled and cupy_module() is None:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", stacklevel=2)
            enabled = False
        if device_type == "cpu" and enabled and self.fast_dtype not in (_dtype.bfloat16, _dtype.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                          "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                          stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self):
        if not isinstance(self._enabled, bool):
            raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be bool, not "
                            f"{type(self._enabled).__name__}")
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)

    def __exit__(self, exc_type, exc_val, exc_tb):
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def _device_type_of(args, kwargs):
    from .._tensor import Tensor
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor):
            return a.device.type
        if isinstance(a, (list, tuple)) and a and isinstance(a[0], Tensor):
            return a[0].device.type
    return None


def _cast(x, target):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        dt = x.dtype
        if dt is not target and dt.is_floating_point and dt is not _dtype.float64:
            return x.to(target)
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_cast(v, target) for v in x)
    return x


def _lstm_on_onednn(args):
    # torch hands a CPU LSTM to oneDNN (a lower precision op) only for padded input without projections;
    # otherwise the LSTM runs its own matmuls, each autocast on its own
    if len(args) < 5 or not isinstance(args[1], (list, tuple)):
        return False
    params, has_biases, layers = args[2], args[3], args[4]
    directions = 2 if len(args) > 7 and args[7] else 1
    return len(params) == layers * directions * (4 if has_biases else 2)


def _wrap(fn, lower, when=None):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        if not _active[0] or _inside[0]:
            return fn(*args, **kwargs)
        dev = _device_type_of(args, kwargs)
        if not _enabled.get(dev, False) or when is not None and not when(args):
            return fn(*args, **kwargs)
        target = _dtypes[dev] if lower else _dtype.float32
        args = [_cast(a, target) for a in args]
        kwargs = {k: _cast(v, target) for k, v in kwargs.items()}
        _inside[0] = True
        try:
            return fn(*args, **kwargs)
        finally:
            _inside[0] = False
    op._autocast_lower = lower
    return op


def _install():
    """Route the policy ops through autocast wrappers, wherever numtorch already holds a reference."""
    from .. import _ops, linalg
    from .._tensor import Tensor
    from ..nn import functional
    spaces = (_ops.FUNCTIONS, vars(sys.modules["numtorch"]), vars(functional), vars(linalg), vars(Tensor))
    wrapped = {}
    for lower, names in ((True, LOWER_PRECISION), (False, FLOAT32)):
        for name in names:
            for space in spaces:
                fn = space.get(name)
                if callable(fn) and not hasattr(fn, "_autocast_lower") and id(fn) not in wrapped:
                    wrapped[id(fn)] = (fn, _wrap(fn, lower))
    for name, when in CONDITIONAL.items():
        fn = _ops.FUNCTIONS.get(name)
        if fn is not None and id(fn) not in wrapped:
            wrapped[id(fn)] = (fn, _wrap(fn, True, globals()[when]))
    _ops.FUNCTIONS.update({k: wrapped[id(v)][1] for k, v in _ops.FUNCTIONS.items() if id(v) in wrapped})
    for name, mod in list(sys.modules.items()):
        if name.startswith("numtorch") and mod is not None:
            _replace_in(mod, vars(mod), wrapped, setattr)


def _replace_in(owner, space, wrapped, put):
    for key, value in list(space.items()):
        if isinstance(value, staticmethod) and id(value.__func__) in wrapped:
            put(owner, key, staticmethod(wrapped[id(value.__func__)][1]))
        elif id(value) in wrapped and wrapped[id(value)][0] is value:
            put(owner, key, wrapped[id(value)][1])
        elif isinstance(value, type) and value.__module__.startswith("numtorch") and owner is not value:
            if getattr(owner, "__name__", None) == value.__module__:
                _replace_in(value, dict(vars(value)), wrapped, setattr)


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom autograd Function's forward: runs it under the caller's autocast state,
    or casts its floating inputs to ``cast_inputs`` and runs it with autocast off."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if autocast_context:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*[_cast(a, cast_inputs) for a in args],
                           **{k: _cast(v, cast_inputs) for k, v in kwargs.items()})
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom autograd Function's backward: runs it with the autocast state of forward."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
