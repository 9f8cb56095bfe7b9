"""Read and write ``.safetensors`` files (the format of Hugging Face's ``safetensors.torch``)."""
import json
import os
import struct
import sys

import numpy as np

from .. import _dtype

# The format's dtype names, in the order its reference writer uses to lay tensors out (largest last).
_CODES = [("BOOL", _dtype.bool), ("U8", _dtype.uint8), ("I8", _dtype.int8), ("I16", _dtype.int16),
          ("F16", _dtype.float16), ("BF16", _dtype.bfloat16), ("I32", _dtype.int32), ("F32", _dtype.float32),
          ("C64", _dtype.complex64), ("F64", _dtype.float64), ("I64", _dtype.int64)]
_CODE_OF = {d: c for c, d in _CODES}
_DTYPE_OF = dict(_CODES)
_RANK = {d: i for i, (_, d) in enumerate(_CODES)}


class SafetensorError(Exception):
    """A malformed ``.safetensors`` file or buffer."""


def _check(tensors, metadata):
    from .._tensor import Tensor
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    owners = {}
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
        if v.dtype not in _CODE_OF:
            raise ValueError(f"Key `{k}` has dtype {v.dtype}, which the safetensors format cannot store")
        if v.numel():
            owners.setdefault(v.untyped_storage().data_ptr(), []).append(k)
    shared = [set(names) for names in owners.values() if len(names) > 1]
    if shared:
        raise RuntimeError("Some tensors share memory, this will lead to duplicate memory on disk and "
                           f"potential differences when loading them again: {shared}. A potential way to "
                           "correctly save your model is to use `save_model`.")
    for k, v in tensors.items():
        if v.numel() and not v.is_contiguous():
            raise ValueError(f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. "
                             "It either means you are trying to save tensors which are reference of each "
                             "other in which case it's recommended to save only the full tensors, and "
                             "reslice at load time, or simply call `.contiguous()` on your tensor to pack it "
                             "before saving.")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise TypeError(f"argument 'metadata': '{type(metadata).__name__}' object cannot be converted to "
                            "'PyDict'")
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                bad = k if not isinstance(k, str) else v
                raise TypeError(f"argument 'metadata': '{type(bad).__name__}' object is not an instance of "
                                "'str'")


def _serialize(tensors, metadata):
    """``(header bytes, [flat uint8 arrays])`` in the layout of the reference writer."""
    _check(tensors, metadata)
    names = sorted(tensors, key=lambda k: (-_RANK[tensors[k].dtype], k))
    header = {"__metadata__": metadata} if metadata else {}
    chunks, offset = [], 0
    for k in names:
        t = tensors[k]
        arr = t._data if type(t._data) is np.ndarray else t._data.get()
        raw = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
        if sys.byteorder == "big":
            raw = raw.view(arr.dtype).byteswap().view(np.uint8)
        header[k] = {"dtype": _CODE_OF[t.dtype], "shape": list(t.shape),
                     "data_offsets": [offset, offset + raw.size]}
        chunks.append(raw)
        offset += raw.size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, chunks


def save(tensors, metadata=None):
    """Saves a dict of tensors to ``bytes`` in safetensors format."""
    head, chunks = _serialize(tensors, metadata)
    return b"".join([head] + [c.tobytes() for c in chunks])


def save_file(tensors, filename, metadata=None):
    """Saves a dict of contiguous, non-overlapping tensors to ``filename`` in safetensors format."""
    from ..serialization import _atomic_write
    head, chunks = _serialize(tensors, metadata)

    def write(f):
        f.write(head)
        for c in chunks:
            f.write(memoryview(c))
    _atomic_write(filename, write)


def _fail(why):
    raise SafetensorError(f"Error while deserializing: {why}")


def _parse(buf):
    """``(header dict, data start)`` of a safetensors buffer, validated as the reference reader does."""
    if buf.size < 8:
        _fail("header too small")
    n = int(buf[:8].view("<u8")[0])
    if n > buf.size - 8:
        _fail("invalid header length")
    text = buf[8:8 + n].tobytes()
    if not text.startswith(b"{"):
        _fail("invalid header start")
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        _fail(f"invalid JSON in header: {e}")
    if not isinstance(header, dict):
        _fail("invalid JSON in header: expected an object")
    header.pop("__metadata__", None)
    end = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1].get("data_offsets", [0])[0]
                             if isinstance(kv[1], dict) else 0):
        if not isinstance(info, dict) or info.get("dtype") not in _DTYPE_OF:
            _fail(f"invalid entry for tensor {name!r}")
        begin, stop = info.get("data_offsets", (None, None))
        count = int(np.prod(info["shape"], dtype=np.int64))
        if begin != end or stop - begin != count * _DTYPE_OF[info["dtype"]].itemsize:
            _fail(f"invalid offset for tensor {name!r}")
        end = stop
    if 8 + n + end != buf.size:
        _fail("incomplete metadata, file not fully covered")
    return header, 8 + n


def _tensors(buf, device):
    from .._tensor import Tensor
    header, start = _parse(buf)
    out = {}
    for name, info in header.items():
        dt = _DTYPE_OF[info["dtype"]]
        begin, stop = info["data_offsets"]
        arr = buf[start + begin:start + stop].copy().view(dt._np).reshape(info["shape"])
        if sys.byteorder == "big":
            arr = arr.byteswap()
        t = Tensor._wrap(arr)
        out[name] = t if device in (None, "cpu") else t.to(device)
    return out


def load(data):
    """Loads a dict of tensors from safetensors ``bytes``."""
    return _tensors(np.frombuffer(data, np.uint8), "cpu")


def load_file(filename, device="cpu"):
    """Loads a dict of tensors from a ``.safetensors`` file onto ``device``."""
    with open(os.fspath(filename), "rb") as f:
        buf = np.frombuffer(f.read(), np.uint8)
    return _tensors(buf, device)


def _load_for_torch_load(path, map_location):
    """``torch.load`` on a ``.safetensors`` path: only device-like ``map_location`` makes sense."""
    from .._device import device
    target = "cpu"
    if isinstance(map_location, (str, bytes, device)):
        target = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
    elif isinstance(map_location, dict):
        raise RuntimeError("Loading safetensors file with dict map_location is not supported. Use a device "
                           "string or torch.device instead.")
    elif callable(map_location):
        raise RuntimeError("Loading safetensors file with callable map_location is not supported. Use a "
                           "device string or torch.device instead.")
    return load_file(path, device=target)
