"""numtorch.vision.transforms: torchvision's v1 image transforms (PIL images and tensors)."""
from . import functional
from .autoaugment import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
from .autoaugment import __all__ as _auto_all
from .transforms import __all__ as _core_all

__all__ = _core_all + _auto_all
