"""Legacy typed tensor classes (``torch.FloatTensor``...) and ``set_default_tensor_type``."""
import warnings

from . import _dtype
from ._device import device, to_device


class tensortype(type):
    """Metaclass of the legacy typed classes: ``isinstance(t, FloatTensor)`` checks dtype and device."""

    def __instancecheck__(cls, obj):
        from ._tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.is_cuda == cls.is_cuda

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _make(name, dt, is_cuda):
    def __new__(cls, *args, device=None):
        from ._ops import creation
        if cls.is_cuda:
            from . import cuda
            cuda._legacy_check(cls.__name__)
        t = creation.legacy_new(_tensor_cls(), cls.dtype, args, device)
        return t.cuda() if cls.is_cuda else t
    mod = "torch.cuda" if is_cuda else "torch"
    return tensortype(name, (), {"__new__": __new__, "dtype": dt, "is_cuda": is_cuda, "__module__": mod,
                                 "__doc__": f"Legacy constructor for {dt} tensors."})


def _tensor_cls():
    from ._tensor import Tensor
    return Tensor


_NAMES = {d._legacy + "Tensor": d for d in _dtype.ALL}
CPU_TYPES = {name: _make(name, dt, False) for name, dt in _NAMES.items()}
CUDA_TYPES = {name: _make(name, dt, True) for name, dt in _NAMES.items()}
# Tensor.type() also names the limited dtypes this way, though torch has no classes for them
_TYPE_NAMES = dict(_NAMES, **{d._legacy + "Tensor": d for d in _dtype.LIMITED})


def parse_type(t):
    """A legacy type given as class, ``'torch.FloatTensor'``-style string or dtype -> (dtype, device)."""
    if isinstance(t, _dtype.dtype):
        return t, None
    if isinstance(t, tensortype):
        return t.dtype, (device("cuda") if t.is_cuda else device("cpu"))
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if t.startswith("torch.cuda.") and name in _TYPE_NAMES:
            return _TYPE_NAMES[name], device("cuda")
        if t.startswith("torch.") and name in _TYPE_NAMES:
            return _TYPE_NAMES[name], device("cpu")
        raise ValueError(f"invalid type: '{t}'")
    if isinstance(t, type):
        mod = "" if t.__module__ == "builtins" else t.__module__ + "."
        raise ValueError(f"invalid type: '{mod}{t.__name__}'")
    raise TypeError(f"dtype must be a type, str, or dtype object, not {type(t).__name__}")


_warned = []


def _resolve_name(name):
    # torch imports the dotted name: unknown modules and attributes fail the way an import does.
    mod, _, attr = name.rpartition(".")
    if not mod:
        raise ModuleNotFoundError(f"No module named '{name}'")
    if mod not in ("torch", "torch.cuda"):
        raise ModuleNotFoundError(f"No module named '{mod.split('.')[0]}'")
    if attr not in _NAMES:
        raise AttributeError(f"module '{mod}' has no attribute '{attr}'")
    return parse_type(name)


def set_default_tensor_type(t):
    """Deprecated: sets the default floating point dtype from a legacy tensor type."""
    if not _warned:
        # torch warns once per process
        _warned.append(True)
        warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                      "torch.set_default_dtype() and torch.set_default_device() as alternatives. (Triggered "
                      "internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)",
                      UserWarning,
                      stacklevel=2)
    if isinstance(t, str):
        dt, dev = _resolve_name(t)
    elif isinstance(t, tensortype):
        dt, dev = parse_type(t)
    else:
        raise TypeError("invalid type object: only floating-point types are supported as the default type")
    if dev is not None and dev.type == "cuda":
        from . import cuda
        if not cuda.is_available():
            raise TypeError(f"type torch.cuda.{dt._legacy}Tensor not available. Torch not compiled with CUDA "
                            "enabled.")
    if not dt.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dt)
