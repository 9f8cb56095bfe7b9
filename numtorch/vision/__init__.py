"""numtorch.vision: torchvision's API (datasets, models, transforms, utils, io) on numtorch."""
from . import datasets, io, models, transforms, utils
