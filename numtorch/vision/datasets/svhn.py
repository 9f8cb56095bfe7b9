"""The SVHN dataset read from the official .mat files (SciPy needed), as in torchvision."""
import os

import numpy as np

from .utils import _offline_error, _pil_image, download_url, verify_str_arg
from .vision import VisionDataset

__all__ = ["SVHN"]


class SVHN(VisionDataset):
    """The Street View House Numbers dataset (cropped digits), read from ``root/<split>_32x32.mat``."""

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root, split="train", transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        try:
            import scipy.io as sio
        except ImportError as err:
            raise ImportError("SVHN reads .mat files with SciPy: pip install scipy") from err
        loaded = sio.loadmat(os.path.join(self.root, self.filename))
        self.data = np.transpose(loaded["X"], (3, 2, 0, 1))
        # SVHN labels the digit 0 as 10; losses expect classes 0..9
        labels = loaded["y"].astype(np.int64).squeeze()
        self.labels = np.where(labels == 10, 0, labels)

    def __getitem__(self, index):
        img = _pil_image().fromarray(np.transpose(self.data[index], (1, 2, 0)))
        return self._apply_transforms(img, int(self.labels[index]))

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        return os.path.isfile(os.path.join(self.root, self.filename))

    def download(self):
        """Download the split's .mat file (short timeout) unless it is already in ``root``."""
        if self._check_integrity():
            return
        try:
            download_url(self.url, self.root, self.filename, self.file_md5)
        except RuntimeError as err:
            dest = os.path.join(self.root, self.filename)
            raise _offline_error("SVHN", [(self.url, dest)], err.__cause__ or err) from err

    def extra_repr(self):
        return f"Split: {self.split}"
