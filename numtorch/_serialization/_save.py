"""Writing checkpoints: a pickler that emits torch's global names, the zip and the legacy layouts."""
import io
import pickle
import sys
import threading
from collections import OrderedDict

import numpy as np

from .. import _dtype
from .._ops.creation import _AUTOGRAD_KEYS
from .._ops.shape import _ptr, _root
from .._size import Size
from .._storage import TypedStorage, UntypedStorage
from .._device import device
from .._tensor import Tensor, _contiguous_strides
from . import _names, _packages, _rebuild, _zip

DEFAULT_PROTOCOL = 2


class _State(threading.local):
    """Per-thread serialization switches (``skip_data``)."""

    def __init__(self):
        self.skip_data = False


STATE = _State()

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


class _StorageRef:
    """One storage to be written: pickled as torch's persistent id, its bytes written after the pickle."""

    __slots__ = ("key", "root", "dtype", "location")

    def __init__(self, key, root, dtype, location):
        self.key, self.root, self.dtype, self.location = key, root, dtype, location

    def raw(self):
        """The storage bytes as a flat uint8 host array, in memory order."""
        root = self.root
        if type(root) is not np.ndarray:
            root = root.get()
        return root.ravel(order="K").view(np.uint8)

    def numel(self):
        return self.root.nbytes // self.dtype.itemsize


class _Storages:
    """Assigns storage keys in first-use order and checks each storage is used with a single dtype."""

    def __init__(self):
        self.refs = {}
        self.order = []

    def ref(self, t):
        """``(storage ref, storage offset, strides)`` for tensor ``t`` (views share their base's storage)."""
        d = t._data
        dt = t.dtype
        root = _root(d)
        delta = _ptr(d) - _ptr(root)
        contiguous = root.flags.c_contiguous or root.flags.f_contiguous
        if not contiguous or delta % dt.itemsize or root.nbytes % dt.itemsize:
            # memory numtorch cannot describe as one flat block (e.g. a strided NumPy array adopted by
            # from_numpy): store this tensor's values in a storage of its own
            root = d.copy()
            return self.lookup(root, dt), 0, _contiguous_strides(d.shape)
        return self.lookup(root, dt), delta // dt.itemsize, t.stride()

    def lookup(self, root, dt):
        """The storage ref of the flat buffer ``root`` (created on first use)."""
        ref = self.refs.get(id(root))
        if ref is None:
            loc = _packages.tag(UntypedStorage._over(root))
            ref = self.refs[id(root)] = _StorageRef(str(len(self.order)), root, dt, loc)
            self.order.append(ref)
        elif ref.dtype is not dt:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as "
                               "different types")
        return ref


def _layout_cls():
    import numtorch
    return numtorch.layout


def _tensor_state(t):
    return {k: v for k, v in t.__dict__.items() if k not in _AUTOGRAD_KEYS}


_BASE = pickle._Pickler


def make_pickler_class(base=_BASE):
    """A pickler class over ``base`` that writes numtorch objects exactly as torch writes its own."""

    class CheckpointPickler(base):
        def __init__(self, file, protocol, storages, legacy=False):
            super().__init__(file, protocol)
            self._storages = storages
            self._legacy = legacy
            self._names = _names.save_names()

        def persistent_id(self, obj):
            if type(obj) is _StorageRef:
                # torch has no typed storage class for the limited dtypes: their bytes go untyped
                return self._pid(_names.STORAGE_TYPES.get(obj.dtype, _names.UNTYPED), obj)
            if isinstance(obj, UntypedStorage):
                # a storage saved on its own (TypedStorage subclasses UntypedStorage in numtorch)
                typed = isinstance(obj, TypedStorage)
                ref = self._storages.lookup(obj._root, obj.dtype if typed else _dtype.uint8)
                return self._pid(_names.STORAGE_TYPES[ref.dtype] if typed else _names.UNTYPED, ref)
            return None

        def _pid(self, storage_type, ref):
            numel = ref.root.nbytes if storage_type is _names.UNTYPED else ref.numel()
            pid = ("storage", storage_type, ref.key, ref.location, numel)
            return pid + (None,) if self._legacy else pid

        def _emit_global(self, obj, module, name):
            hit = self.memo.get(id(obj))
            if hit is not None:
                self.write(self.get(hit[0]))
                return
            self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode("utf-8"))
            self.memoize(obj)

        def save(self, obj, save_persistent_id=True):
            name = self._names.get(id(obj))
            if name is not None:
                self._emit_global(obj, *name)
                return
            super().save(obj, save_persistent_id)

        def save_global(self, obj, name=None):
            module = getattr(obj, "__module__", None) or ""
            renamed = _names.torch_module_name(module)
            if renamed != module:
                self._emit_global(obj, renamed, name or obj.__qualname__)
                return
            super().save_global(obj, name)

        def reducer_override(self, obj):
            cls = type(obj)
            if isinstance(obj, Tensor):
                return self._reduce_tensor(obj)
            if cls is Size:
                return (Size, (tuple(obj),))
            if cls is _layout_cls():
                return (_names.GET_LAYOUT, (repr(obj),))
            if cls is device:
                # torch's device.type is a new string each time, so the memo never shares it with a
                # storage location: a copy keeps numtorch's pickles byte-identical to torch's
                kind = obj.type.encode().decode()
                return (device, (kind,) if obj.index is None else (kind, obj.index))
            return NotImplemented

        def _reduce_tensor(self, t):
            from ..nn.parameter import Parameter
            if isinstance(t, Parameter):
                plain = Tensor._wrap(t._data)
                state = _tensor_state(t)
                if state:
                    return (_rebuild.REBUILD_PARAMETER_STATE, (plain, t.requires_grad, OrderedDict(), state))
                return (_rebuild.REBUILD_PARAMETER, (plain, t.requires_grad, OrderedDict()))
            ref, offset, stride = self._storages.ref(t)
            args = (ref, offset, tuple(t.shape), stride, t.requires_grad, OrderedDict())
            rebuild = _rebuild.REBUILD_TENSOR_V2
            if t.dtype._limited:
                # the untyped storage does not say the dtype: torch's v3 rebuild takes it as an argument
                rebuild, args = _rebuild.REBUILD_TENSOR_V3, args + (t.dtype,)
            state = _tensor_state(t)
            if type(t) is Tensor and not state:
                return (rebuild, args)
            return (_rebuild.REBUILD_FROM_TYPE_V2, (rebuild, type(t), args, state))

    return CheckpointPickler


_PICKLER = make_pickler_class()


def _pickler_class(pickle_module):
    base = getattr(pickle_module, "_Pickler", None) or getattr(pickle_module, "Pickler")
    if base is _BASE:
        return _PICKLER
    if not hasattr(base, "save_global"):
        # a C pickler cannot write torch's names for numtorch objects: fall back to the Python one
        return _PICKLER
    return make_pickler_class(base)


def dump_zip(obj, f, archive, pickle_module, protocol, byteorder_record=True):
    """Write ``obj`` to the open binary file ``f`` in torch's zip layout."""
    storages = _Storages()
    buf = io.BytesIO()
    _pickler_class(pickle_module)(buf, protocol, storages).dump(obj)
    records = [("data.pkl", buf.getvalue()), (".format_version", "1"),
               (".storage_alignment", str(_zip.ALIGN))]
    if byteorder_record:
        records.append(("byteorder", sys.byteorder))
    records += [(f"data/{ref.key}", np.zeros(ref.root.nbytes, np.uint8) if STATE.skip_data else ref.raw())
                for ref in storages.order]
    records.append(("version", "3\n"))
    writer = _zip.Writer(f, archive)
    writer.write_all(records)
    writer.close()


def dump_legacy(obj, f, pickle_module, protocol):
    """Write ``obj`` in the pre-1.6 layout: pickles for magic, version, sys info, object, keys, then data."""
    storages = _Storages()
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle_module.dump(header, f, protocol=protocol)
    _pickler_class(pickle_module)(f, protocol, storages, legacy=True).dump(obj)
    keys = sorted(ref.key for ref in storages.order)
    pickle_module.dump(keys, f, protocol=protocol)
    by_key = {ref.key: ref for ref in storages.order}
    for key in keys:
        ref = by_key[key]
        f.write(np.int64(ref.numel()).astype("<i8").tobytes())
        f.write(memoryview(ref.raw()))
