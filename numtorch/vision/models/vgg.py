"""VGG 11/13/16/19 (with and without batch norm) with torchvision's layout, state-dict keys and init."""
import numtorch
from ... import nn
from ._utils import _load_weights, _weights_source

__all__ = ["VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]

cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """VGG from "Very Deep Convolutional Networks for Large-Scale Image Recognition"."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(numtorch.flatten(x, 1))


def make_layers(cfg, batch_norm=False):
    """Build VGG's feature extractor from a config list (ints are conv widths, "M" is a 2x2 max pool)."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _vgg(name, cfg, batch_norm, weights, kwargs):
    source = _weights_source(name, weights, kwargs)
    if source is not None:
        # the checkpoint overwrites every tensor, so the (slow) random init is skipped as torchvision does
        kwargs["init_weights"] = False
    return _load_weights(VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs), source)


def _builder(name, cfg, batch_norm, title):
    def build(*, weights=None, progress=True, **kwargs):
        return _vgg(name, cfg, batch_norm, weights, kwargs)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{title}; ``weights`` is a local checkpoint path or a torchvision weights name."
    return build


vgg11 = _builder("vgg11", "A", False, "VGG-11")
vgg11_bn = _builder("vgg11_bn", "A", True, "VGG-11 with batch norm")
vgg13 = _builder("vgg13", "B", False, "VGG-13")
vgg13_bn = _builder("vgg13_bn", "B", True, "VGG-13 with batch norm")
vgg16 = _builder("vgg16", "D", False, "VGG-16")
vgg16_bn = _builder("vgg16_bn", "D", True, "VGG-16 with batch norm")
vgg19 = _builder("vgg19", "E", False, "VGG-19")
vgg19_bn = _builder("vgg19_bn", "E", True, "VGG-19 with batch norm")
