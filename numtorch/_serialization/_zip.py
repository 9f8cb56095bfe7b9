"""PyTorch's checkpoint container: a stored (uncompressed) zip whose records start 64-byte aligned."""
import os
import struct
import zipfile
import zlib

import numpy as np

ALIGN = 64
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG = 0x04034B50, 0x02014B50
_MARK = 0xFFFFFFFF  # a 32-bit field that says "see the zip64 extra field"
ZIP64_LIMIT = _MARK  # sizes and offsets from here on need zip64 records
_DOS_DATE = (1 << 5) | 1  # 1980-01-01, so equal objects give equal files
# torch's writer pads each local header with an extra field of id "FB" so that record data is aligned
_PAD_ID = b"FB"
# below this many bytes a checksum is cheaper than handing it to a worker thread
_THREAD_BYTES = 1 << 20


def is_zip(f):
    """Whether the file-like ``f`` starts with a zip local header (position is kept)."""
    start = f.tell()
    head = f.read(4)
    f.seek(start)
    return head == b"PK\x03\x04"


def _crc_pool():
    from concurrent.futures import ThreadPoolExecutor
    return ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1))


class Writer:
    """Writes a stored zip of records ``<archive>/<name>`` whose data start 64-byte aligned."""

    def __init__(self, f, archive):
        self._f = f
        self._archive = archive
        self._pos = 0
        self._entries = []

    def _emit(self, data):
        view = memoryview(data)
        done = 0
        while done < len(view):
            # raw (unbuffered) files may take only part of a large write
            n = self._f.write(view[done:])
            done += len(view) - done if n is None else n
        self._pos += len(view)

    def write_all(self, records):
        """Write ``[(name, bytes-like)]`` in order; checksums run on worker threads while data is written."""
        views = [(name, _flat(data)) for name, data in records]
        big = [v for _, v in views if v.nbytes >= _THREAD_BYTES]
        pool = _crc_pool() if len(big) > 1 else None
        try:
            crcs = [pool.submit(zlib.crc32, v) if pool and v.nbytes >= _THREAD_BYTES else zlib.crc32(v)
                    for _, v in views]
            for (name, view), crc in zip(views, crcs):
                self._record(name, view, crc if isinstance(crc, int) else crc.result())
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def _record(self, name, view, crc):
        fname = f"{self._archive}/{name}".encode()
        size = view.nbytes
        zip64 = size >= ZIP64_LIMIT
        head_len = _LOCAL.size + len(fname) + 4 + (20 if zip64 else 0)
        pad = -(self._pos + head_len) % ALIGN
        extra = _PAD_ID + struct.pack("<H", pad) + b"Z" * pad
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, size, size) + extra
        small = _MARK if zip64 else size
        self._entries.append((fname, crc, size, self._pos))
        self._emit(_LOCAL.pack(_LOCAL_SIG, 45 if zip64 else 20, 0, 0, 0, _DOS_DATE, crc, small, small,
                               len(fname), len(extra)) + fname + extra)
        if size:
            self._emit(view)

    def close(self):
        """Add the serialization id record, the central directory and the (zip64) end records."""
        ident = zlib.crc32(np.asarray([e[1] for e in self._entries], np.uint32).tobytes())
        self.write_all([(".data/serialization_id", f"{ident:020d}{len(self._entries):020d}")])
        start = self._pos
        for fname, crc, size, offset in self._entries:
            big_size, big_offset = size >= ZIP64_LIMIT, offset >= ZIP64_LIMIT
            vals = [size, size] * big_size + [offset] * big_offset
            extra = struct.pack(f"<HH{len(vals)}Q", 1, 8 * len(vals), *vals) if vals else b""
            self._emit(_CENTRAL.pack(_CENTRAL_SIG, 45, 45 if vals else 20, 0, 0, 0, _DOS_DATE, crc,
                                     _MARK if big_size else size, _MARK if big_size else size, len(fname),
                                     len(extra), 0, 0, 0, 0, _MARK if big_offset else offset) + fname + extra)
        n, cd_size, end64 = len(self._entries), self._pos - start, self._pos
        self._emit(_END64.pack(0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size, start))
        self._emit(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
        small = cd_size < ZIP64_LIMIT and start < ZIP64_LIMIT
        self._emit(_END.pack(0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), cd_size if small else _MARK,
                             start if small else _MARK, 0))


def _flat(data):
    if isinstance(data, str):
        data = data.encode()
    if isinstance(data, np.ndarray):
        return memoryview(data.reshape(-1).view(np.uint8))
    return memoryview(data).cast("B")


class Reader:
    """Random access to the records of a checkpoint zip; every record read is checked against its CRC."""

    def __init__(self, f, fname):
        self._f = f
        self.fname = fname
        try:
            self._zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: failed finding central "
                               f"directory ({fname} is truncated or corrupted: {e})") from None
        self._infos = {}
        self._pool = None
        self._checks = []
        prefix = None
        for info in self._zf.infolist():
            top, _, rest = info.filename.partition("/")
            if prefix is None:
                prefix = top
            if top == prefix and rest:
                self._infos[rest] = info
        self.archive = prefix

    def has(self, name):
        return name in self._infos

    def names(self):
        return list(self._infos)

    def _info(self, name):
        info = self._infos.get(name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found "
                               f"({self.fname} is not a complete torch.save checkpoint)")
        return info

    def offset(self, name):
        """Byte position of record ``name``'s data in the file."""
        info = self._info(name)
        self._f.seek(info.header_offset)
        head = self._f.read(_LOCAL.size)
        if len(head) < _LOCAL.size or _LOCAL.unpack(head)[0] != _LOCAL_SIG:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: bad local header for "
                               f"{name} ({self.fname} is corrupted)")
        fields = _LOCAL.unpack(head)
        return info.header_offset + _LOCAL.size + fields[9] + fields[10]

    def size(self, name):
        return self._info(name).file_size

    def read(self, name, nbytes=None):
        """The record as a fresh writable uint8 array; its CRC is checked now or, if large, by ``verify``."""
        info = self._info(name)
        if nbytes is not None and info.file_size != nbytes:
            raise RuntimeError(f"{self.fname}: record {name} holds {info.file_size} bytes but the "
                               f"checkpoint expects {nbytes}; the file is corrupted")
        if info.compress_type != zipfile.ZIP_STORED:
            buf = np.frombuffer(bytearray(self._zf.read(info)), np.uint8)
        else:
            buf = np.empty(info.file_size, np.uint8)
            self._f.seek(self.offset(name))
            got = self._f.readinto(memoryview(buf)) if info.file_size else 0
            if got != info.file_size:
                raise RuntimeError(f"PytorchStreamReader failed reading record {name}: {self.fname} is "
                                   "truncated")
        if buf.nbytes >= _THREAD_BYTES:
            # checksum on a worker thread while the next record is read
            self._pool = self._pool or _crc_pool()
            self._checks.append((name, info.CRC, self._pool.submit(zlib.crc32, buf)))
        else:
            self._check(name, info.CRC, zlib.crc32(buf))
        return buf

    def _check(self, name, expected, crc):
        if crc != expected:
            raise RuntimeError(f"PytorchStreamReader failed reading record {name}: CRC mismatch, "
                               f"{self.fname} is corrupted")

    def verify(self):
        """Wait for the deferred checksums; raise if any record is corrupted."""
        try:
            for name, expected, crc in self._checks:
                self._check(name, expected, crc.result())
        finally:
            self._checks = []
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def read_bytes(self, name):
        return self.read(name).tobytes()

    def check_stored(self, name):
        if self._info(name).compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(f"record {name} of {self.fname} is compressed and cannot be memory-mapped")
