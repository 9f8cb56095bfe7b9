"""The global names torch writes into checkpoints, and the numtorch objects they stand for."""
import importlib
from collections import OrderedDict

from .. import _dtype
from .._size import Size
from .._device import device
from .._tensor import Tensor


class TorchName:
    """Pickled as torch's GLOBAL ``module.name``; calling it runs numtorch's equivalent."""

    __slots__ = ("module", "name", "_fn")

    def __init__(self, module, name, fn):
        self.module, self.name, self._fn = module, name, fn

    def __call__(self, *args):
        return self._fn(*args)

    def __repr__(self):
        return f"<function {self.module}.{self.name}>"


class StorageType:
    """What a ``torch.FloatStorage``-style global means inside a checkpoint: a storage element type."""

    __slots__ = ("dtype", "name")

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __call__(self, *args):
        raise RuntimeError(f"legacy storage constructors such as torch.{self.name} are not supported")

    def __str__(self):
        return f"StorageType(dtype={self.dtype})"


class Unsupported:
    """A torch global with no numtorch counterpart: loading proceeds until it is used, then fails clearly."""

    __slots__ = ("path", "what")

    def __init__(self, path, what):
        self.path, self.what = path, what

    def __call__(self, *args):
        raise RuntimeError(f"the checkpoint uses {self.path}; {self.what} are not supported by numtorch")

    @property
    def dtype(self):
        return self

    def __repr__(self):
        return self.path


_MISSING_DTYPES = (["complex32", "float8_e8m0fnu", "float4_e2m1fn_x2", "bits8", "bits16",
                    "bits1x8", "bits2x4", "bits4x2", "qint8", "qint32", "quint8", "quint4x2", "quint2x4"]
                   + [f"{p}int{n}" for p in ("", "u") for n in range(1, 8)])
_MISSING = {f"torch.{name}": "tensors of this dtype" for name in _MISSING_DTYPES}
_MISSING.update({f"torch.{q}Storage": "quantized tensors" for q in ("QInt8", "QInt32", "QUInt8", "QUInt4x2",
                                                                     "QUInt2x4")})
_MISSING.update({f"torch.{q}": "quantized tensors" for q in (
    "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine", "per_channel_symmetric",
    "per_channel_affine_float_qparams")})
_MISSING.update({f"torch._utils._rebuild_{kind}": what for kind, what in (
    ("qtensor", "quantized tensors"), ("sparse_tensor", "sparse tensors"),
    ("nested_tensor", "nested tensors"),
    ("meta_tensor_no_storage", "meta tensors"), ("wrapper_subclass", "wrapper tensor subclasses"),
    ("device_tensor_from_numpy", "tensors saved through NumPy arrays"))})

# torch.<Legacy>Storage for the dtypes torch still names that way (newer dtypes use UntypedStorage)
STORAGE_TYPES = {d: StorageType(d._legacy + "Storage", d) for d in _dtype.ALL}
STORAGE_BY_NAME = {st.name: st for st in STORAGE_TYPES.values()}
UNTYPED = StorageType("UntypedStorage", _dtype.uint8)


def _layout_by_name(name):
    import numtorch
    layout = getattr(numtorch, name.rpartition(".")[2], None)
    if not isinstance(layout, numtorch.layout):
        raise RuntimeError(f"layout {name} is not supported")
    return layout


GET_LAYOUT = TorchName("torch.serialization", "_get_layout", _layout_by_name)


def _parameter_cls():
    from ..nn.parameter import Parameter
    return Parameter


def special_globals():
    """``{full torch path: numtorch object}`` for every global torch itself writes into checkpoints."""
    from . import _rebuild
    from .._legacy import CPU_TYPES
    from _codecs import encode
    from collections import Counter
    out = {path: Unsupported(path, what) for path, what in _MISSING.items()}
    out.update({
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": _parameter_cls(), "torch.Size": Size, "torch.Tensor": Tensor,
        "torch.device": device, "_codecs.encode": encode, "builtins.bytearray": bytearray,
        "builtins.set": set, "builtins.complex": complex,
    })
    out.update({f"torch.{d._name}": d for d in _dtype.ALL + _dtype.LIMITED})
    out.update({f"torch.{name}": cls for name, cls in CPU_TYPES.items()})
    out.update({f"torch.{st.name}": st for st in STORAGE_TYPES.values()})
    out["torch.storage.UntypedStorage"] = UNTYPED
    for mark in _rebuild.MARKS + (GET_LAYOUT,):
        out[f"{mark.module}.{mark.name}"] = mark
    return out


def save_names():
    """``{id(obj): (module, name)}`` for numtorch objects that must be written under torch's name."""
    out = {id(d): ("torch", d._name) for d in _dtype.ALL + _dtype.LIMITED}
    out[id(Size)] = ("torch", "Size")
    out[id(device)] = ("torch", "device")
    out[id(Tensor)] = ("torch", "Tensor")
    out[id(_parameter_cls())] = ("torch.nn.parameter", "Parameter")
    out.update({id(st): ("torch", st.name) for st in STORAGE_TYPES.values()})
    out[id(UNTYPED)] = ("torch.storage", "UntypedStorage")
    from . import _rebuild
    out.update({id(m): (m.module, m.name) for m in _rebuild.MARKS + (GET_LAYOUT,)})
    import numtorch
    for fmt in ("contiguous_format", "channels_last", "preserve_format"):
        out[id(getattr(numtorch, fmt))] = ("torch", fmt)
    return out


def torch_module_name(module):
    """The torch module path for a numtorch one (``numtorch.nn.modules.linear`` -> ``torch.nn...``)."""
    if module == "numtorch" or module.startswith("numtorch."):
        return "torch" + module[8:]
    return module


_MODULE_ALIASES = {"torch.tensor": "torch._tensor"}


def resolve(module, name):
    """The numtorch object standing for torch's global ``module.name`` (torch.* maps to numtorch.*)."""
    module = _MODULE_ALIASES.get(module, module)
    target = "numtorch" + module[5:]
    try:
        obj = importlib.import_module(target)
    except ImportError:
        raise ModuleNotFoundError(f"No module named '{target}' (numtorch has no counterpart of {module})",
                                  name=target) from None
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AttributeError(f"Can't get attribute '{name}' on <module '{target}'> "
                                 f"(numtorch has no counterpart of {module}.{name})") from None
    return obj


def is_torch_module(module):
    return module == "torch" or module.startswith("torch.")
