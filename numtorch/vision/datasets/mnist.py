"""MNIST-style datasets (MNIST, FashionMNIST, KMNIST, EMNIST) read from IDX files, as in torchvision."""
import gzip
import os
import shutil
import string
import warnings

import numpy as np

import numtorch
from .utils import _offline_error, _pil_image, download_url, extract_archive, verify_str_arg
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file"]

# IDX type codes -> big-endian NumPy dtypes
_IDX_DTYPES = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def _read_bytes(path):
    # torchvision keeps the extracted file; a lone .gz copy is read directly so nothing needs unpacking
    if not os.path.isfile(path) and os.path.isfile(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX ("SN3 Pascal Vincent") file, plain or gzip'd, into a tensor."""
    data = _read_bytes(path)
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in _IDX_DTYPES:
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x})")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    parsed = np.frombuffer(data, dtype=_IDX_DTYPES[ty], offset=4 * (nd + 1))
    if strict and parsed.size != np.prod(shape):
        raise RuntimeError(f"{path}: expected {int(np.prod(shape))} values, found {parsed.size}")
    native = parsed.astype(parsed.dtype.newbyteorder("="))
    return numtorch.from_numpy(native[:int(np.prod(shape))].reshape(shape))


def read_label_file(path):
    """Read an IDX label file (uint8, 1-D) as an int64 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != numtorch.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndimension() != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndimension()}")
    return x.long()


def read_image_file(path):
    """Read an IDX image file (uint8, N x H x W) as a uint8 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != numtorch.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype}")
    if x.ndimension() != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndimension()}")
    return x


class MNIST(VisionDataset):
    """The MNIST dataset, read from ``root/MNIST/raw/*-idx?-ubyte`` (plain or ``.gz``)."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets")
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets")
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data")
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data")
        return self.data

    def _check_legacy_exist(self):
        files = (self.training_file, self.test_file)
        return hasattr(numtorch, "load") and all(
            os.path.isfile(os.path.join(self.processed_folder, f)) for f in files)

    def _load_legacy_data(self):
        name = self.training_file if self.train else self.test_file
        return numtorch.load(os.path.join(self.processed_folder, name), weights_only=True)

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index):
        img = _pil_image().fromarray(self.data.numpy()[index])
        return self._apply_transforms(img, int(self.targets[index]))

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, type(self).__name__, "processed")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _raw_files(self):
        return [os.path.join(self.raw_folder, name[:-3]) for name, _ in self.resources]

    def _check_exists(self):
        return all(os.path.isfile(p) or os.path.isfile(p + ".gz") for p in self._raw_files())

    def download(self):
        """Download the raw files (or unpack local ``.gz`` copies) into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for (filename, md5), target in zip(self.resources, self._raw_files()):
            if os.path.isfile(target) or os.path.isfile(target + ".gz"):
                continue
            errors = []
            for mirror in self.mirrors:
                try:
                    extract_archive(download_url(mirror + filename, self.raw_folder, filename, md5))
                    break
                except RuntimeError as err:
                    errors.append(err.__cause__ or err)
            else:
                places = [(self.mirrors[0] + name, os.path.join(self.raw_folder, name))
                          for name, _ in self.resources]
                tried = "; ".join(f"{m}: {e}" for m, e in zip(self.mirrors, errors))
                raise _offline_error(type(self).__name__, places, tried)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """The Fashion-MNIST dataset, read from ``root/FashionMNIST/raw``."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """The Kuzushiji-MNIST dataset, read from ``root/KMNIST/raw``."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """The EMNIST dataset (one of its six splits), read from ``root/EMNIST/raw``."""

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    # letters that look alike in both cases share one class in the merged splits
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = f"training_{split}.pt"
        self.test_file = f"test_{split}.pt"
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _raw_files(self):
        return [self.images_file, self.labels_file]

    def download(self):
        """Download EMNIST's zip (or reuse a local copy) and unpack the split's files into ``raw_folder``."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        zip_path = os.path.join(self.raw_folder, "gzip.zip")
        if not os.path.isfile(zip_path):
            try:
                download_url(self.url, self.raw_folder, "gzip.zip", self.md5)
            except RuntimeError as err:
                raise _offline_error("EMNIST", [(self.url, zip_path)], err.__cause__ or err) from err
        extract_archive(zip_path, self.raw_folder)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            if name.endswith(".gz"):
                os.replace(os.path.join(gzip_folder, name), os.path.join(self.raw_folder, name))
        shutil.rmtree(gzip_folder)
