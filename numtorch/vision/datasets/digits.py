"""Digits: the UCI handwritten digits (1,797 8x8 images), bundled with numtorch so demos need no download.

Source: E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository (1998), https://doi.org/10.24432/C50P49, licensed CC BY 4.0. The copy shipped here is the
one scikit-learn bundles (its ``digits.csv.gz``, UCI's test file): 8x8 blocks counting "on" pixels, 0..16.

Split: a fixed permutation of the 1,797 samples (NumPy ``default_rng(0).permutation``, stored in the
file as ``order``); the first 1,437 form the training set and the last 360 the test set.
"""
import os

import numpy as np

import numtorch
from .utils import _pil_image
from .vision import VisionDataset

__all__ = ["Digits"]

_DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "digits.npz")
_NUM_TRAIN = 1437


class Digits(VisionDataset):
    """The UCI handwritten digits as 8x8 PIL 'L' images (0..255), with a fixed train/test split."""

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root=None, train=True, transform=None, target_transform=None):
        # root only shows in the repr, as for FakeData: the data ships inside the package
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        with np.load(_DATA_FILE) as f:
            images, labels, order = f["images"], f["labels"], f["order"]
        picked = order[:_NUM_TRAIN] if train else order[_NUM_TRAIN:]
        # 0..16 counts -> 0..255 grey levels, so 16 maps to white exactly
        scaled = np.rint(images[picked].astype(np.float64) * (255.0 / 16.0)).astype(np.uint8)
        self.data = numtorch.from_numpy(scaled)
        self.targets = numtorch.from_numpy(labels[picked].astype(np.int64))

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        img = _pil_image().fromarray(self.data.numpy()[index])
        return self._apply_transforms(img, int(self.targets[index]))

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"
