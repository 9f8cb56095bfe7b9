"""The handwritten digits numtorch bundles, for the examples, under numtorch's runner or real PyTorch.

Under ``python -m numtorch run`` the ``torchvision`` import below is numtorch.vision, which has the
``Digits`` dataset. Real torchvision has no such dataset, so under real PyTorch the examples borrow
numtorch's copy of the data (and only the data: the model and its training stay PyTorch's).
"""
import os

import torch

try:
    from torchvision.datasets import Digits
except ImportError:
    from numtorch.vision.datasets import Digits

__all__ = ["Digits", "atomic_write", "digits_images", "digits_tensors", "output_dir"]


def digits_images(train):
    """One split as ``(images, labels)``: uint8 ``N x 1 x 8 x 8`` images (0..255) and int64 class indices."""
    ds = Digits(train=train)
    # .numpy() round trip: under real PyTorch the dataset's tensors are numtorch's, not torch's.
    return torch.from_numpy(ds.data.numpy()).unsqueeze(1), torch.from_numpy(ds.targets.numpy())


def digits_tensors(train):
    """One split as ``(pixels, labels)``: float32 ``N x 64`` pixels in [0, 1] and int64 class indices."""
    images, labels = digits_images(train)
    return images.reshape(len(images), -1).float() / 255, labels


def output_dir(example, out=None):
    """Where an example writes its files: ``out`` if given, else ``$NUMTORCH_RUNS/<example>``
    (``./runs/<example>`` by default); created if missing."""
    path = out or os.path.join(os.environ.get("NUMTORCH_RUNS", "runs"), example)
    os.makedirs(path, exist_ok=True)
    return path


def atomic_write(path, write):
    """Call ``write(tmp_path)``, then move the finished file over ``path``: readers never see half a file."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
