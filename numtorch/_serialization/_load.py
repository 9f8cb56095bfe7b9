"""Reading checkpoints: storage restoration (map_location), the zip and the legacy layouts."""
import io
import pickle
import re
import sys

import numpy as np

from .. import _dtype
from . import _names
from ._rebuild import LoadedStorage
from . import _save
from ._save import MAGIC_NUMBER, PROTOCOL_VERSION


def _decode(s):
    return s.decode("ascii") if isinstance(s, bytes) else s


# ------------------------------------------------------------------------------------ locations

def _validate_cuda(location):
    from .. import cuda
    if not cuda.is_available():
        raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                           "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
                           "please use torch.load with map_location=torch.device('cpu') to map your storages "
                           "to the CPU.")
    _, _, idx = location.partition(":")
    index = int(idx) if idx else 0
    count = cuda.device_count()
    if index >= count:
        raise RuntimeError(f"Attempting to deserialize object on CUDA device {index} but "
                           f"torch.cuda.device_count() is {count}. Please use torch.load with map_location "
                           "to map your storages to an existing device.")
    return index


def default_restore_location(buf, location):
    """Move a loaded uint8 buffer to the device named by ``location`` ('cpu', 'cuda', 'cuda:1')."""
    location = _decode(location)
    if location == "cpu":
        return buf if type(buf) is np.ndarray else buf.get()
    if location == "cuda" or re.match("cuda(:|[0-9]+)", location):
        index = _validate_cuda(location)
        from .._device import cupy_module
        cp = cupy_module()
        with cp.cuda.Device(index):
            return cp.asarray(buf)
    raise RuntimeError("don't know how to restore data location of torch.storage.UntypedStorage "
                       f"(tagged with {location})")


def _as_storage(buf):
    from .._storage import UntypedStorage
    return UntypedStorage._over(buf)


def _from_storage(obj):
    from .._storage import UntypedStorage
    if isinstance(obj, UntypedStorage):
        return obj._buf.reshape(-1).view(np.uint8)
    raise TypeError(f"map_location should return a storage, but got {type(obj).__name__}")


def registered_restore(buf, location):
    """``buf`` placed by the registered deserializers (torch.serialization.register_package)."""
    from . import _packages
    return _from_storage(_packages.restore(_as_storage(buf), _decode(location)))


def restorer(map_location):
    """``restore(buf, location) -> buf`` for each form of ``map_location`` torch accepts."""
    from .._device import device
    if map_location is None:
        return registered_restore
    if isinstance(map_location, dict):
        return lambda buf, loc: registered_restore(buf, map_location.get(_decode(loc), _decode(loc)))
    if isinstance(map_location, bytes):
        # torch accepts bytes here but then fails matching them against its location patterns
        raise TypeError("map_location must be a str, not bytes: cannot use a string pattern on a bytes-like "
                        "object")
    if isinstance(map_location, str):
        return lambda buf, loc: registered_restore(buf, map_location)
    if isinstance(map_location, device):
        target = str(map_location)
        return lambda buf, loc: registered_restore(buf, target)
    if not callable(map_location):
        raise TypeError(f"map_location should be a string, torch.device, dict or callable, but got "
                        f"{type(map_location).__name__}")

    def restore(buf, loc):
        result = map_location(_as_storage(buf), _decode(loc))
        if result is None:
            return registered_restore(buf, loc)
        return _from_storage(result)
    return restore


def _swap(buf, dtype):
    """Reverse the byte order of each element in place (files written on the other endianness)."""
    if dtype.itemsize > 1 and buf.size:
        elem = dtype.to_real() if dtype.is_complex else dtype
        view = buf.view(np.dtype(f"u{elem.itemsize}")) if elem is not _dtype.bfloat16 else buf.view(np.uint16)
        view.byteswap(inplace=True)


def _check_numel(numel, dtype, fname, limit=None):
    """Bytes of a storage of ``numel`` elements, refusing sizes no honest checkpoint can have."""
    if type(numel) is not int or numel < 0 or (limit is not None and numel * dtype.itemsize > limit):
        raise RuntimeError(f"{fname} declares an impossible storage size {numel!r}: the file is truncated or "
                           "corrupted")
    return numel * dtype.itemsize


def _storage_dtype(storage_type):
    dtype = getattr(storage_type, "dtype", None)
    if not isinstance(dtype, _dtype.dtype):
        if isinstance(dtype, _names.Unsupported):
            dtype()
        raise RuntimeError(f"the checkpoint uses storage type {storage_type!r}, which numtorch does not "
                           "support")
    return dtype


# ------------------------------------------------------------------------------------ unpicklers

def full_unpickler(pickle_module):
    """An unrestricted unpickler over ``pickle_module`` that maps torch's globals to numtorch."""
    special = _names.special_globals()

    class CheckpointUnpickler(pickle_module.Unpickler):
        def find_class(self, module, name):
            obj = special.get(f"{module}.{name}")
            if obj is not None:
                return obj
            if _names.is_torch_module(module):
                st = _names.STORAGE_BY_NAME.get(name)
                return st if st is not None else _names.resolve(module, name)
            return super().find_class(module, name)

    return CheckpointUnpickler


# ------------------------------------------------------------------------------------ zip layout

def load_zip(reader, map_location, make_unpickler, mapped=None):
    """Unpickle ``data.pkl`` of an open checkpoint, reading (or mapping) each storage once."""
    swap = False
    if reader.has("byteorder"):
        order = reader.read_bytes("byteorder")
        if order not in (b"little", b"big"):
            raise ValueError("Unknown endianness type: " + order.decode())
        swap = order.decode() != sys.byteorder
    restore = restorer(map_location)
    loaded = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or _decode(pid[0]) != "storage":
            raise RuntimeError(f"Unknown typename for persistent_load, expected 'storage' but got {pid!r}")
        storage_type, key, location, numel = pid[1:]
        if key in loaded:
            return loaded[key]
        dtype = _storage_dtype(storage_type)
        name = f"data/{key}"
        nbytes = _check_numel(numel, dtype, reader.fname)
        if _save.STATE.skip_data:
            buf = np.zeros(nbytes, np.uint8)
        elif mapped is not None:
            reader.check_stored(name)
            if reader.size(name) != nbytes:
                raise RuntimeError(f"{reader.fname}: record {name} holds {reader.size(name)} bytes, expected "
                                   f"{nbytes}; the file is corrupted")
            buf = np.ndarray((nbytes,), np.uint8, buffer=mapped, offset=reader.offset(name))
        else:
            buf = reader.read(name, nbytes)
        if swap:
            _swap(buf, dtype)
        storage = loaded[key] = LoadedStorage(restore(buf, location), dtype)
        return storage

    unpickler = make_unpickler(io.BytesIO(reader.read_bytes("data.pkl")))
    unpickler.persistent_load = persistent_load
    try:
        result = unpickler.load()
    finally:
        reader.verify()
    return result


# ------------------------------------------------------------------------------------ legacy layout

class NotACheckpoint(pickle.UnpicklingError):
    """The input does not start with any checkpoint layout torch writes."""


def _named_errors(fname, read):
    """``read()``, with running out of data reported against the file's name."""
    try:
        return read()
    except EOFError:
        raise EOFError(f"Ran out of input: {fname} is truncated") from None
    except pickle.UnpicklingError as e:
        if "truncated" in str(e):
            raise RuntimeError(f"{fname} is truncated ({e})") from None
        raise


def load_legacy(f, fname, map_location, make_unpickler, header_load):
    """Read the pre-1.6 layout: magic, version and sys-info pickles, the object, storage keys, raw data."""
    try:
        magic = header_load(f)
    except EOFError:
        raise EOFError(f"Ran out of input: {fname} is empty or truncated") from None
    except (pickle.UnpicklingError, KeyError, ValueError, IndexError) as e:
        raise NotACheckpoint(f"{fname} is not a checkpoint written by torch.save ({e!r})") from None
    if magic != MAGIC_NUMBER:
        raise RuntimeError(f"Invalid magic number; corrupt file? ({fname} is not a torch.save checkpoint)")
    version, sys_info = _named_errors(fname, lambda: (header_load(f), header_load(f)))
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    swap = little != (sys.byteorder == "little")
    restore = restorer(map_location)
    pending = {}
    views = {}
    here = f.tell()
    file_size = f.seek(0, io.SEEK_END)
    f.seek(here)

    def persistent_load(pid):
        if not isinstance(pid, tuple):
            raise RuntimeError(f"saved_id must be a tuple, got {type(pid).__name__}")
        kind = _decode(pid[0])
        if kind == "module":
            return pid[1]
        if kind != "storage":
            raise RuntimeError(f"Unknown saved id type: {pid[0]}")
        storage_type, key, location, numel, view = pid[1:]
        dtype = _storage_dtype(storage_type)
        if key not in pending:
            host = np.empty(_check_numel(numel, dtype, fname, file_size), np.uint8)
            pending[key] = (dtype, host, LoadedStorage(restore(host, location), dtype))
        root = pending[key][2]
        if view is None:
            return root
        view_key, offset, size = view
        if view_key not in views:
            isz = dtype.itemsize
            views[view_key] = LoadedStorage(root.bytes[offset * isz:(offset + size) * isz], dtype)
        return views[view_key]

    unpickler = make_unpickler(f)
    unpickler.persistent_load = persistent_load
    result, keys = _named_errors(fname, lambda: (unpickler.load(), header_load(f)))
    for key in keys:
        if key not in pending:
            raise RuntimeError(f"{fname}: storage key {key!r} is not used by the checkpoint")
        dtype, host, storage = pending[key]
        head = f.read(8)
        if len(head) < 8 or int(np.frombuffer(head, "<i8")[0]) * dtype.itemsize != host.size:
            raise RuntimeError(f"{fname} is truncated or corrupted: bad size record for storage {key}")
        if host.size and f.readinto(memoryview(host)) != host.size:
            raise RuntimeError(f"{fname} is truncated: storage {key} ends early")
        if swap:
            _swap(host, dtype)
        if storage.bytes is not host:
            storage.bytes[...] = host if type(storage.bytes) is np.ndarray else type(storage.bytes)(host)
    return result
