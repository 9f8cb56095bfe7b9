"""DenseNet-121/161/169/201 with torchvision's layout, state-dict keys and init."""
import re
from collections import OrderedDict

import numtorch
from ... import nn
from ...nn import functional as F
from ._utils import _load_weights, _weights_source

__all__ = ["DenseNet", "densenet121", "densenet161", "densenet169", "densenet201"]

# Old checkpoints name e.g. "denselayer1.norm.1.weight" what is now "denselayer1.norm1.weight".
_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\."
                      r"((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def _rename_old_keys(state_dict):
    renamed = OrderedDict()
    for key, value in state_dict.items():
        match = _OLD_KEY.match(key)
        renamed[match.group(1) + match.group(2) if match else key] = value
    return renamed


class _DenseLayer(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1,
                               bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1,
                               bias=False)
        self.drop_rate = float(drop_rate)
        # numtorch has no activation checkpointing: memory_efficient changes memory use only, so the
        # flag is kept for API compatibility and the bottleneck is always computed directly
        self.memory_efficient = memory_efficient

    def bn_function(self, inputs):
        return self.conv1(self.relu1(self.norm1(numtorch.cat(inputs, 1))))

    def forward(self, input):
        prev_features = [input] if isinstance(input, numtorch.Tensor) else input
        new_features = self.conv2(self.relu2(self.norm2(self.bn_function(prev_features))))
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    _version = 2

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate,
                 memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate,
                                bn_size=bn_size, drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return numtorch.cat(features, 1)


class _Transition(nn.Sequential):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    """DenseNet-BC from "Densely Connected Convolutional Networks"."""

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4,
                 drop_rate=0, num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers=num_layers, num_input_features=num_features, bn_size=bn_size,
                                growth_rate=growth_rate, drop_rate=drop_rate,
                                memory_efficient=memory_efficient)
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(num_features, num_features // 2))
                num_features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x), inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        return self.classifier(numtorch.flatten(out, 1))


def _builder(name, growth_rate, block_config, num_init_features, title):
    def build(*, weights=None, progress=True, **kwargs):
        source = _weights_source(name, weights, kwargs)
        model = DenseNet(growth_rate, block_config, num_init_features, **kwargs)
        return _load_weights(model, source, remap=_rename_old_keys)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{title}; ``weights`` is a local checkpoint path or a torchvision weights name."
    return build


densenet121 = _builder("densenet121", 32, (6, 12, 24, 16), 64, "DenseNet-121")
densenet161 = _builder("densenet161", 48, (6, 12, 36, 24), 96, "DenseNet-161")
densenet169 = _builder("densenet169", 32, (6, 12, 32, 32), 64, "DenseNet-169")
densenet201 = _builder("densenet201", 32, (6, 12, 48, 32), 64, "DenseNet-201")
