"""numtorch.vision.models: torchvision's classification models (plus LeNet-5), weights from local files."""
import fnmatch

from .alexnet import AlexNet, alexnet
from .densenet import DenseNet, densenet121, densenet161, densenet169, densenet201
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet
from .inception import Inception3, InceptionOutputs, inception_v3
from .lenet import LeNet, lenet
from .mobilenetv2 import MobileNetV2, mobilenet_v2
from .resnet import (ResNet, resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d,
                     resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2)
from .squeezenet import SqueezeNet, squeezenet1_0, squeezenet1_1
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn

_BUILDERS = {fn.__name__: fn for fn in (
    alexnet, densenet121, densenet161, densenet169, densenet201, googlenet, inception_v3, lenet, mobilenet_v2,
    resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d,
    wide_resnet50_2, wide_resnet101_2, squeezenet1_0, squeezenet1_1, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16,
    vgg16_bn, vgg19, vgg19_bn)}


def list_models(module=None, include=None, exclude=None):
    """Return the sorted names of the available model builders, filtered by Unix-style patterns."""
    names = sorted(n for n, fn in _BUILDERS.items()
                   if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__)
    if include is not None:
        pats = [include] if isinstance(include, str) else include
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in pats)]
    if exclude is not None:
        pats = [exclude] if isinstance(exclude, str) else exclude
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in pats)]
    return names


def get_model_builder(name):
    """Return the builder function of the model called ``name``."""
    name = name.lower()
    if name not in _BUILDERS:
        raise ValueError(f"Unknown model {name}")
    return _BUILDERS[name]


def get_model(name, **config):
    """Build the model called ``name`` with the given keyword arguments."""
    return get_model_builder(name)(**config)


__all__ = ["AlexNet", "DenseNet", "GoogLeNet", "GoogLeNetOutputs", "Inception3", "InceptionOutputs", "LeNet",
           "MobileNetV2", "ResNet", "SqueezeNet", "VGG", "get_model", "get_model_builder", "list_models",
           *_BUILDERS]
