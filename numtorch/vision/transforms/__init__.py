"""numtorch.vision.transforms: torchvision's v1 image transforms (PIL images and tensors)."""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__  # noqa: F401
