"""numtorch.vision.datasets on tiny files in the official formats, against what torchvision returns for
the same files (tests/fixtures/vision_data.npz, made by tests/make_vision_model_fixtures.py)."""
import os
import pickle
import sys
import types

import numpy as np
import pytest

import numtorch
from numtorch.vision import datasets
from numtorch.vision.datasets import folder
from numtorch.vision.datasets import utils as dutils
from make_vision_model_fixtures import (DATA_FIXTURE, ReprTag, build_cifar, build_image_folder, build_mnist,
                                        mnist_arrays, sized_dataset)

FIX = np.load(DATA_FIXTURE)


def assert_like_torchvision(ds, prefix, root=None):
    assert len(ds) == len(FIX[prefix + "_targets"])
    for i in range(len(ds)):
        img, target = ds[i]
        assert img.mode == FIX[prefix + "_modes"][i]
        np.testing.assert_array_equal(np.asarray(img), FIX[f"{prefix}_img{i}"])
        assert isinstance(target, int) and target == FIX[prefix + "_targets"][i]
    if prefix + "_repr" in FIX:
        text = repr(ds) if root is None else repr(ds).replace(str(root), "<ROOT>")
        assert text == str(FIX[prefix + "_repr"])
    if prefix + "_classes" in FIX:
        assert list(ds.classes) == FIX[prefix + "_classes"].tolist()


@pytest.fixture
def offline(monkeypatch):
    """Point every download at a closed local port: fails at once, like a machine without network."""
    dead = "http://127.0.0.1:9/"
    for cls in (datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST):
        monkeypatch.setattr(cls, "mirrors", [dead])
    monkeypatch.setattr(datasets.EMNIST, "url", dead + "gzip.zip")
    monkeypatch.setattr(datasets.CIFAR10, "url", dead + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.SVHN, "split_list", {
        k: [dead + v[1], v[1], v[2]] for k, v in datasets.SVHN.split_list.items()})


# ---------------------------------------------------------------- MNIST family
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_like_torchvision(tmp_path, gz):
    build_mnist(tmp_path, "MNIST", gz=gz)
    train, test = datasets.MNIST(tmp_path), datasets.MNIST(str(tmp_path), train=False)
    assert_like_torchvision(train, "mnist_train", tmp_path)
    assert_like_torchvision(test, "mnist_test", tmp_path)
    images, labels = mnist_arrays(0)["train"]
    assert train.data.dtype == numtorch.uint8 and train.targets.dtype == numtorch.int64
    np.testing.assert_array_equal(train.data.numpy(), images)
    np.testing.assert_array_equal(train.targets.numpy(), labels)
    assert train.class_to_idx["3 - three"] == 3
    assert train.raw_folder == os.path.join(str(tmp_path), "MNIST", "raw")


def test_fashion_and_emnist_like_torchvision(tmp_path):
    build_mnist(tmp_path, "FashionMNIST", seed=1, gz=True)
    build_mnist(tmp_path, "EMNIST", seed=2, prefix="emnist-letters")
    assert_like_torchvision(datasets.FashionMNIST(tmp_path, train=False), "fashion_test", tmp_path)
    emnist = datasets.EMNIST(tmp_path, "letters")
    assert_like_torchvision(emnist, "emnist_train", tmp_path)
    with pytest.raises(ValueError, match="Unknown value 'nope' for argument split"):
        datasets.EMNIST(tmp_path, "nope")
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.EMNIST(tmp_path, "digits")


def test_mnist_transforms_and_legacy_names(tmp_path):
    build_mnist(tmp_path, "KMNIST", seed=3)
    ds = datasets.KMNIST(tmp_path, transform=lambda im: np.asarray(im).sum(), target_transform=lambda t: -t)
    images, labels = mnist_arrays(3)["train"]
    img, target = ds[1]
    assert img == images[1].sum() and target == -int(labels[1])
    assert "Transform: <function" in repr(ds) and "Target transform: <function" in repr(ds)
    with pytest.warns(UserWarning, match="train_labels has been renamed targets"):
        assert ds.train_labels is ds.targets
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.VisionDataset(tmp_path, transforms=lambda a, b: (a, b), transform=abs)


def test_vision_dataset_reprs_like_torchvision():
    tagged = datasets.FakeData(size=2, transform=ReprTag("t"), target_transform=ReprTag("tt"))
    assert repr(tagged) == str(FIX["repr_separate"])
    joint = sized_dataset(datasets.VisionDataset)("some/root", transforms=ReprTag("both"))
    assert repr(joint) == str(FIX["repr_joint"]) and joint.transform is None
    assert datasets.FakeData().root is None
    assert datasets.Digits("~/digits").root == os.path.expanduser("~/digits")


def test_mnist_missing_and_offline_download(tmp_path, offline):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it"):
        datasets.MNIST(tmp_path)
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path, download=True)
    msg = str(info.value)
    raw = os.path.join(str(tmp_path), "MNIST", "raw")
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert os.path.join(raw, name) in msg and "http://127.0.0.1:9/" + name in msg
    with pytest.raises(RuntimeError, match="gzip.zip"):
        datasets.EMNIST(tmp_path, "mnist", download=True)


def test_mnist_download_reuses_local_files(tmp_path, offline):
    build_mnist(tmp_path, "MNIST", gz=True)
    ds = datasets.MNIST(tmp_path, download=True)
    assert_like_torchvision(ds, "mnist_train", tmp_path)


def test_mnist_legacy_processed_files(tmp_path, oracle):
    images, labels = mnist_arrays(0)["train"]
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    # written by real torch, as old torchvision releases left them
    train = (oracle.from_numpy(images), oracle.from_numpy(labels.astype(np.int64)))
    oracle.save(train, processed / "training.pt")
    oracle.save((oracle.zeros(1, 2, 2, dtype=oracle.uint8), oracle.zeros(1, dtype=oracle.int64)),
                processed / "test.pt")
    ds = datasets.MNIST(tmp_path)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds[4][1] == labels[4] and len(datasets.MNIST(tmp_path, train=False)) == 1


def test_idx_reader_types_and_errors(tmp_path):
    from numtorch.vision.datasets import mnist
    arr = (np.arange(12).reshape(3, 4) - 5).astype(">i4")
    path = tmp_path / "x.idx"
    path.write_bytes(bytes([0, 0, 12, 2]) + (3).to_bytes(4, "big") + (4).to_bytes(4, "big") + arr.tobytes())
    t = mnist.read_sn3_pascalvincent_tensor(str(path))
    assert t.dtype == numtorch.int32
    np.testing.assert_array_equal(t.numpy(), arr.astype(np.int32))
    with pytest.raises(TypeError, match="x should be of dtype torch.uint8 instead of torch.int32"):
        mnist.read_label_file(str(path))
    path.write_bytes(b"\x00\x00\x08\x07" + bytes(8))
    with pytest.raises(RuntimeError, match="not an IDX file"):
        mnist.read_sn3_pascalvincent_tensor(str(path))


# ---------------------------------------------------------------- CIFAR
def test_cifar_like_torchvision(tmp_path):
    build_cifar(tmp_path)
    build_cifar(tmp_path, cifar100=True, seed=1)
    train = datasets.CIFAR10(tmp_path)
    assert_like_torchvision(train, "cifar10_train", tmp_path)
    assert_like_torchvision(datasets.CIFAR10(tmp_path, train=False), "cifar10_test", tmp_path)
    assert_like_torchvision(datasets.CIFAR100(tmp_path), "cifar100_train", tmp_path)
    assert train.data.shape == (10, 32, 32, 3) and train.data.dtype == np.uint8
    assert isinstance(train.targets, list) and train.class_to_idx["cat"] == 3


def test_cifar_download_extracts_local_archive(tmp_path, offline):
    build_cifar(tmp_path, archive=True)
    assert not (tmp_path / "cifar-10-batches-py").exists()
    assert_like_torchvision(datasets.CIFAR10(tmp_path, train=False, download=True), "cifar10_test", tmp_path)


def test_cifar_missing_offline_and_hostile_pickle(tmp_path, offline):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(tmp_path)
    with pytest.raises(RuntimeError) as info:
        datasets.CIFAR10(tmp_path, download=True)
    assert os.path.join(str(tmp_path), "cifar-10-python.tar.gz") in str(info.value)
    build_cifar(tmp_path)
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "wb") as f:
        pickle.dump({"data": os.getcwd, "labels": []}, f)
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        datasets.CIFAR10(tmp_path, train=False)


# ---------------------------------------------------------------- SVHN (SciPy stand-in)
def test_svhn_reads_mat_layout(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (32, 32, 3, 4)).astype(np.uint8)
    y = np.array([[10], [3], [1], [10]], np.uint8)
    fake = types.ModuleType("scipy.io")
    fake.loadmat = lambda path: {"X": X, "y": y} if path.endswith("test_32x32.mat") else {}
    monkeypatch.setitem(sys.modules, "scipy", types.ModuleType("scipy"))
    monkeypatch.setitem(sys.modules, "scipy.io", fake)
    (tmp_path / "test_32x32.mat").write_bytes(b"stand-in")
    ds = datasets.SVHN(tmp_path, split="test")
    assert ds.labels.tolist() == [0, 3, 1, 0] and ds.data.shape == (4, 3, 32, 32)
    img, target = ds[2]
    assert img.mode == "RGB" and target == 1
    np.testing.assert_array_equal(np.asarray(img), X[:, :, :, 2])
    assert repr(ds).endswith("Split: test")


def test_svhn_errors(tmp_path, monkeypatch, offline):
    with pytest.raises(ValueError, match="Unknown value 'dev' for argument split"):
        datasets.SVHN(tmp_path, split="dev")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.SVHN(tmp_path)
    with pytest.raises(RuntimeError, match="train_32x32.mat"):
        datasets.SVHN(tmp_path, download=True)
    monkeypatch.setitem(sys.modules, "scipy.io", None)
    (tmp_path / "train_32x32.mat").write_bytes(b"")
    with pytest.raises(ImportError, match="SciPy"):
        datasets.SVHN(tmp_path)


# ---------------------------------------------------------------- folders
def test_image_folder_like_torchvision(tmp_path):
    build_image_folder(tmp_path)
    ds = datasets.ImageFolder(tmp_path, allow_empty=True)
    assert_like_torchvision(ds, "folder", tmp_path)
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.imgs] == FIX["folder_samples"].tolist()
    assert ds.imgs is ds.samples and ds.targets == [t for _, t in ds.samples]
    assert ds.class_to_idx == {c: i for i, c in enumerate(FIX["folder_classes"].tolist())}
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty_dir_class. "
                                                "Supported extensions are: .jpg, .jpeg"):
        datasets.ImageFolder(tmp_path)


def test_dataset_folder_hooks(tmp_path):
    build_image_folder(tmp_path)
    ds = datasets.DatasetFolder(tmp_path, loader=os.path.basename, extensions=(".txt", ".ppm"),
                                allow_empty=True)
    assert [ds[i] for i in range(len(ds))] == [("notes.txt", 1), ("y.ppm", 1)]
    only_png = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True,
                                    loader=os.path.basename)
    assert [s for s, _ in only_png] == ["a.png", "x.png", "p.png"]
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        folder.make_dataset(str(tmp_path), {"cat": 0})
    with pytest.raises(ValueError, match="'class_to_index' must have at least one entry"):
        folder.make_dataset(str(tmp_path), {}, extensions=".png")
    with pytest.raises(ValueError, match="The class_to_idx parameter cannot be None"):
        datasets.DatasetFolder.make_dataset(str(tmp_path), None, extensions=".png")
    (tmp_path / "flat").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        folder.find_classes(tmp_path / "flat")
    assert folder.has_file_allowed_extension("A.JPG", (".jpg",)) and not folder.is_image_file("a.txt")
    assert folder.IMG_EXTENSIONS == (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff",
                                     ".webp")
    img = folder.default_loader(str(tmp_path / "emu" / "p.png"))
    assert img.mode == "RGB" and img.size == (4, 4)


# ---------------------------------------------------------------- FakeData
def test_fakedata_like_torchvision():
    numtorch.manual_seed(11)
    expected_next = numtorch.rand(3)
    numtorch.manual_seed(11)
    ds = datasets.FakeData(size=4, image_size=(3, 5, 6), num_classes=7, random_offset=3)
    assert_like_torchvision(ds, "fake")
    assert numtorch.equal(numtorch.rand(3), expected_next)  # the caller's RNG stream is untouched
    assert_like_torchvision(datasets.FakeData(size=3, image_size=(1, 4, 4)), "fake_gray")
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]


# ---------------------------------------------------------------- Digits
def test_digits_split_and_images():
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert (len(train), len(test)) == (1437, 360)
    assert train.data.shape == (1437, 8, 8) and train.data.dtype == numtorch.uint8
    assert train.targets.dtype == numtorch.int64
    with np.load(os.path.join(os.path.dirname(datasets.digits.__file__), "data", "digits.npz")) as f:
        images, labels, order = f["images"], f["labels"], f["order"]
    assert images.shape == (1797, 8, 8) and images.max() == 16 and labels.shape == (1797,)
    assert sorted(order.tolist()) == list(range(1797))
    np.testing.assert_array_equal(np.bincount(labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    both = np.concatenate([train.data.numpy(), test.data.numpy()])
    np.testing.assert_array_equal(both, np.rint(images[order] * (255 / 16)).astype(np.uint8))
    np.testing.assert_array_equal(np.concatenate([train.targets.numpy(), test.targets.numpy()]),
                                  labels[order])
    img, target = test[5]
    assert img.mode == "L" and img.size == (8, 8) and target == int(labels[order[1437 + 5]])
    assert set(np.unique(train.data.numpy())) <= {round(k * 255 / 16) for k in range(17)}
    assert repr(test) == "Dataset Digits\n    Number of datapoints: 360\n    Split: Test"
    assert os.path.isfile(os.path.join(os.path.dirname(datasets.digits.__file__), "data", "README.md"))


def test_digits_with_data_utilities():
    from numtorch.utils.data import DataLoader
    both = datasets.Digits() + datasets.Digits(train=False)
    assert len(both) == 1797 and both[1437][1] == datasets.Digits(train=False)[0][1]
    to_tensor = lambda im: numtorch.from_numpy(np.asarray(im, dtype=np.float32) / 255)  # noqa: E731
    loader = DataLoader(datasets.Digits(train=False, transform=to_tensor), batch_size=64)
    x, y = next(iter(loader))
    assert x.shape == (64, 8, 8) and y.dtype == numtorch.int64 and len(loader) == 6


def test_digits_with_transforms():
    transforms = pytest.importorskip("numtorch.vision.transforms")
    ds = datasets.Digits(transform=transforms.Compose([transforms.Resize(32), transforms.ToTensor()]),
                         target_transform=lambda t: t + 100)
    x, y = ds[0]
    assert x.shape == (1, 32, 32) and x.dtype == numtorch.float32 and 100 <= y < 110
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0


# ---------------------------------------------------------------- datasets.utils
def test_verify_str_arg_messages():
    assert dutils.verify_str_arg("b", "split", ("a", "b")) == "b"
    unknown = r"^Unknown value 'c' for argument split. Valid values are \{'a', 'b'\}.$"
    with pytest.raises(ValueError, match=unknown):
        dutils.verify_str_arg("c", "split", ("a", "b"))
    not_str = r"^Expected type str for argument split, but got type <class 'int'>.$"
    with pytest.raises(ValueError, match=not_str):
        dutils.verify_str_arg(3, "split")
    with pytest.raises(ValueError, match=r"^Expected type str, but got type <class 'int'>.$"):
        dutils.verify_str_arg(3)
    with pytest.raises(ValueError, match="^custom$"):
        dutils.verify_str_arg("c", "split", ["a"], custom_msg="custom")


def test_file_checks_archives_and_listing(tmp_path):
    import gzip
    import hashlib
    import zipfile
    payload = b"numtorch" * 100
    (tmp_path / "f.bin").write_bytes(payload)
    md5 = hashlib.md5(payload).hexdigest()
    assert dutils.calculate_md5(tmp_path / "f.bin") == md5 and dutils.check_md5(tmp_path / "f.bin", md5)
    assert dutils.check_integrity(tmp_path / "f.bin") and dutils.check_integrity(tmp_path / "f.bin", md5)
    assert not dutils.check_integrity(tmp_path / "f.bin", "0" * 32)
    assert not dutils.check_integrity(tmp_path / "missing.bin")
    with gzip.open(tmp_path / "g.txt.gz", "wb") as f:
        f.write(payload)
    out = tmp_path / "out"
    out.mkdir()
    assert dutils.extract_archive(str(tmp_path / "g.txt.gz"), str(out)) == str(out)
    assert (out / "g.txt").read_bytes() == payload
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
        zf.writestr("inner/a.txt", "A")
    dutils.extract_archive(str(tmp_path / "z.zip"), str(out), remove_finished=True)
    assert (out / "inner" / "a.txt").read_text() == "A" and not (tmp_path / "z.zip").exists()
    assert sorted(dutils.list_dir(str(out))) == ["inner"]
    assert dutils.list_files(str(out), ".txt", prefix=True) == [os.path.join(str(out), "g.txt")]
    with pytest.raises(RuntimeError, match="not supported"):
        dutils.extract_archive(str(tmp_path / "f.bin"))


def test_download_url_offline_and_cached(tmp_path):
    with pytest.raises(RuntimeError) as info:
        dutils.download_url("http://127.0.0.1:9/data/x.tar.gz", str(tmp_path / "dl"))
    msg = str(info.value)
    assert "http://127.0.0.1:9/data/x.tar.gz" in msg and os.path.join(str(tmp_path / "dl"), "x.tar.gz") in msg
    (tmp_path / "dl" / "x.tar.gz").write_bytes(b"present")
    assert dutils.download_url("http://127.0.0.1:9/data/x.tar.gz", str(tmp_path / "dl")).endswith("x.tar.gz")


def test_download_bounded_when_name_lookup_stalls(tmp_path, monkeypatch):
    import threading
    release = threading.Event()
    monkeypatch.setattr(dutils, "_TIMEOUT_S", 0.2)
    monkeypatch.setattr(dutils.socket, "getaddrinfo", lambda *a, **k: release.wait(5))
    try:
        with pytest.raises(RuntimeError, match="name resolution for example.invalid timed out"):
            dutils.download_url("http://example.invalid/x.bin", str(tmp_path))
    finally:
        release.set()


def test_emnist_download_unpacks_local_zip(tmp_path, offline):
    import zipfile
    staging = tmp_path / "staging"
    build_mnist(staging, "EMNIST", seed=2, prefix="emnist-letters", gz=True)
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    with zipfile.ZipFile(raw / "gzip.zip", "w") as zf:
        for name in os.listdir(staging / "EMNIST" / "raw"):
            zf.write(staging / "EMNIST" / "raw" / name, "gzip/" + name)
    assert_like_torchvision(datasets.EMNIST(tmp_path, "letters", download=True), "emnist_train", tmp_path)
    assert not (raw / "gzip").exists()


@pytest.fixture
def local_mirror(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www, standing in for a dataset's download site."""
    import functools
    import http.server
    import threading
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.func.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_mnist_download_from_mirror(tmp_path, local_mirror, monkeypatch):
    www, url = local_mirror
    raw = build_mnist(www / "site", "MNIST", gz=True)
    for name in os.listdir(raw):
        os.replace(os.path.join(raw, name), www / name)
    resources = [(name, dutils.calculate_md5(www / name)) for name, _ in datasets.MNIST.resources]
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/", url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    ds = datasets.MNIST(tmp_path / "data", download=True)
    assert_like_torchvision(ds, "mnist_train", tmp_path / "data")
    assert os.path.isfile(os.path.join(ds.raw_folder, "train-images-idx3-ubyte"))
    bad = [(name, "0" * 32) for name, _ in datasets.MNIST.resources]
    monkeypatch.setattr(datasets.MNIST, "resources", bad)
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        datasets.MNIST(tmp_path / "other", download=True)


def test_cifar_download_from_mirror(tmp_path, local_mirror, monkeypatch):
    www, url = local_mirror
    build_cifar(www, archive=True)
    monkeypatch.setattr(datasets.CIFAR10, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", dutils.calculate_md5(www / "cifar-10-python.tar.gz"))
    assert_like_torchvision(datasets.CIFAR10(tmp_path, download=True), "cifar10_train", tmp_path)
