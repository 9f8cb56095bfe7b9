"""Generate the torchvision golden fixtures for numtorch.vision models, datasets and utils (run once).

torchvision 0.29 needs torch 2.14, which cannot sit beside the torch 2.13 oracle, so this runs in a
separate venv:  /work/tvenv/bin/python tests/make_vision_model_fixtures.py
It writes
  tests/fixtures/vision_models.json   state-dict keys/shapes/dtypes, output shapes, reprs, and for small
                                      models the SHA-256 of every seeded tensor plus seeded outputs;
  tests/fixtures/vision_data.npz      make_grid/save_image outputs and what torchvision's dataset
                                      classes return for the tiny files built by the helpers below.
The file builders and case tables are shared with tests/test_vision_*.py, so this module must stay
importable without torch or torchvision (they are imported inside the generator functions only).
"""
import gzip
import hashlib
import io
import json
import os
import pickle
import sys
import tarfile
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_FIXTURE = os.path.join(HERE, "fixtures", "vision_models.json")
DATA_FIXTURE = os.path.join(HERE, "fixtures", "vision_data.npz")

# name -> input side length for the output-shape check
MODEL_INPUTS = {
    "alexnet": 64, "lenet": None, "mobilenet_v2": 32, "squeezenet1_0": 64, "squeezenet1_1": 64,
    "resnet18": 32, "resnet34": 32, "resnet50": 32, "resnet101": 32, "resnet152": 32,
    "resnext50_32x4d": 32, "resnext101_32x8d": 32, "resnext101_64x4d": 32, "wide_resnet50_2": 32,
    "wide_resnet101_2": 32, "vgg11": 32, "vgg11_bn": 32, "vgg13": 32, "vgg13_bn": 32, "vgg16": 32,
    "vgg16_bn": 32, "vgg19": 32, "vgg19_bn": 32, "densenet121": 32, "densenet161": 32, "densenet169": 32,
    "densenet201": 32, "googlenet": 32, "inception_v3": 75,
}
# small enough to initialise with numtorch's seeded RNG inside the test budget
SEEDED_MODELS = {"resnet18": 32, "mobilenet_v2": 32, "squeezenet1_0": 64, "squeezenet1_1": 64, "alexnet": 64,
                 "densenet121": 32, "googlenet": 32, "inception_v3": 75}
REPR_MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "alexnet", "vgg11_bn", "resnet50", "densenet121",
               "googlenet", "inception_v3"]


def tensor_digest(arr):
    """SHA-256 of a contiguous little-endian array's bytes (identical weights <=> identical digests)."""
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()


# ---------------------------------------------------------------- make_grid / save_image cases
def grid_inputs():
    """Deterministic input batches for the make_grid cases."""
    rng = np.random.default_rng(7)
    return {
        "b4": rng.standard_normal((4, 3, 5, 6)).astype(np.float32),
        "b7": (rng.random((7, 3, 4, 3)) * 3 - 1).astype(np.float32),
        "g5": rng.random((5, 1, 4, 4)).astype(np.float32),
        "one": rng.random((1, 3, 4, 5)).astype(np.float32),
        "hw": rng.random((6, 7)).astype(np.float32),
        "chw1": rng.random((1, 3, 3)).astype(np.float32),
        "chw3": rng.random((3, 4, 2)).astype(np.float32),
        "f64": rng.standard_normal((3, 3, 4, 4)),
        "u8": rng.integers(0, 256, (3, 3, 4, 5)).astype(np.uint8),
        "rgba": rng.random((2, 4, 3, 3)).astype(np.float32),
        "const": np.full((2, 3, 2, 2), 0.25, np.float32),
    }


# (case id, input key, as_list, kwargs)
GRID_CASES = [
    ("default", "b4", False, {}),
    ("nrow2_pad1", "b7", False, {"nrow": 2, "padding": 1}),
    ("nrow3_pad0", "b7", False, {"nrow": 3, "padding": 0, "pad_value": 0.5}),
    ("nrow10", "b7", False, {"nrow": 10, "padding": 3, "pad_value": 1.0}),
    ("norm", "b4", False, {"normalize": True}),
    ("norm_range", "b4", False, {"normalize": True, "value_range": (-0.5, 0.75)}),
    ("norm_each", "b7", False, {"normalize": True, "scale_each": True, "nrow": 3}),
    ("norm_each_range", "b4", False, {"normalize": True, "scale_each": True, "value_range": (0, 1)}),
    ("norm_const", "const", False, {"normalize": True}),
    ("norm_each_const", "const", False, {"normalize": True, "scale_each": True}),
    ("gray", "g5", False, {"nrow": 2, "pad_value": 0.3}),
    ("single", "one", False, {}),
    ("hw", "hw", False, {}),
    ("chw1", "chw1", False, {}),
    ("chw3", "chw3", False, {"normalize": True}),
    ("list", "b4", True, {"nrow": 3}),
    ("float64", "f64", False, {"normalize": True, "scale_each": True, "nrow": 2}),
    ("uint8", "u8", False, {"nrow": 2, "pad_value": 7}),
    ("rgba", "rgba", False, {"padding": 1}),
]

# (case id, input key, kwargs) -- the PNG written by save_image, decoded back to pixels
SAVE_CASES = [
    ("save_default", "b4", {}),
    ("save_norm", "b7", {"normalize": True, "nrow": 4}),
    ("save_gray", "g5", {"padding": 0}),
    ("save_single", "chw3", {}),
    ("save_rgba", "rgba", {}),
]


# (case id, image key, boxes, kwargs) -- draw_bounding_boxes on a (C, H, W) image from draw_images()
DRAW_CASES = [
    ("plain", "rgb", [[1, 2, 10, 12], [5, 5, 20, 18]], {}),
    ("colors_width", "rgb", [[1, 2, 10, 12], [5, 5, 20, 18], [0, 0, 23, 19]],
     {"colors": ["red", (0, 200, 30), "#123456"], "width": 2}),
    ("fill_labels", "rgb", [[2, 1, 21, 17], [0, 8, 12, 19]],
     {"labels": ["cat", "dog"], "fill": True, "colors": "yellow"}),
    ("label_boxes", "rgb", [[2, 1, 21, 17]],
     {"labels": ["a"], "fill_labels": True, "label_colors": "white", "label_background_colors": "blue"}),
    ("gray", "gray", [[3.7, 2.2, 15.9, 9.5]], {"colors": (255, 0, 255)}),
    ("float", "float", [[1, 1, 8, 9], [4, 6, 22, 17]], {"fill": True}),
    ("oriented", "rgb", [[2, 2, 18, 4, 16, 17, 1, 14]], {"width": 1, "labels": ["r"]}),
    ("many_default_colors", "rgb", [[i, i, i + 4, i + 3] for i in range(6)], {}),
]


def draw_images():
    """Deterministic images for the draw_bounding_boxes cases."""
    rng = np.random.default_rng(3)
    return {"rgb": rng.integers(0, 256, (3, 20, 24)).astype(np.uint8),
            "gray": rng.integers(0, 256, (1, 12, 18)).astype(np.uint8),
            "float": rng.random((3, 20, 24)).astype(np.float32)}


def io_files():
    """Encoded images {name: bytes} for the decode_image cases (made with Pillow, stored in the fixture)."""
    from PIL import Image
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (6, 7, 3)).astype(np.uint8)
    gray = rng.integers(0, 256, (6, 7)).astype(np.uint8)
    pal = Image.fromarray(gray % 3).convert("P")
    pal.putpalette([255, 0, 0, 0, 255, 0, 10, 20, 30])
    images = {"rgb_png": (Image.fromarray(rgb), "PNG", {}),
              "rgba_png": (Image.fromarray(rng.integers(0, 256, (5, 4, 4)).astype(np.uint8)), "PNG", {}),
              "gray_png": (Image.fromarray(gray), "PNG", {}),
              "la_png": (Image.fromarray(rng.integers(0, 256, (3, 5, 2)).astype(np.uint8), "LA"), "PNG", {}),
              "pal_trns_png": (pal, "PNG", {"transparency": 1}),
              "rgb_jpg": (Image.fromarray(rgb), "JPEG", {"quality": 90}),
              "gray_jpg": (Image.fromarray(gray), "JPEG", {})}
    out = {}
    for name, (img, fmt, kw) in images.items():
        buf = io.BytesIO()
        img.save(buf, format=fmt, **kw)
        out[name] = buf.getvalue()
    return out


IO_MODES = ["UNCHANGED", "GRAY", "GRAY_ALPHA", "RGB", "RGB_ALPHA"]
# torchvision's own output for these is uninitialised memory: a palette read UNCHANGED
IO_SKIP = {("pal_trns_png", "UNCHANGED")}


class ReprTag:
    """A callable with a fixed multi-line repr, for the dataset repr cases."""

    def __init__(self, name):
        self.name = name

    def __call__(self, x, *rest):
        return (x, *rest) if rest else x

    def __repr__(self):
        return f"ReprTag(\n    {self.name}\n)"


def sized_dataset(base):
    """A two-item subclass of ``base`` (a VisionDataset class), so the base's repr can be shown."""
    class Sized(base):
        def __len__(self):
            return 2

    return Sized


# ---------------------------------------------------------------- tiny dataset files
def _idx_bytes(arr):
    codes = {np.dtype(np.uint8): 8, np.dtype(np.int8): 9, np.dtype(">i2"): 11, np.dtype(">i4"): 12,
             np.dtype(">f4"): 13, np.dtype(">f8"): 14}
    header = bytes([0, 0, codes[arr.dtype], arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    return header + arr.tobytes()


def mnist_arrays(seed, n_train=5, n_test=3, hw=(6, 5)):
    """Images and labels for a tiny MNIST-format dataset."""
    rng = np.random.default_rng(seed)
    return {"train": (rng.integers(0, 256, (n_train, *hw)).astype(np.uint8),
                      rng.integers(0, 10, n_train).astype(np.uint8)),
            "t10k": (rng.integers(0, 256, (n_test, *hw)).astype(np.uint8),
                     rng.integers(0, 10, n_test).astype(np.uint8))}


def build_mnist(root, name="MNIST", seed=0, gz=False, prefix=None):
    """Write MNIST-format IDX files under root/<name>/raw (gzip'd when gz)."""
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    for split, (images, labels) in mnist_arrays(seed).items():
        stem = split if prefix is None else f"{prefix}-{'train' if split == 'train' else 'test'}"
        for kind, arr in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            path = os.path.join(raw, f"{stem}-{kind}")
            data = _idx_bytes(arr)
            if gz:
                with gzip.open(path + ".gz", "wb") as f:
                    f.write(data)
            else:
                with open(path, "wb") as f:
                    f.write(data)
    return raw


def cifar_arrays(seed, cifar100=False):
    """Batches for a tiny CIFAR dataset: {file name: (data (N, 3072) uint8, labels)}."""
    rng = np.random.default_rng(seed)
    if cifar100:
        names = {"train": 4, "test": 2}
        ncls = 100
    else:
        names = {f"data_batch_{i}": 2 for i in range(1, 6)}
        names["test_batch"] = 3
        ncls = 10
    return {name: (rng.integers(0, 256, (n, 3072)).astype(np.uint8), rng.integers(0, ncls, n).tolist())
            for name, n in names.items()}


def build_cifar(root, cifar100=False, seed=0, archive=False):
    """Write CIFAR python pickles under root/<base folder> (or only a tar.gz of them when archive)."""
    base = "cifar-100-python" if cifar100 else "cifar-10-batches-py"
    stage = tempfile.mkdtemp() if archive else root
    folder = os.path.join(stage, base)
    os.makedirs(folder, exist_ok=True)
    label_key = "fine_labels" if cifar100 else "labels"
    for name, (data, labels) in cifar_arrays(seed, cifar100).items():
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump({"data": data, label_key: labels, "batch_label": name}, f, protocol=2)
    if cifar100:
        meta = {"fine_label_names": [f"fine{i}" for i in range(100)],
                "coarse_label_names": [f"coarse{i}" for i in range(20)]}
        meta_name = "meta"
    else:
        meta = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                "ship", "truck"], "num_cases_per_batch": 2}
        meta_name = "batches.meta"
    with open(os.path.join(folder, meta_name), "wb") as f:
        pickle.dump(meta, f, protocol=2)
    if archive:
        name = "cifar-100-python.tar.gz" if cifar100 else "cifar-10-python.tar.gz"
        with tarfile.open(os.path.join(root, name), "w:gz") as tar:
            tar.add(folder, arcname=base)
    return root


def build_image_folder(root, seed=0):
    """Write an ImageFolder tree: several classes, image modes and formats, a nested folder, a non-image."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    files = {
        "cat/a.png": ("RGB", (4, 5)), "cat/b.PNG": ("L", (3, 3)), "cat/sub/c.bmp": ("RGB", (2, 6)),
        "dog/x.png": ("RGBA", (5, 4)), "dog/y.ppm": ("RGB", (3, 2)), "dog/notes.txt": (None, None),
        "emu/p.png": ("P", (4, 4)), "emu/q.tiff": ("L", (2, 2)),
    }
    for rel, (mode, size) in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if mode is None:
            with open(path, "w") as f:
                f.write("not an image")
            continue
        channels = {"RGB": 3, "L": 1, "RGBA": 4, "P": 1}[mode]
        arr = rng.integers(0, 256, (size[1], size[0], channels)).astype(np.uint8)
        if mode == "P":
            img = Image.fromarray(arr[:, :, 0] % 16, "L").convert("P")
            img.putpalette(rng.integers(0, 256, 48).astype(np.uint8).tolist())
        else:
            img = Image.fromarray(arr[:, :, 0] if channels == 1 else arr)
        img.save(path)
    os.makedirs(os.path.join(root, "empty_dir_class"), exist_ok=True)
    return root


# ---------------------------------------------------------------- generators (torchvision needed)
def _model_fixtures():
    import torch
    import torchvision.models as tvm

    out = {}
    for name, side in MODEL_INPUTS.items():
        if side is None:
            continue
        torch.manual_seed(0)
        model = getattr(tvm, name)().eval()
        entry = {"state": [[k, list(v.shape), str(v.dtype)] for k, v in model.state_dict().items()]}
        with torch.no_grad():
            entry["out_shape"] = list(model(torch.zeros(1, 3, side, side)).shape)
        if name in REPR_MODELS:
            entry["repr"] = repr(model)
        if name in SEEDED_MODELS:
            entry["digests"] = {k: tensor_digest(v.numpy()) for k, v in model.state_dict().items()}
            torch.manual_seed(1)
            x = torch.randn(2, 3, side, side)
            with torch.no_grad():
                y = model(x).double()
            entry["eval_head"] = y[:, :20].tolist()
            entry["eval_sum"] = y.sum(1).tolist()
        out[name] = entry
        print("model", name, flush=True)
    return out


def _grid_fixtures():
    import torch
    from torchvision.utils import draw_bounding_boxes, make_grid, save_image
    from PIL import Image

    inputs = grid_inputs()
    out = {}
    for cid, key, as_list, kwargs in GRID_CASES:
        t = torch.from_numpy(inputs[key].copy())
        arg = list(t) if as_list else t
        out["grid_" + cid] = make_grid(arg, **kwargs).numpy()
    for cid, key, kwargs in SAVE_CASES:
        buf = io.BytesIO()
        save_image(torch.from_numpy(inputs[key].copy()), buf, format="png", **kwargs)
        out[cid] = np.asarray(Image.open(io.BytesIO(buf.getvalue())))
    from torchvision.io import ImageReadMode, decode_image
    for name, data in io_files().items():
        out["io_bytes_" + name] = np.frombuffer(data, np.uint8)
        for mode in IO_MODES:
            if (name, mode) in IO_SKIP:
                continue
            try:
                raw = torch.frombuffer(bytearray(data), dtype=torch.uint8)
                out[f"io_{name}_{mode}"] = decode_image(raw, ImageReadMode[mode]).numpy()
            except RuntimeError as err:
                out[f"io_{name}_{mode}"] = np.array("RuntimeError: " + str(err).split(", ")[-1])
    images = draw_images()
    for cid, key, boxes, kwargs in DRAW_CASES:
        img = torch.from_numpy(images[key].copy())
        drawn = draw_bounding_boxes(img, torch.tensor(boxes, dtype=torch.float32), **kwargs)
        out["draw_" + cid] = drawn.numpy()
    return out


def _pil_arrays(ds, prefix, out):
    images, targets = [], []
    for i in range(len(ds)):
        img, target = ds[i]
        out[f"{prefix}_img{i}"] = np.asarray(img)
        images.append(img.mode)
        targets.append(int(target))
    out[f"{prefix}_modes"] = np.array(images)
    out[f"{prefix}_targets"] = np.array(targets, np.int64)


def _dataset_fixtures():
    import torchvision.datasets as tvd
    import torchvision.datasets.cifar

    # torchvision checks the official MD5 sums, which tiny generated batches cannot match; numtorch checks
    # presence only, so the reference run does the same
    torchvision.datasets.cifar.check_integrity = lambda fpath, md5=None: os.path.isfile(fpath)
    out = {}
    with tempfile.TemporaryDirectory() as root:
        build_mnist(root, "MNIST")
        build_mnist(root, "FashionMNIST", seed=1)
        build_mnist(root, "EMNIST", seed=2, prefix="emnist-letters")
        for prefix, ds in [("mnist_train", tvd.MNIST(root)), ("mnist_test", tvd.MNIST(root, train=False)),
                           ("fashion_test", tvd.FashionMNIST(root, train=False)),
                           ("emnist_train", tvd.EMNIST(root, "letters"))]:
            _pil_arrays(ds, prefix, out)
            out[prefix + "_repr"] = np.array(repr(ds).replace(root, "<ROOT>"))
            out[prefix + "_classes"] = np.array(ds.classes)
        build_cifar(root)
        build_cifar(root, cifar100=True, seed=1)
        for prefix, ds in [("cifar10_train", tvd.CIFAR10(root)),
                           ("cifar10_test", tvd.CIFAR10(root, train=False)),
                           ("cifar100_train", tvd.CIFAR100(root))]:
            _pil_arrays(ds, prefix, out)
            out[prefix + "_repr"] = np.array(repr(ds).replace(root, "<ROOT>"))
            out[prefix + "_classes"] = np.array(ds.classes)
    with tempfile.TemporaryDirectory() as root:
        build_image_folder(root)
        ds = tvd.ImageFolder(root, allow_empty=True)
        _pil_arrays(ds, "folder", out)
        out["folder_samples"] = np.array([os.path.relpath(p, root) for p, _ in ds.samples])
        out["folder_classes"] = np.array(ds.classes)
        out["folder_repr"] = np.array(repr(ds).replace(root, "<ROOT>"))
    for prefix, ds in [("fake", tvd.FakeData(size=4, image_size=(3, 5, 6), num_classes=7, random_offset=3)),
                       ("fake_gray", tvd.FakeData(size=3, image_size=(1, 4, 4)))]:
        _pil_arrays(ds, prefix, out)
        out[prefix + "_repr"] = np.array(repr(ds))
    tagged = tvd.FakeData(size=2, transform=ReprTag("t"), target_transform=ReprTag("tt"))
    out["repr_separate"] = np.array(repr(tagged))
    joint = sized_dataset(tvd.VisionDataset)("some/root", transforms=ReprTag("both"))
    out["repr_joint"] = np.array(repr(joint))
    return out


def main(parts):
    """Regenerate the fixture files named in parts ("models", "data"; both by default)."""
    os.makedirs(os.path.dirname(MODELS_FIXTURE), exist_ok=True)
    if "models" in parts:
        tmp = MODELS_FIXTURE + ".tmp"
        with open(tmp, "w") as f:
            json.dump(_model_fixtures(), f, separators=(",", ":"))
        os.replace(tmp, MODELS_FIXTURE)
    if "data" in parts:
        tmp = DATA_FIXTURE + ".tmp.npz"
        np.savez_compressed(tmp, **_grid_fixtures(), **_dataset_fixtures())
        os.replace(tmp, DATA_FIXTURE)


if __name__ == "__main__":
    main(sys.argv[1:] or ["models", "data"])
