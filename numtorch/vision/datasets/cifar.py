"""CIFAR-10 and CIFAR-100 read from the official python pickles, as in torchvision."""
import os
import pickle

import numpy as np

from .utils import _offline_error, _pil_image, download_url, extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

# What CIFAR pickles contain besides builtins: NumPy arrays (protocol-2 writers add _codecs.encode for bytes).
_ALLOWED_GLOBALS = {
    ("_codecs", "encode"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
}


class _ArrayUnpickler(pickle.Unpickler):
    # The batch files are pickles; refusing other globals keeps a tampered file from running code.
    def find_class(self, module, name):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in a CIFAR batch file")


def _load_pickle(path):
    with open(path, "rb") as f:
        return _ArrayUnpickler(f, encoding="latin1").load()


class CIFAR10(VisionDataset):
    """The CIFAR-10 dataset, read from ``root/cifar-10-batches-py``."""

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        files = self.train_list if train else self.test_list
        batches = [_load_pickle(self._path(name)) for name, _ in files]
        self.data = np.vstack([b["data"] for b in batches]).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self.targets = [t for b in batches for t in b.get("labels", b.get("fine_labels"))]
        self._load_meta()

    def _path(self, name):
        return os.path.join(self.root, self.base_folder, name)

    def _load_meta(self):
        path = self._path(self.meta["filename"])
        if not os.path.isfile(path):
            raise RuntimeError("Dataset metadata file not found or corrupted. "
                               "You can use download=True to download it")
        self.classes = _load_pickle(path)[self.meta["key"]]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        img = _pil_image().fromarray(self.data[index])
        return self._apply_transforms(img, self.targets[index])

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        # Presence only: hashing the full archive contents on every construction is slow, and the
        # pickles are validated when read.
        return all(os.path.isfile(self._path(name)) for name, _ in self.train_list + self.test_list)

    def download(self):
        """Extract ``root/<filename>`` if present, else download it (short timeout) and extract it."""
        if self._check_integrity():
            return
        archive = os.path.join(self.root, self.filename)
        if not os.path.isfile(archive):
            try:
                download_url(self.url, self.root, self.filename, self.tgz_md5)
            except RuntimeError as err:
                cause = err.__cause__ or err
                raise _offline_error(type(self).__name__, [(self.url, archive)], cause) from err
        extract_archive(archive, self.root)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """The CIFAR-100 dataset (fine labels), read from ``root/cifar-100-python``."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
