"""VisionDataset: the base of numtorch.vision's datasets, as in torchvision."""
import os

from ...utils.data import Dataset

__all__ = ["VisionDataset", "StandardTransform"]


class VisionDataset(Dataset):
    """Base class for datasets compatible with numtorch.vision."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        separate = transform is not None or target_transform is not None
        if transforms is not None and separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        pad = " " * self._repr_indent
        return "\n".join(["Dataset " + type(self).__name__] + [pad + line for line in body])

    def _format_transform_repr(self, transform, head):
        return _indent_repr(transform, head)

    def extra_repr(self):
        return ""

    def _apply_transforms(self, img, target):
        # the transform/target_transform pair every concrete dataset applies, as StandardTransform does
        return StandardTransform.__call__(self, img, target)


def _indent_repr(transform, head):
    lines = repr(transform).splitlines()
    return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head):
        return _indent_repr(transform, head)

    def __repr__(self):
        body = [type(self).__name__]
        if self.transform is not None:
            body += _indent_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _indent_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)
