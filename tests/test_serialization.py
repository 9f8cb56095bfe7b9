"""numtorch.save / numtorch.load against real torch: files cross in both directions (zip and legacy)."""
import io
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from conftest import to_np

torch = pytest.importorskip("torch")

DIRECTIONS = [("torch", "numtorch"), ("numtorch", "torch")]
DTYPES = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64", "complex128"]


def lib(name):
    return torch if name == "torch" else numtorch


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith(("int", "uint")):
        return rng.integers(0, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype("float32")


def tensor(m, shape, dtype="float32", seed=0):
    return m.tensor(data(shape, dtype, seed)).to(getattr(m, dtype))


def dump(m, obj, **kw):
    buf = io.BytesIO()
    m.save(obj, buf, **kw)
    return buf.getvalue()


def cross(src, dst, build, save_kw=None, **load_kw):
    """``build(src)`` saved by ``src`` and loaded by ``dst``, and ``build(dst)`` for comparison."""
    raw = dump(lib(src), build(lib(src)), **(save_kw or {}))
    return lib(dst).load(io.BytesIO(raw), **load_kw), build(lib(dst))


def storage_id(t):
    return t.untyped_storage().data_ptr()


def assert_same(a, b, what="obj", rtol=0.0):
    """Structure, types, tensor dtypes/shapes/strides/offsets/values/requires_grad agree across libraries."""
    if isinstance(a, (numtorch.Tensor, torch.Tensor)):
        assert isinstance(b, (numtorch.Tensor, torch.Tensor)), what
        assert str(a.dtype) == str(b.dtype), f"{what}: {a.dtype} vs {b.dtype}"
        assert tuple(a.shape) == tuple(b.shape), what
        assert a.stride() == b.stride(), f"{what}: strides {a.stride()} vs {b.stride()}"
        assert a.storage_offset() == b.storage_offset(), what
        assert a.requires_grad == b.requires_grad, what
        assert type(a).__name__ == type(b).__name__, f"{what}: {type(a).__name__} vs {type(b).__name__}"
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=rtol, atol=rtol * 1e-2, err_msg=what)
        return
    if isinstance(a, dict):
        assert type(a).__name__ == type(b).__name__ and list(a) == list(b), what
        assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None), what
        for k in a:
            assert_same(a[k], b[k], f"{what}[{k!r}]", rtol)
        return
    if isinstance(a, (list, tuple)) and type(a).__name__ != "Size":
        assert type(a) is type(b) and len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{what}[{i}]", rtol)
        return
    if isinstance(a, (numtorch.dtype, torch.dtype, numtorch.device, torch.device, numtorch.Size, torch.Size,
                      numtorch.layout, torch.layout)):
        assert type(a).__name__ == type(b).__name__ and repr(a) == repr(b), what
        return
    assert type(a) is type(b) and a == b, f"{what}: {a!r} vs {b!r}"


def sharing(tensors):
    """Which tensors share a storage, as first-occurrence indices (comparable across libraries)."""
    ids = [storage_id(t) for t in tensors]
    return [ids.index(i) for i in ids]


# ------------------------------------------------------------------------------------ tensors

@pytest.mark.parametrize("src,dst", DIRECTIONS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_dtypes(src, dst, dtype):
    got, want = cross(src, dst, lambda m: tensor(m, (3, 4), dtype))
    assert_same(got, want)


@pytest.mark.parametrize("src,dst", DIRECTIONS)
@pytest.mark.parametrize("case", ["scalar", "empty", "empty2d", "transposed", "stepped", "row",
                                  "expanded", "expanded_copy"])
def test_tensor_layouts(src, dst, case):
    def build(m):
        x = tensor(m, (4, 6))
        return {"scalar": m.tensor(3.5), "empty": m.empty(0), "empty2d": m.zeros(0, 3), "transposed": x.t(),
                "stepped": x[::2, 1::3], "row": x[2], "expanded": x[:1].expand(3, 6),
                "expanded_copy": x[:1].expand(3, 6).contiguous()}[case]
    got, want = cross(src, dst, build)
    assert_same(got, want)


def test_conj_and_neg_bits_from_torch():
    z = torch.tensor([1 + 2j, 3 - 1j])
    for t in (z.conj(), z.conj().imag, torch._neg_view(z), z.conj()[1:]):
        got = numtorch.load(io.BytesIO(dump(torch, t)))
        np.testing.assert_array_equal(to_np(got), t.resolve_conj().resolve_neg().numpy())


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_views_share_one_storage(src, dst):
    def build(m):
        x = tensor(m, (4, 6))
        y = tensor(m, (5,), seed=1)
        return [x, x.t(), x[1:, 2:], x[3], y, y[1:], x.view(24)[5:]]
    got, want = cross(src, dst, build)
    assert_same(got, want)
    assert sharing(got) == sharing(want) == [0, 0, 0, 0, 4, 4, 0]
    got[0][3, 0] = 100.0
    assert float(got[3][0]) == 100.0


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_views_are_written_once(src, dst):
    base = tensor(lib(src), (100,))
    raw = dump(lib(src), [base[i:] for i in range(10)])
    names = [n for n in zipfile.ZipFile(io.BytesIO(raw)).namelist() if "/data/" in n]
    assert names == ["archive/data/0"]
    got = lib(dst).load(io.BytesIO(raw))
    assert [t.storage_offset() for t in got] == list(range(10)) and sharing(got) == [0] * 10


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_same_tensor_twice_is_one_object(src, dst):
    got, _ = cross(src, dst, lambda m: (lambda t: [t, t])(m.ones(2)))
    assert got[0] is got[1]


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_parameters_and_requires_grad(src, dst):
    def build(m):
        w = tensor(m, (3, 2))
        return {"p": m.nn.Parameter(w), "frozen": m.nn.Parameter(tensor(m, (2,)), requires_grad=False),
                "leaf": tensor(m, (2,)).requires_grad_(), "plain": w, "int": m.arange(3)}
    got, want = cross(src, dst, build)
    assert_same(got, want)
    assert storage_id(got["p"]) == storage_id(got["plain"])


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_non_leaf_tensor(src, dst):
    def build(m):
        x = tensor(m, (3,)).requires_grad_()
        return x * 2
    got, want = cross(src, dst, build)
    assert got.requires_grad and got.is_leaf
    np.testing.assert_array_equal(to_np(got), to_np(want))


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_size_dtype_device_and_python_values(src, dst):
    def build(m):
        return {"size": m.Size([2, 3]), "empty_size": m.Size([]),
                "dtypes": [m.float16, m.bfloat16, m.int64, m.bool],
                "device": m.device("cpu"), "cuda": m.device("cuda", 1),
                "scalars": (1, -7, 2**70, 2.5, float("inf"), 1 + 2j, True, None), "text": "héllo",
                "bytes": b"\x00\xff", "set": {1, 2}, "nested": [{"a": [1, (2, 3)]}, []], "layout": m.strided}
    got, want = cross(src, dst, build)
    assert_same(got, want)
    if src == "numtorch":  # torch itself cannot pickle memory formats
        formats = cross(src, dst, lambda m: [m.channels_last, m.contiguous_format], weights_only=False)
        assert [repr(f) for f in formats[0]] == [repr(f) for f in formats[1]]


def all_data(m):
    """The seeds' checkpoint: dict(optimizer=..., model=..., info=...)."""
    m.manual_seed(0)
    net = lenet(m)
    opt = m.optim.Adam(net.parameters(), lr=1e-3)
    x = m.tensor(data((2, 1, 28, 28), "float32"))
    for _ in range(2):
        opt.zero_grad()
        net(x).sum().backward()
        opt.step()
    info = {"epoch": 2, "loss": 0.25, "tag": "lenet"}
    return dict(optimizer=opt.state_dict(), model=net.state_dict(), info=info)


def lenet(m):
    nn = m.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                         nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_state_dict_with_metadata(src, dst):
    def build(m):
        m.manual_seed(0)
        net = lenet(m)
        return net.state_dict()
    got, want = cross(src, dst, build)
    assert_same(got, want)
    assert isinstance(got, OrderedDict) and got._metadata["0"] == {"version": 1}


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_adam_checkpoint_all_data(src, dst):
    got, want = cross(src, dst, all_data)
    for key in ("model", "info"):
        assert_same(got[key], want[key], rtol=1e-5)
    assert got["optimizer"]["param_groups"] == want["optimizer"]["param_groups"]
    for i, state in want["optimizer"]["state"].items():
        for k, v in state.items():
            np.testing.assert_allclose(to_np(got["optimizer"]["state"][i][k]), to_np(v), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_resume_training_across_libraries(src, dst):
    """Load model and Adam state saved by one library, take the same step in both: equal parameters."""
    ck = lib(src).load(io.BytesIO(dump(lib(src), all_data(lib(src)))))
    ck = lib(dst).load(io.BytesIO(dump(lib(src), ck)))
    nets = {}
    for name in ("torch", "numtorch"):
        m = lib(name)
        net = lenet(m)
        net.load_state_dict(lib(name).load(io.BytesIO(dump(lib(dst), ck)))["model"])
        opt = m.optim.Adam(net.parameters(), lr=1e-3)
        opt.load_state_dict(lib(name).load(io.BytesIO(dump(lib(dst), ck)))["optimizer"])
        opt.zero_grad()
        net(m.tensor(data((2, 1, 28, 28), "float32", seed=3))).sum().backward()
        opt.step()
        nets[name] = net
    for (k, a), (_, b) in zip(nets["numtorch"].state_dict().items(), nets["torch"].state_dict().items()):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-4, atol=1e-6, err_msg=k)


def test_model_trained_in_torch_runs_in_numtorch():
    torch.manual_seed(0)
    net = lenet(torch)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    x = torch.tensor(data((8, 1, 28, 28), "float32"))
    y = torch.tensor(np.arange(8) % 10)
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    net.eval()
    n = lenet(numtorch)
    n.load_state_dict(numtorch.load(io.BytesIO(dump(torch, net.state_dict()))))
    n.eval()
    probe = data((4, 1, 28, 28), "float32", seed=5)
    with torch.no_grad(), numtorch.no_grad():
        np.testing.assert_allclose(to_np(n(numtorch.tensor(probe))), to_np(net(torch.tensor(probe))),
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_whole_module(src, dst):
    """A LeNet made of library classes pickles whole and loads as the other library's module."""
    def build(m):
        m.manual_seed(0)
        return lenet(m)
    got, want = cross(src, dst, build, weights_only=False)
    assert type(got).__module__ == type(want).__module__ and repr(got) == repr(want)
    assert_same(got.state_dict(), want.state_dict())
    probe = data((2, 1, 28, 28), "float32", seed=2)
    m = lib(dst)
    np.testing.assert_allclose(to_np(got(m.tensor(probe))), to_np(want(m.tensor(probe))),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        m.load(io.BytesIO(dump(lib(src), build(lib(src)))))


class Net(numtorch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = numtorch.nn.Linear(3, 2)
        self.register_buffer("scale", numtorch.ones(2) * 2)
        self.tag = "net"

    def forward(self, x):
        return self.fc(x) * self.scale


def test_custom_module_round_trip_in_numtorch(tmp_path):
    numtorch.manual_seed(0)
    net = Net()
    numtorch.save(net, tmp_path / "net.pt")
    back = numtorch.load(tmp_path / "net.pt", weights_only=False)
    assert type(back) is Net and back.tag == "net" and not back.fc.weight.grad
    x = numtorch.ones(4, 3)
    np.testing.assert_array_equal(to_np(back(x)), to_np(net(x)))
    with numtorch.serialization.safe_globals([Net, numtorch.nn.Linear, set]):
        again = numtorch.load(tmp_path / "net.pt")
    np.testing.assert_array_equal(to_np(again(x)), to_np(net(x)))


def test_data_pickle_is_byte_identical_to_torch():
    def build(m):
        m.manual_seed(0)
        x = tensor(m, (2, 3))
        return {"sd": lenet(m).state_dict(), "views": [x, x.t()], "p": m.nn.Parameter(m.ones(2)),
                "size": m.Size([2]),
                "dt": m.float16, "dev": m.device("cpu"), "py": [1, 2.5, "s", None, b"b", {1}, 1j, 2**70],
                "buffer": m.nn.Buffer(m.ones(2))}
    records = {}
    for name in ("torch", "numtorch"):
        z = zipfile.ZipFile(io.BytesIO(dump(lib(name), build(lib(name)))))
        records[name] = {n: z.read(n) for n in z.namelist() if not n.endswith("serialization_id")}
    assert records["numtorch"] == records["torch"]


# ------------------------------------------------------------------------------------ files

def test_file_arguments(tmp_path):
    x = tensor(numtorch, (3,))
    for target in (str(tmp_path / "a.pt"), tmp_path / "b.pt"):
        numtorch.save(x, target)
        assert zipfile.ZipFile(target).namelist()[0].startswith(pathlib.Path(target).stem + "/")
        assert_same(torch.load(target), torch.tensor(to_np(x)))
        assert_same(numtorch.load(target), x)
    with open(tmp_path / "c.pt", "wb") as f:
        numtorch.save(x, f)
    with open(tmp_path / "c.pt", "rb") as f:
        assert_same(numtorch.load(f), x)
    with pytest.raises(AttributeError):
        numtorch.save(x, 3)


def test_atomic_save_keeps_old_file(tmp_path):
    path = tmp_path / "ck.pt"
    numtorch.save({"w": numtorch.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        numtorch.save({"w": numtorch.zeros(2), "bad": lambda: 0}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ck.pt"]


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_pickle_protocol_and_module(protocol):
    x = tensor(numtorch, (2, 2))
    for m in (torch, numtorch):
        raw = dump(numtorch, {"x": x}, pickle_protocol=protocol, pickle_module=pickle)
        got = m.load(io.BytesIO(raw), weights_only=False, pickle_module=pickle)
        np.testing.assert_array_equal(to_np(got["x"]), to_np(x))


@pytest.mark.parametrize("src,dst", DIRECTIONS)
@pytest.mark.parametrize("weights_only", [True, False])
def test_legacy_format(src, dst, weights_only):
    def build(m):
        x = tensor(m, (4, 6))
        return {"x": x, "t": x.t(), "row": x[2], "b": m.ones(3, dtype=m.bool),
                "p": m.nn.Parameter(tensor(m, (2,))),
                "s": m.Size([1]), "info": [1, "a"]}
    got, want = cross(src, dst, build, save_kw={"_use_new_zipfile_serialization": False},
                      weights_only=weights_only)
    assert_same(got, want)
    assert sharing([got["x"], got["t"], got["row"], got["b"]]) == [0, 0, 0, 3]


def test_legacy_header_matches_torch():
    x = tensor(numtorch, (3,))
    ours = io.BytesIO(dump(numtorch, x, _use_new_zipfile_serialization=False))
    theirs = io.BytesIO(dump(torch, torch.tensor(to_np(x)), _use_new_zipfile_serialization=False))
    for _ in range(3):
        assert pickle.load(ours) == pickle.load(theirs)


# ------------------------------------------------------------------------------------ map_location

def relocate(raw, location):
    """The checkpoint ``raw`` with every storage tagged as living on ``location`` (e.g. a GPU)."""
    zin = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    tag = b"X" + len(location).to_bytes(4, "little") + location.encode()
    with zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            rec = zin.read(name)
            if name.endswith("data.pkl"):
                rec = rec.replace(b"X\x03\x00\x00\x00cpu", tag)
            zout.writestr(name, rec)
    return out.getvalue()


def _map_forms(m):
    return [None, "cpu", b"cpu", m.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
            lambda storage, loc: None, {"cuda:1": "cpu"}]


@pytest.mark.parametrize("src", ["torch", "numtorch"])
@pytest.mark.parametrize("form", range(8))
def test_map_location_gpu_file(src, form):
    raw = relocate(dump(lib(src), {"w": tensor(lib(src), (3,)), "v": lib(src).arange(4)}), "cuda:0")
    outcomes = {}
    for name in ("torch", "numtorch"):
        m = lib(name)
        try:
            res = m.load(io.BytesIO(raw), map_location=_map_forms(m)[form])
            outcomes[name] = ("ok", to_np(res["w"]).tolist(), str(res["w"].device))
        except Exception as e:  # compared across libraries
            outcomes[name] = (type(e).__name__, "is_available() is False" in str(e))
    assert outcomes["numtorch"] == outcomes["torch"]


def test_map_location_callable_sees_storage_and_location():
    seen = []
    raw = relocate(dump(numtorch, numtorch.ones(2)), "cuda:0")
    numtorch.load(io.BytesIO(raw),
                  map_location=lambda storage, loc: seen.append((storage.nbytes(), loc)) or storage)
    assert seen == [(8, "cuda:0")]


def test_unknown_location_and_bad_map_location():
    raw = relocate(dump(numtorch, numtorch.ones(2)), "abc")
    with pytest.raises(RuntimeError, match="tagged with abc"):
        numtorch.load(io.BytesIO(raw))
    with pytest.raises(RuntimeError, match="tagged with abc"):
        torch.load(io.BytesIO(raw))


# ------------------------------------------------------------------------------------ weights_only

class _Evil:
    ran = []

    def __reduce__(self):
        return (_Evil.ran.append, ("code ran",))


class _Shell:
    def __reduce__(self):
        return (os.system, ("echo hacked > /dev/null",))


@pytest.mark.parametrize("payload", [_Evil, _Shell])
@pytest.mark.parametrize("src", ["torch", "numtorch"])
def test_malicious_reduce_is_refused(payload, src):
    raw = dump(lib(src), {"w": lib(src).ones(1), "x": payload()})
    errors = {}
    for name in ("torch", "numtorch"):
        with pytest.raises(pickle.UnpicklingError) as info:
            lib(name).load(io.BytesIO(raw))
        errors[name] = str(info.value)
    assert _Evil.ran == []
    assert errors["numtorch"] == errors["torch"]


def test_malicious_plain_pickle_is_refused():
    raw = pickle.dumps({"x": _Evil()}, protocol=2)
    for m in (torch, numtorch):
        with pytest.raises(pickle.UnpicklingError):
            m.load(io.BytesIO(raw))
    assert _Evil.ran == []


class Point:
    def __init__(self, x):
        self.x = x


def test_safe_globals_api():
    raw = dump(numtorch, {"pt": Point(3), "w": numtorch.ones(1)})
    for m in (torch, numtorch):
        ser = m.serialization
        before = list(ser.get_safe_globals())
        with pytest.raises(pickle.UnpicklingError, match="Point"):
            m.load(io.BytesIO(raw))
        with ser.safe_globals([Point]):
            assert m.load(io.BytesIO(raw))["pt"].x == 3
        assert ser.get_safe_globals() == before
        ser.add_safe_globals([Point])
        assert m.load(io.BytesIO(raw))["pt"].x == 3 and Point in ser.get_safe_globals()
        ser.add_safe_globals([(Point, f"{__name__}.Point")])
        ser.clear_safe_globals()
        assert ser.get_safe_globals() == []
        assert ser.get_unsafe_globals_in_checkpoint(io.BytesIO(raw)) == [f"{__name__}.Point"]
        for g in before:
            ser.add_safe_globals([g])


@pytest.mark.parametrize("kwargs", [{"pickle_module": pickle, "weights_only": True}])
def test_weights_only_with_pickle_module_raises(kwargs):
    raw = dump(numtorch, numtorch.ones(1))
    for m in (torch, numtorch):
        with pytest.raises(RuntimeError, match="explicit pickle_module"):
            m.load(io.BytesIO(raw), **kwargs)


def test_weights_only_refuses_protocol_4_like_torch():
    raw = dump(numtorch, {"x": numtorch.ones(1)}, pickle_protocol=4)
    kinds = {}
    for m in (torch, numtorch):
        with pytest.warns(UserWarning, match="protocol 4"):
            with pytest.raises(Exception) as info:
                m.load(io.BytesIO(raw))
        kinds[m.__name__] = type(info.value)
    assert kinds["numtorch"] is kinds["torch"]


# ------------------------------------------------------------------------------------ mmap

def test_mmap_load(tmp_path):
    path = tmp_path / "big.pt"
    x = tensor(numtorch, (64, 32))
    numtorch.save({"x": x, "v": x[3:, 5:], "n": numtorch.arange(5)}, path)
    got = numtorch.load(path, mmap=True)
    ref = torch.load(path, mmap=True)
    assert_same(got, {k: numtorch.tensor(to_np(v)) for k, v in ref.items()} | {"v": got["v"]})
    assert_same(got["v"], ref["v"])
    import mmap
    base = got["x"]._data
    while isinstance(base, np.ndarray):
        base = base.base
    assert isinstance(base, mmap.mmap)
    got["x"][0, 0] = 123.0
    assert float(numtorch.load(path)["x"][0, 0]) == float(x[0, 0])
    assert storage_id(got["x"]) == storage_id(got["v"])


def test_mmap_errors(tmp_path):
    raw = dump(numtorch, numtorch.ones(1))
    for m in (torch, numtorch):
        with pytest.raises(ValueError):
            m.load(io.BytesIO(raw), mmap=True)
    legacy = tmp_path / "legacy.pt"
    numtorch.save(numtorch.ones(1), legacy, _use_new_zipfile_serialization=False)
    for m in (torch, numtorch):
        with pytest.raises(RuntimeError, match="mmap can only be used"):
            m.load(legacy, mmap=True)


def test_mmap_shared_writes_reach_the_file(tmp_path):
    import mmap
    path = tmp_path / "shared.pt"
    numtorch.save({"x": numtorch.zeros(4)}, path)
    for m in (torch, numtorch):
        with m.serialization.set_default_mmap_options(mmap.MAP_SHARED):
            got = m.load(path, mmap=True)
        got["x"][0 if m is torch else 1] = 5.0 if m is torch else 7.0
        del got
    assert to_np(torch.load(path)["x"]).tolist() == [5.0, 7.0, 0.0, 0.0]


def test_mmap_default_options():
    import mmap
    ser = numtorch.serialization
    assert ser.get_default_mmap_options() == mmap.MAP_PRIVATE
    with ser.set_default_mmap_options(mmap.MAP_SHARED):
        assert ser.get_default_mmap_options() == mmap.MAP_SHARED
    assert ser.get_default_mmap_options() == mmap.MAP_PRIVATE
    with pytest.raises(ValueError):
        ser.set_default_mmap_options(12345)


# ------------------------------------------------------------------------------------ bad files

@pytest.mark.parametrize("case", ["half", "tail", "head", "empty", "garbage", "flipped", "pickle",
                                  "legacy_20", "legacy_60", "legacy_150", "legacy_250", "legacy_tail"])
@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_corrupt_files_raise_clear_errors(tmp_path, case):
    good = dump(numtorch, {"w": numtorch.arange(1000.0)})
    legacy = dump(numtorch, {"w": numtorch.arange(1000.0)}, _use_new_zipfile_serialization=False)
    flipped = bytearray(good)
    flipped[good.index(b"data/0") + 200] ^= 1
    raw = {"half": good[:len(good) // 2], "tail": good[:-10], "head": good[:100], "empty": b"",
           "garbage": b"hello world, not a checkpoint", "flipped": bytes(flipped),
           "pickle": pickle.dumps({"a": 1}), "legacy_tail": legacy[:-5]}.get(case)
    if raw is None:
        raw = legacy[:int(case.split("_")[1])]
    path = tmp_path / "broken.pt"
    path.write_bytes(raw)
    for weights_only in (True, False):
        with pytest.raises((RuntimeError, EOFError, pickle.UnpicklingError)) as info:
            numtorch.load(path, weights_only=weights_only)
        assert "broken.pt" in str(info.value)


def test_truncated_file_raises_like_torch(tmp_path):
    good = dump(torch, {"w": torch.arange(1000.0)})
    path = tmp_path / "cut.pt"
    path.write_bytes(good[:len(good) // 2])
    for m in (torch, numtorch):
        with pytest.raises(RuntimeError, match="failed finding central directory"):
            m.load(path)


def test_save_rejects_mixed_dtype_views():
    x = numtorch.ones(4)
    for m, t in ((numtorch, x), (torch, torch.ones(4))):
        with pytest.raises(RuntimeError, match="view the same data as different types"):
            m.save([t, t.view(m.int32)], io.BytesIO())


def test_safetensors_path_through_load(tmp_path):
    from numtorch.utils import safetensors
    path = tmp_path / "w.safetensors"
    safetensors.save_file({"a": numtorch.arange(3.0)}, path)
    np.testing.assert_array_equal(to_np(numtorch.load(path)["a"]), [0.0, 1.0, 2.0])
    with pytest.raises(RuntimeError, match="dict map_location"):
        numtorch.load(path, map_location={"cpu": "cpu"})


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
@pytest.mark.parametrize("src,dst", DIRECTIONS)
def test_storages_on_their_own(src, dst):
    raw = dump(lib(src), (lambda x: [x, x.storage()])(lib(src).arange(4.0)))
    got = lib(dst).load(io.BytesIO(raw))
    assert got[1].size() == 4 and got[1].data_ptr() == got[0].data_ptr() and got[1].tolist() == [0, 1, 2, 3]
    with pytest.raises(RuntimeError, match="different types"):
        dump(lib(src), (lambda x: [x, x.untyped_storage()])(lib(src).arange(4.0)))
    raw = dump(lib(src), lib(src).arange(3).untyped_storage())
    assert lib(dst).load(io.BytesIO(raw)).tolist() == torch.arange(3).untyped_storage().tolist()


def test_zip64_records_load_in_both(monkeypatch):
    from numtorch._serialization import _zip
    monkeypatch.setattr(_zip, "ZIP64_LIMIT", 64)
    x = tensor(numtorch, (10, 10))
    raw = dump(numtorch, {"x": x, "y": numtorch.ones(3)})
    assert zipfile.ZipFile(io.BytesIO(raw)).testzip() is None
    for m in (torch, numtorch):
        got = m.load(io.BytesIO(raw))
        np.testing.assert_array_equal(to_np(got["x"]), to_np(x))


@pytest.mark.parametrize("legacy", [False, True])
def test_bad_targets_raise_like_torch(tmp_path, legacy):
    kw = {"_use_new_zipfile_serialization": not legacy}
    for target in (tmp_path / "missing" / "m.pt", tmp_path):
        kinds = []
        for m in (torch, numtorch):
            with pytest.raises(Exception) as info:
                m.save({"a": m.ones(1)}, target, **kw)
            kinds.append(type(info.value))
        assert kinds[0] is kinds[1]
    assert os.listdir(tmp_path) == []


def test_load_of_a_non_file_raises_like_torch(tmp_path):
    numtorch.save({"a": numtorch.ones(1)}, tmp_path / "sd.pt")
    for m in (torch, numtorch):
        with pytest.raises(AttributeError, match="has no attribute 'seek'"):
            m.load(m.load(tmp_path / "sd.pt"))
        with pytest.raises(FileNotFoundError):
            m.load(tmp_path / "nothing.pt")


class MyTensor(numtorch.Tensor):
    pass


def test_tensor_subclass_and_attributes_round_trip():
    t = numtorch.ones(3)
    t.note = "kept"
    sub = object.__new__(MyTensor)
    sub._data = numtorch.arange(2.0)._data
    back = numtorch.load(io.BytesIO(dump(numtorch, [t, sub])), weights_only=False)
    assert back[0].note == "kept" and type(back[1]) is MyTensor
    np.testing.assert_array_equal(to_np(back[1]), [0.0, 1.0])
    theirs = torch.load(io.BytesIO(dump(numtorch, t)))
    assert theirs.note == "kept"


def big_endian(raw, dtypes):
    """The checkpoint ``raw`` (storage ``i`` holding NumPy dtype ``dtypes[i]``) as a big-endian machine
    would have written it."""
    zin = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            rec = zin.read(name)
            if name.endswith("byteorder"):
                rec = b"big"
            elif "/data/" in name:
                dt = np.dtype(dtypes[int(name.rsplit("/", 1)[1])])
                rec = np.frombuffer(rec, dt.newbyteorder("<")).astype(dt.newbyteorder(">")).tobytes()
            zout.writestr(name, rec)
    return out.getvalue()


def test_big_endian_checkpoint():
    vals = {"f": torch.arange(5.0), "d": torch.arange(3, dtype=torch.float64), "l": torch.arange(4),
            "c": torch.tensor([1 + 2j]), "h": torch.ones(2, dtype=torch.float16),
            "s": torch.arange(3, dtype=torch.int16)}
    raw = big_endian(dump(torch, vals), [v.numpy().dtype for v in vals.values()])
    ref = torch.load(io.BytesIO(raw))
    got = numtorch.load(io.BytesIO(raw))
    for k in vals:
        np.testing.assert_array_equal(to_np(got[k]), to_np(ref[k]))
        np.testing.assert_array_equal(to_np(got[k]), to_np(vals[k]))


def test_skip_data():
    x = tensor(numtorch, (2, 3))
    with numtorch.serialization.skip_data():
        raw = dump(numtorch, {"x": x, "v": x[1]})
        with pytest.raises(RuntimeError, match="skip_data"):
            dump(numtorch, x, _use_new_zipfile_serialization=False)
    for m in (torch, numtorch):
        got = m.load(io.BytesIO(raw))
        assert tuple(got["x"].shape) == (2, 3) and not to_np(got["x"]).any()
        assert got["v"].storage_offset() == 3
    with numtorch.serialization.skip_data():
        got = numtorch.load(io.BytesIO(dump(numtorch, x)))
    assert tuple(got.shape) == (2, 3) and not to_np(got).any()


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("make", [lambda: torch.zeros(2, dtype=torch.complex32),
                                  lambda: torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.qint8),
                                  lambda: torch.ones(2).to_sparse()])
@pytest.mark.parametrize("weights_only", [True, False])
def test_torch_features_numtorch_lacks_fail_clearly(make, weights_only):
    with pytest.raises(RuntimeError, match="not supported"):
        numtorch.load(io.BytesIO(dump(torch, {"t": make()})), weights_only=weights_only)


def test_save_to_unbuffered_file(tmp_path):
    x = tensor(numtorch, (300, 300))
    with open(tmp_path / "raw.pt", "wb", buffering=0) as f:
        numtorch.save({"x": x}, f)
    np.testing.assert_array_equal(to_np(torch.load(tmp_path / "raw.pt")["x"]), to_np(x))


def test_save_through_symlink(tmp_path):
    target = tmp_path / "run1.pt"
    numtorch.save(numtorch.zeros(1), target)
    (tmp_path / "latest.pt").symlink_to(target)
    numtorch.save(numtorch.ones(2), tmp_path / "latest.pt")
    assert (tmp_path / "latest.pt").is_symlink()
    np.testing.assert_array_equal(to_np(torch.load(target)), [1.0, 1.0])
