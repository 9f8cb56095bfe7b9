"""Shared-memory transport of worker batches: large arrays travel as named /dev/shm files.

A worker writes an array into a fresh file under /dev/shm and sends only its name; the main process
maps the file and unlinks it at once, so the memory lives exactly as long as the arrays viewing it.
File names carry the main process id and the iterator's token, so whatever was never received (an
early ``break``, a killed worker) is swept by the iterator's shutdown or at interpreter exit, and by
the workers themselves if the main process dies.
"""
import ctypes
import glob
import io
import itertools
import mmap
import os
import pickle
import threading

import numpy as np

SHM_DIR = "/dev/shm"
# below this size a pickled copy is cheaper than creating and mapping a file
MIN_BYTES = 1 << 16
_PREFIX = "numtorch_dl"

_counter = itertools.count()
_owner = None       # (main pid, iterator token, worker id) inside a worker process
_created = []       # names this worker created and still owns
_decoding = threading.local()   # .memo: name -> mapping while this thread decodes one message


class _Segment(mmap.mmap):
    """A mapping of one shared-memory file; ``name`` and ``addr`` identify it when re-sent."""


def available():
    """Whether shared-memory files can be created on this system."""
    return os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK)


def set_owner(main_pid, token, worker_id):
    global _owner
    _owner = (main_pid, token, worker_id) if available() else None


def in_worker():
    return _owner is not None


def empty(shape, dtype):
    """An uninitialised array backed by a fresh shared-memory file owned by this worker, or ``None``
    when there is no shared memory to be had (the batch then travels pickled)."""
    if _owner is None:
        return None
    dtype = np.dtype(dtype)
    nbytes = max(int(np.prod(shape, dtype=np.int64)) * dtype.itemsize, 1)
    main_pid, token, wid = _owner
    name = f"{_PREFIX}_{main_pid}_{token}_{wid}_{next(_counter)}"
    path = os.path.join(SHM_DIR, name)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        # reserve the pages now: a full /dev/shm then fails here instead of killing us with SIGBUS later
        os.posix_fallocate(fd, 0, nbytes)
        seg = _Segment(fd, nbytes)
    except OSError:
        _unlink(path)
        return None
    except BaseException:
        _unlink(path)
        raise
    finally:
        os.close(fd)
    seg.name = name
    seg.addr = np.frombuffer(seg, np.uint8).__array_interface__["data"][0]
    _created.append(name)
    return np.ndarray(shape, dtype, buffer=seg)


def _segment_of(arr):
    base = arr.base
    while isinstance(base, np.ndarray):
        base = base.base
    return base if isinstance(base, _Segment) else None


class _Pickler(pickle.Pickler):
    def __init__(self, file):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sent = {}
        self._resent = {}

    def reducer_override(self, obj):
        if type(obj) is not np.ndarray or obj.dtype.hasobject:
            return NotImplemented
        seg = _segment_of(obj)
        if seg is None or min(obj.strides, default=0) < 0:
            copy = empty(obj.shape, obj.dtype) if obj.nbytes >= MIN_BYTES else None
            if copy is None:
                return NotImplemented
            np.copyto(copy, obj)
            obj, seg = copy, copy.base
        offset = obj.__array_interface__["data"][0] - seg.addr
        if seg.name is None:
            # handed over before and maybe unlinked by now: the whole segment travels again, once per
            # message, so views of it still alias each other on arrival
            seg = self._resent.get(id(seg)) or self._resend(seg)
            if seg is None:
                return NotImplemented
        self.sent[seg.name] = seg
        return _attach, (seg.name, len(seg), obj.dtype, obj.shape, obj.strides, offset)

    def _resend(self, seg):
        fresh = empty((len(seg),), np.uint8)
        if fresh is None:
            return None
        fresh[:] = np.frombuffer(seg, np.uint8)
        self._resent[id(seg)] = fresh.base
        return fresh.base


class Payload:
    """A pickled batch whose large arrays sit in shared-memory files."""

    __slots__ = ("blob",)

    def __init__(self, blob):
        self.blob = blob

    def __getstate__(self):
        return self.blob

    def __setstate__(self, blob):
        self.blob = blob


def encode(data):
    """Pickle ``data`` in a worker, moving large arrays to shared memory; frees files not sent."""
    buf = io.BytesIO()
    pickler = _Pickler(buf)
    try:
        pickler.dump(data)
    finally:
        release(keep=pickler.sent)
    for seg in pickler.sent.values():
        seg.name = None
    return Payload(buf.getvalue())


def release(keep=()):
    """Unlink the files this worker created, except those handed to the main process."""
    for name in _created:
        if name not in keep:
            _unlink(os.path.join(SHM_DIR, name))
    _created.clear()


def decode(payload):
    """Rebuild a worker's batch in the main process (maps and unlinks its shared files)."""
    _decoding.memo = {}
    try:
        return pickle.loads(payload.blob)
    finally:
        _decoding.memo = None


def _attach(name, nbytes, dtype, shape, strides, offset):
    memo = getattr(_decoding, "memo", None)
    seg = memo.get(name) if memo is not None else None
    if seg is None:
        path = os.path.join(SHM_DIR, name)
        fd = os.open(path, os.O_RDWR)
        try:
            seg = _map_shared(fd, nbytes)
        finally:
            os.close(fd)
            _unlink(path)
        if memo is not None:
            memo[name] = seg
    return np.ndarray(shape, dtype, buffer=seg, offset=offset, strides=strides)


class _Unmap:
    """Unmaps a region when the last array over it is gone."""

    __slots__ = ("addr", "size")

    def __init__(self, addr, size):
        self.addr, self.size = addr, size

    def __del__(self):
        if _libc is not None:
            _libc.munmap(self.addr, self.size)


def _load_libc():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                              ctypes.c_long]
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


_libc = _load_libc()


def _map_shared(fd, nbytes):
    """A writable buffer over the file: mmap.mmap would keep a duplicate descriptor open for every
    batch a user holds on to (and hit the open-files limit), so the region is mapped through libc."""
    if _libc is None:
        return mmap.mmap(fd, nbytes)
    addr = _libc.mmap(None, nbytes, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    buf = (ctypes.c_ubyte * nbytes).from_address(addr)
    buf.unmap = _Unmap(addr, nbytes)
    return buf


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def sweep(token=None):
    """Unlink files of this process's iterators (one ``token``, or all) that were never received."""
    tag = "*" if token is None else f"{token}_*"
    _unlink_all(f"{_PREFIX}_{os.getpid()}_{tag}")


def sweep_orphans():
    """In a worker whose main process died: unlink everything this worker sent that was never read."""
    if _owner is not None:
        _unlink_all("{}_{}_{}_{}_*".format(_PREFIX, *_owner))


def _unlink_all(pattern):
    for path in glob.glob(os.path.join(SHM_DIR, pattern)):
        _unlink(path)
