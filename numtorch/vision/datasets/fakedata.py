"""FakeData: random images that depend only on their index, as in torchvision."""
import numtorch
from .utils import _pil_image
from .vision import VisionDataset

__all__ = ["FakeData"]

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


class FakeData(VisionDataset):
    """A dataset of random PIL images; item ``i`` is drawn with seed ``i + random_offset``."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        # Seeding the global generator reproduces torchvision's draws; the caller's state is restored.
        state = numtorch.get_rng_state()
        numtorch.manual_seed(index + self.random_offset)
        img = numtorch.randn(*self.image_size)
        target = numtorch.randint(0, self.num_classes, size=(1,), dtype=numtorch.long)[0]
        numtorch.set_rng_state(state)
        channels = img.shape[0]
        if channels not in _MODES:
            raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
        arr = img.mul(255).byte().permute(1, 2, 0).numpy()
        pil = _pil_image().fromarray(arr[:, :, 0] if channels == 1 else arr, _MODES[channels])
        img, target = self._apply_transforms(pil, target)
        return img, target.item()

    def __len__(self):
        return self.size
