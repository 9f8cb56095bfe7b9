"""numtorch.utils.safetensors: the .safetensors layout, checked with torch decoding the raw bytes."""
import json
import struct

import numpy as np
import pytest

import numtorch
from conftest import to_np
from numtorch.utils import safetensors as nst

torch = pytest.importorskip("torch")

CODES = {"float32": "F32", "float64": "F64", "float16": "F16", "bfloat16": "BF16", "int8": "I8",
         "int16": "I16", "int32": "I32", "int64": "I64", "uint8": "U8", "bool": "BOOL", "complex64": "C64"}


def sample(m, dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    vals = rng.integers(0, 2, shape) if dtype == "bool" else rng.standard_normal(shape) * 10
    if dtype == "complex64":
        vals = vals + 1j * rng.standard_normal(shape)
    return m.tensor(vals).to(getattr(m, dtype))


def parse(raw):
    """(header, data) of a safetensors buffer, read by hand from the format's definition."""
    n = struct.unpack("<Q", raw[:8])[0]
    assert n % 8 == 0
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def decode(header, data, name):
    """torch's reading of one tensor's bytes (the oracle)."""
    info = header[name]
    dtype = getattr(torch, {v: k for k, v in CODES.items()}[info["dtype"]])
    start, stop = info["data_offsets"]
    chunk = bytearray(data[start:stop])
    if not chunk:
        return torch.empty(info["shape"], dtype=dtype)
    return torch.frombuffer(chunk, dtype=dtype).reshape(info["shape"])


@pytest.mark.parametrize("dtype", list(CODES))
def test_save_each_dtype(dtype):
    x = sample(numtorch, dtype)
    header, data = parse(nst.save({"x": x}))
    assert header["x"]["dtype"] == CODES[dtype] and header["x"]["shape"] == [3, 4]
    got = decode(header, data, "x")
    assert str(got.dtype) == str(x.dtype)
    np.testing.assert_array_equal(to_np(got), to_np(x))


@pytest.mark.parametrize("dtype", list(CODES))
def test_load_each_dtype(dtype):
    t = sample(torch, dtype)
    raw_t = t.view(torch.uint8) if t.dtype != torch.bool else t.to(torch.uint8)
    payload = bytes(raw_t.numpy().tobytes())
    entry = {"dtype": CODES[dtype], "shape": [3, 4], "data_offsets": [0, len(payload)]}
    head = json.dumps({"x": entry}).encode()
    head += b" " * (-len(head) % 8)
    got = nst.load(struct.pack("<Q", len(head)) + head + payload)["x"]
    assert str(got.dtype) == str(t.dtype) and tuple(got.shape) == (3, 4)
    np.testing.assert_array_equal(to_np(got), to_np(t))


def test_layout_and_metadata():
    tensors = {"b": numtorch.ones(3, dtype=numtorch.int8), "a": numtorch.arange(3.0),
               "c": numtorch.zeros(2, dtype=numtorch.float64), "e": numtorch.empty(0, 2)}
    header, data = parse(nst.save(tensors, metadata={"format": "pt"}))
    assert list(header) == ["__metadata__", "c", "a", "e", "b"]
    assert header["__metadata__"] == {"format": "pt"}
    offsets = [header[k]["data_offsets"] for k in ("c", "a", "e", "b")]
    assert offsets == [[0, 16], [16, 28], [28, 28], [28, 31]]
    assert len(data) == 31
    for k in ("a", "b", "c", "e"):
        np.testing.assert_array_equal(to_np(decode(header, data, k)), to_np(tensors[k]))


def test_file_round_trip(tmp_path):
    tensors = {k: sample(numtorch, k, seed=i) for i, k in enumerate(CODES)}
    nst.save_file(tensors, tmp_path / "m.safetensors")
    back = nst.load_file(tmp_path / "m.safetensors")
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert str(back[k].dtype) == str(v.dtype)
        np.testing.assert_array_equal(to_np(back[k]), to_np(v))
    back["float32"][0, 0] = 1.0
    again = numtorch.load(tmp_path / "m.safetensors")
    assert again["float32"][0, 0].item() == tensors["float32"][0, 0].item()


def test_byte_identical_to_reference_writer():
    st = pytest.importorskip("safetensors.torch")
    ours = nst.save({k: sample(numtorch, k) for k in CODES}, metadata={"k": "v"})
    assert ours == st.save({k: sample(torch, k) for k in CODES}, metadata={"k": "v"})


@pytest.mark.parametrize("case", ["noncontig", "shared", "not_tensor", "metadata"])
def test_save_errors(case):
    x = numtorch.ones(4, 4)
    args = {"noncontig": ({"x": x.t()},), "shared": ({"x": x, "y": x[1]},), "not_tensor": ({"x": 3},),
            "metadata": ({"x": x}, {"a": 1})}[case]
    err = {"noncontig": ValueError, "shared": RuntimeError, "not_tensor": ValueError,
           "metadata": TypeError}[case]
    with pytest.raises(err):
        nst.save(*args)


@pytest.mark.parametrize("raw", [b"", b"\x05\x00\x00\x00\x00\x00\x00\x00{}",
                                 b"\x02\x00\x00\x00\x00\x00\x00\x00[]",
                                 b"\x08\x00\x00\x00\x00\x00\x00\x00{\"a\":1} ",
                                 b"\x38\x00\x00\x00\x00\x00\x00\x00"
                                 b"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  "
                                 b"\x00\x00\x00\x00"])
def test_malformed_buffers(raw):
    with pytest.raises(nst.SafetensorError, match="Error while deserializing"):
        nst.load(raw)
