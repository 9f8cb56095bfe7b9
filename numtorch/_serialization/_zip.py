"""PyTorch's checkpoint container: a stored (uncompressed) zip whose records start 64-byte aligned."""
import struct
import zipfile
import zlib

import numpy as np

ALIGN = 64
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIG = 0x04034B50
# torch's writer pads each local header with an extra field of id "FB" so that record data is aligned
_PAD_ID = b"FB"
_DATE = (1980, 1, 1, 0, 0, 0)


def is_zip(f):
    """Whether the file-like ``f`` starts with a zip local header (position is kept)."""
    start = f.tell()
    head = f.read(4)
    f.seek(start)
    return head == b"PK\x03\x04"


class Writer:
    """Writes records ``<archive>/<name>`` with aligned data; ``close`` adds the central directory."""

    def __init__(self, f, archive):
        self._zf = zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._base = self._zf.start_dir
        self._archive = archive
        self._crcs = []

    def write(self, name, data):
        data = data.encode() if isinstance(data, str) else data
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        info = zipfile.ZipInfo(f"{self._archive}/{name}", _DATE)
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = 0
        zip64 = len(view) * 1.05 > zipfile.ZIP64_LIMIT
        header_end = (self._zf.start_dir - self._base + 30 + len(info.filename.encode())
                      + 4 + (20 if zip64 else 0))
        pad = -header_end % ALIGN
        info.extra = _PAD_ID + struct.pack("<H", pad) + b"Z" * pad
        self._zf.writestr(info, view)
        self._crcs.append(info.CRC)

    def close(self):
        # torch records a per-file id; derive it from the record checksums so equal saves are equal files
        ident = zlib.crc32(np.asarray(self._crcs, np.uint32).tobytes())
        self.write(".data/serialization_id", f"{ident:020d}{len(self._crcs):020d}")
        self._zf.close()


class Reader:
    """Random access to the records of a checkpoint zip; every record read is checked against its CRC."""

    def __init__(self, f, fname):
        self._f = f
        self._fname = fname
        try:
            self._zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: failed finding central "
                               f"directory ({fname} is truncated or corrupted: {e})") from None
        self._infos = {}
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
                               f"({self._fname} is not a complete torch.save checkpoint)")
        return info

    def offset(self, name):
        """Byte position of record ``name``'s data in the file."""
        info = self._info(name)
        self._f.seek(info.header_offset)
        head = self._f.read(_LOCAL.size)
        if len(head) < _LOCAL.size or _LOCAL.unpack(head)[0] != _LOCAL_SIG:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: bad local header for "
                               f"{name} ({self._fname} is corrupted)")
        fields = _LOCAL.unpack(head)
        return info.header_offset + _LOCAL.size + fields[9] + fields[10]

    def size(self, name):
        return self._info(name).file_size

    def read(self, name, nbytes=None):
        """The record as a fresh writable uint8 array (checked size and CRC)."""
        info = self._info(name)
        if nbytes is not None and info.file_size != nbytes:
            raise RuntimeError(f"{self._fname}: record {name} holds {info.file_size} bytes but the "
                               f"checkpoint expects {nbytes}; the file is corrupted")
        if info.compress_type != zipfile.ZIP_STORED:
            buf = np.frombuffer(bytearray(self._zf.read(info)), np.uint8)
        else:
            buf = np.empty(info.file_size, np.uint8)
            self._f.seek(self.offset(name))
            got = self._f.readinto(memoryview(buf)) if info.file_size else 0
            if got != info.file_size:
                raise RuntimeError(f"PytorchStreamReader failed reading record {name}: {self._fname} is "
                                   "truncated")
        if zlib.crc32(buf) != info.CRC:
            raise RuntimeError(f"PytorchStreamReader failed reading record {name}: CRC mismatch, "
                               f"{self._fname} is corrupted")
        return buf

    def read_bytes(self, name):
        return self.read(name).tobytes()

    def check_stored(self, name):
        if self._info(name).compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(f"record {name} of {self._fname} is compressed and cannot be memory-mapped")
