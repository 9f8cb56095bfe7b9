"""weights=/pretrained= handling for numtorch.vision.models: local checkpoint files, named weights offline."""
import os
import warnings

import numtorch

_HUB = "https://download.pytorch.org/models/"

# torchvision's weight enums: model name -> (enum class name, {weights name: file}, default name)
_WEIGHTS = {
    "alexnet": ("AlexNet_Weights", {"IMAGENET1K_V1": "alexnet-owt-7be5be79.pth"}, "IMAGENET1K_V1"),
    "vgg11": ("VGG11_Weights", {"IMAGENET1K_V1": "vgg11-8a719046.pth"}, "IMAGENET1K_V1"),
    "vgg11_bn": ("VGG11_BN_Weights", {"IMAGENET1K_V1": "vgg11_bn-6002323d.pth"}, "IMAGENET1K_V1"),
    "vgg13": ("VGG13_Weights", {"IMAGENET1K_V1": "vgg13-19584684.pth"}, "IMAGENET1K_V1"),
    "vgg13_bn": ("VGG13_BN_Weights", {"IMAGENET1K_V1": "vgg13_bn-abd245e5.pth"}, "IMAGENET1K_V1"),
    "vgg16": ("VGG16_Weights", {"IMAGENET1K_V1": "vgg16-397923af.pth",
                                "IMAGENET1K_FEATURES": "vgg16_features-amdegroot-88682ab5.pth"},
              "IMAGENET1K_V1"),
    "vgg16_bn": ("VGG16_BN_Weights", {"IMAGENET1K_V1": "vgg16_bn-6c64b313.pth"}, "IMAGENET1K_V1"),
    "vgg19": ("VGG19_Weights", {"IMAGENET1K_V1": "vgg19-dcbb9e9d.pth"}, "IMAGENET1K_V1"),
    "vgg19_bn": ("VGG19_BN_Weights", {"IMAGENET1K_V1": "vgg19_bn-c79401a0.pth"}, "IMAGENET1K_V1"),
    "densenet121": ("DenseNet121_Weights", {"IMAGENET1K_V1": "densenet121-a639ec97.pth"}, "IMAGENET1K_V1"),
    "densenet161": ("DenseNet161_Weights", {"IMAGENET1K_V1": "densenet161-8d451a50.pth"}, "IMAGENET1K_V1"),
    "densenet169": ("DenseNet169_Weights", {"IMAGENET1K_V1": "densenet169-b2777c0a.pth"}, "IMAGENET1K_V1"),
    "densenet201": ("DenseNet201_Weights", {"IMAGENET1K_V1": "densenet201-c1103571.pth"}, "IMAGENET1K_V1"),
    "googlenet": ("GoogLeNet_Weights", {"IMAGENET1K_V1": "googlenet-1378be20.pth"}, "IMAGENET1K_V1"),
    "inception_v3": ("Inception_V3_Weights", {"IMAGENET1K_V1": "inception_v3_google-0cc3c7bd.pth"},
                     "IMAGENET1K_V1"),
    "resnet18": ("ResNet18_Weights", {"IMAGENET1K_V1": "resnet18-f37072fd.pth"}, "IMAGENET1K_V1"),
    "resnet34": ("ResNet34_Weights", {"IMAGENET1K_V1": "resnet34-b627a593.pth"}, "IMAGENET1K_V1"),
    "resnet50": ("ResNet50_Weights", {"IMAGENET1K_V1": "resnet50-0676ba61.pth",
                                      "IMAGENET1K_V2": "resnet50-11ad3fa6.pth"}, "IMAGENET1K_V2"),
    "resnet101": ("ResNet101_Weights", {"IMAGENET1K_V1": "resnet101-63fe2227.pth",
                                        "IMAGENET1K_V2": "resnet101-cd907fc2.pth"}, "IMAGENET1K_V2"),
    "resnet152": ("ResNet152_Weights", {"IMAGENET1K_V1": "resnet152-394f9c45.pth",
                                        "IMAGENET1K_V2": "resnet152-f82ba261.pth"}, "IMAGENET1K_V2"),
    "resnext50_32x4d": ("ResNeXt50_32X4D_Weights", {"IMAGENET1K_V1": "resnext50_32x4d-7cdf4587.pth",
                                                    "IMAGENET1K_V2": "resnext50_32x4d-1a0047aa.pth"},
                        "IMAGENET1K_V2"),
    "resnext101_32x8d": ("ResNeXt101_32X8D_Weights", {"IMAGENET1K_V1": "resnext101_32x8d-8ba56ff5.pth",
                                                      "IMAGENET1K_V2": "resnext101_32x8d-110c445d.pth"},
                         "IMAGENET1K_V2"),
    "resnext101_64x4d": ("ResNeXt101_64X4D_Weights", {"IMAGENET1K_V1": "resnext101_64x4d-173b62eb.pth"},
                         "IMAGENET1K_V1"),
    "wide_resnet101_2": ("Wide_ResNet101_2_Weights", {"IMAGENET1K_V1": "wide_resnet101_2-32ee1156.pth",
                                                      "IMAGENET1K_V2": "wide_resnet101_2-d733dc28.pth"},
                         "IMAGENET1K_V2"),
    "wide_resnet50_2": ("Wide_ResNet50_2_Weights", {"IMAGENET1K_V1": "wide_resnet50_2-95faca4d.pth",
                                                    "IMAGENET1K_V2": "wide_resnet50_2-9ba9bcbe.pth"},
                        "IMAGENET1K_V2"),
    "mobilenet_v2": ("MobileNet_V2_Weights", {"IMAGENET1K_V1": "mobilenet_v2-b0353104.pth",
                                              "IMAGENET1K_V2": "mobilenet_v2-7ebf99e0.pth"}, "IMAGENET1K_V2"),
    "squeezenet1_0": ("SqueezeNet1_0_Weights", {"IMAGENET1K_V1": "squeezenet1_0-b66bff10.pth"},
                      "IMAGENET1K_V1"),
    "squeezenet1_1": ("SqueezeNet1_1_Weights", {"IMAGENET1K_V1": "squeezenet1_1-b8a52dc0.pth"},
                      "IMAGENET1K_V1"),
}

# Named ImageNet weights have 1000 classes; legacy pretrained=True picks the first weights torchvision had.
_IMAGENET_CLASSES = 1000


def _overwrite_named_param(kwargs, param, new_value):
    if param in kwargs and kwargs[param] != new_value:
        raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} "
                         "instead.")
    kwargs[param] = new_value


def _named_weights(model, weights):
    enum_name, files, default = _WEIGHTS.get(model, ("", {}, None))
    key = weights[len(enum_name) + 1:] if weights.startswith(enum_name + ".") else weights
    key = default if key == "DEFAULT" else key
    return files.get(key)


def _weights_source(model, weights, kwargs):
    """Resolve ``weights``/legacy ``pretrained`` into ("path"|"url", location) or None; adjusts kwargs."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, "
                      "please use 'weights' instead.")
        if weights is None and isinstance(pretrained, (str, os.PathLike)):
            weights = pretrained
        elif weights is None and pretrained:
            enum_name, files, _ = _WEIGHTS.get(model, ("", {}, None))
            first = next(iter(files), "DEFAULT")
            warnings.warn("Arguments other than a weight enum or `None` for 'weights' are deprecated since "
                          "0.13 and may be removed in the future. The current behavior is equivalent to "
                          f"passing `weights={enum_name}.{first}`. You can also use "
                          f"`weights={enum_name}.DEFAULT` to get the most up-to-date weights.")
            weights = first
    if weights is None:
        return None
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError("weights must be None, a weights name or a checkpoint path, "
                        f"got {type(weights).__name__}")
    if os.path.isfile(weights):
        return "path", os.fspath(weights)
    filename = _named_weights(model, os.fspath(weights))
    if filename is None:
        raise FileNotFoundError(f"weights={weights!r} is neither a checkpoint file nor a weights name "
                                f"of {model}")
    _overwrite_named_param(kwargs, "num_classes", _IMAGENET_CLASSES)
    return "url", _HUB + filename


def _hub_checkpoint_dir():
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch")
    return os.path.join(torch_home, "hub", "checkpoints")


def _load_weights(model, source, remap=None):
    """Load the state dict named by ``source`` (see _weights_source) into ``model``; return the model.

    ``remap`` rewrites the loaded state dict first (old checkpoint key names)."""
    if source is None:
        return model
    kind, where = source
    if kind == "url":
        from ..datasets.utils import download_url
        cache = _hub_checkpoint_dir()
        try:
            where = download_url(where, cache)
        except RuntimeError as err:
            raise RuntimeError(f"Could not download the pretrained weights {where} "
                               f"({err.__cause__ or err}). Download the file elsewhere and either put it in "
                               f"{cache} or pass its path as weights='/path/to/{os.path.basename(where)}'."
                               ) from err
    if not hasattr(numtorch, "load"):
        raise RuntimeError("loading a checkpoint needs numtorch.load, which this numtorch build lacks")
    state_dict = numtorch.load(where, map_location="cpu", weights_only=True)
    model.load_state_dict(state_dict if remap is None else remap(state_dict))
    return model
