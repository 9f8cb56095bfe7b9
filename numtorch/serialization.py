"""numtorch.save / numtorch.load: PyTorch checkpoint files (zip and legacy layouts), safe loading."""
import mmap as _mmap
import os
import pickle
import tempfile
import warnings

from ._serialization import _load, _packages, _save, _weights_only, _zip
from ._serialization._names import StorageType
from ._serialization._weights_only import (add_safe_globals, clear_safe_globals, get_safe_globals,
                                           safe_globals)

DEFAULT_PROTOCOL = _save.DEFAULT_PROTOCOL
MAGIC_NUMBER = _save.MAGIC_NUMBER
PROTOCOL_VERSION = _save.PROTOCOL_VERSION
UNSAFE_MESSAGE = _weights_only.UNSAFE_MESSAGE
_mmap_flags = [_mmap.MAP_PRIVATE]
_state = _save.STATE

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals", "clear_safe_globals",
           "get_unsafe_globals_in_checkpoint", "default_restore_location", "set_default_mmap_options",
           "get_default_mmap_options", "SourceChangeWarning", "StorageType", "DEFAULT_PROTOCOL", "skip_data",
           "register_package", "location_tag"]


class skip_data:
    """Context manager under which save writes storages as zeros and load leaves them unread (zeros)."""

    def __init__(self, materialize_fake_tensors=False):
        self.materialize_fake_tensors = materialize_fake_tensors

    def __enter__(self):
        self._old = _state.skip_data
        _state.skip_data = True

    def __exit__(self, type, value, tb):
        _state.skip_data = self._old


class SourceChangeWarning(Warning):
    """Warned when the source of a pickled module class changed since it was saved."""


def default_restore_location(storage, location):
    """Restores ``storage`` on the device named by ``location``: the first registered deserializer
    (see ``register_package``) that returns a storage."""
    return _packages.restore(storage, location)


def location_tag(storage):
    """The location string a storage is saved with: the first registered tagger's answer."""
    return _packages.tag(storage)


def register_package(priority, tagger, deserializer):
    """Registers ``tagger(storage) -> str or None`` (run at save time) and
    ``deserializer(storage, location) -> storage or None`` (run at load time) for storages of a device
    numtorch does not know; registered pairs run in increasing ``priority`` until one answers (cpu has
    priority 10, cuda 20)."""
    _packages.register(priority, tagger, deserializer)


def get_default_mmap_options():
    """The mmap flags ``load(mmap=True)`` uses (``mmap.MAP_PRIVATE`` unless changed)."""
    return _mmap_flags[0]


class set_default_mmap_options:
    """Context manager or function setting the mmap flags used by ``load(mmap=True)``."""

    def __init__(self, flags):
        if flags != _mmap.MAP_PRIVATE and flags != _mmap.MAP_SHARED:
            raise ValueError("Invalid argument in function set_default_mmap_options, expected "
                             f"mmap.MAP_PRIVATE or mmap.MAP_SHARED, but got {flags}")
        self.prev = _mmap_flags[0]
        _mmap_flags[0] = flags

    def __enter__(self):
        pass

    def __exit__(self, exc_type, exc_value, traceback):
        _mmap_flags[0] = self.prev


def _file_name(f):
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"the {type(f).__name__} object"


def _archive_name(path):
    base = os.path.basename(path)
    stem = base[:base.rfind(".")] if "." in base else base
    return stem or "archive"


def _atomic_write(path, write, zip_layout=False):
    """Run ``write(file)`` on a temporary file beside ``path``, then rename it over ``path``."""
    path = os.fspath(path)
    if os.path.islink(path):
        # write through the link, as opening the path for writing would, instead of replacing it
        path = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if zip_layout and not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or folder} does not exist.")
    if zip_layout and os.path.isdir(path):
        raise RuntimeError(f"open file failed with strerror: Is a directory ({path!r})")
    if not os.path.isdir(folder) or os.path.isdir(path):
        # the error opening ``path`` itself would give, not one about the temporary file
        open(path, "wb").close()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves an object to a disk file (or file-like object) in PyTorch's checkpoint format."""
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' "
                             "attribute")

    if _state.skip_data and not _use_new_zipfile_serialization:
        raise RuntimeError("Cannot use skip_data=True with _use_new_zipfile_serialization=False")

    def write(fobj, archive):
        if _use_new_zipfile_serialization:
            _save.dump_zip(obj, fobj, archive, pickle_module, pickle_protocol,
                           not _disable_byteorder_record)
        else:
            _save.dump_legacy(obj, fobj, pickle_module, pickle_protocol)
        fobj.flush()

    if isinstance(f, (str, os.PathLike)):
        archive = _archive_name(os.fspath(f))
        _atomic_write(f, lambda fobj: write(fobj, archive), _use_new_zipfile_serialization)
    else:
        write(f, "archive")


def _weights_only_default(weights_only, pickle_module):
    truthy = ("1", "y", "yes", "true")
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in truthy
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.")
    if force:
        return True
    if weights_only is None:
        if force_no:
            warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since "
                          "the`weights_only` argument was not explicitly passed to `torch.load`, forcing "
                          "weights_only=False.",
                          stacklevel=3)
            return False
        return pickle_module is None
    return weights_only


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads an object saved with ``torch.save`` (by torch or numtorch) from a file."""
    weights_only = _weights_only_default(weights_only, pickle_module)
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
        if pickle_load_args:
            warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    elif pickle_module is None:
        pickle_module = pickle
    encoding = pickle_load_args.setdefault("encoding", "utf-8")
    is_path = isinstance(f, (str, os.PathLike))
    if is_path and os.fspath(f).endswith(".safetensors"):
        from .utils import safetensors
        return safetensors._load_for_torch_load(os.fspath(f), map_location)
    fname = _file_name(f)
    if weights_only:
        def make_unpickler(fobj):
            return _weights_only.Unpickler(fobj, encoding=encoding)

        def header_load(fobj):
            return _weights_only.load(fobj, encoding=encoding)
    else:
        cls = _load.full_unpickler(pickle_module)

        def make_unpickler(fobj):
            return cls(fobj, **pickle_load_args)

        def header_load(fobj):
            return pickle_module.load(fobj, **pickle_load_args)
    opened = open(os.fspath(f), "rb") if is_path else f
    try:
        try:
            return _load_opened(opened, f, fname, map_location, make_unpickler, header_load, mmap, is_path)
        except pickle.UnpicklingError as e:
            if weights_only and not isinstance(e, _load.NotACheckpoint):
                raise pickle.UnpicklingError(_weights_only.failure_message(str(e))) from None
            raise
    finally:
        if is_path:
            opened.close()


def _map_file(path):
    """The whole file mapped privately (copy-on-write), or shared so that writes reach the file."""
    if _mmap_flags[0] == _mmap.MAP_SHARED:
        fd = os.open(path, os.O_RDWR)
        access = _mmap.ACCESS_WRITE
    else:
        fd = os.open(path, os.O_RDONLY)
        access = _mmap.ACCESS_COPY
    try:
        return _mmap.mmap(fd, 0, access=access)
    finally:
        os.close(fd)


def _load_opened(opened, f, fname, map_location, make_unpickler, header_load, mmap, is_path):
    for attr in ("seek", "read"):
        if not hasattr(opened, attr):
            raise AttributeError(f"'{type(opened).__name__}' object has no attribute '{attr}'. You can only "
                                 "torch.load from a file that is seekable. Please pre-load the data into a "
                                 "buffer like io.BytesIO and try to load from it instead.")
    if _zip.is_zip(opened):
        reader = _zip.Reader(opened, fname)
        if reader.has("constants.pkl"):
            raise RuntimeError(f"{fname} is a TorchScript archive; numtorch cannot load TorchScript programs")
        mapped = None
        if mmap:
            if not is_path:
                raise ValueError("f must be a file path in order to use the mmap argument")
            mapped = _map_file(os.fspath(f))
        if not reader.has("data.pkl"):
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found "
                               f"({fname} is not a torch.save checkpoint)")
        return _load.load_zip(reader, map_location, make_unpickler, mapped)
    if mmap:
        shown = f"{f}, " if isinstance(f, str) else ""
        raise RuntimeError("mmap can only be used with files saved with "
                           f"`torch.save({shown}_use_new_zipfile_serialization=True), please torch.save your "
                           "checkpoint with this option in order to use mmap.")
    return _load.load_legacy(opened, fname, map_location, make_unpickler, header_load)


def get_unsafe_globals_in_checkpoint(f):
    """The globals a checkpoint uses that ``weights_only`` loading does not allow."""
    import io
    allowed = set(_weights_only.allowed_globals()) | set(_weights_only.user_globals())
    is_path = isinstance(f, (str, os.PathLike))
    opened = open(os.fspath(f), "rb") if is_path else f
    try:
        if not _zip.is_zip(opened):
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        data = _zip.Reader(opened, _file_name(f)).read_bytes("data.pkl")
    finally:
        if is_path:
            opened.close()
    import pickletools
    found = set()
    for op, arg, _ in pickletools.genops(io.BytesIO(data)):
        if op.name == "GLOBAL":
            found.add(".".join(_weights_only.python3_name(*arg.split(" ", 1))))
    return list(found - allowed)
