"""GoogLeNet (Inception v1) with torchvision's layout, state-dict keys and init."""
import warnings
from collections import namedtuple

import numtorch
from ... import nn
from ...nn import functional as F
from ._utils import _load_weights, _overwrite_named_param, _weights_source

__all__ = ["GoogLeNet", "GoogLeNetOutputs", "googlenet"]

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


def _imagenet_to_half_range(x):
    # Re-normalise an ImageNet-normalised batch to the (x - 0.5) / 0.5 scaling the ported weights expect.
    chans = [numtorch.unsqueeze(x[:, c], 1) * (std / 0.5) + (mean - 0.5) / 0.5
             for c, (mean, std) in enumerate(((0.485, 0.229), (0.456, 0.224), (0.406, 0.225)))]
    return numtorch.cat(chans, 1)


def _resolve_init_weights(init_weights, name):
    if init_weights is None:
        warnings.warn(f"The default weight initialization of {name} will be changed in future releases of "
                      "torchvision. If you wish to keep the old behavior (which leads to long initialization "
                      "times due to scipy/scipy#11299), please set init_weights=True.", FutureWarning)
        return True
    return init_weights


def _trunc_normal_init(model, default_std):
    # a module's own ``stddev`` attribute overrides the default, as torchvision's Inception heads set it
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            std = float(m.stddev) if hasattr(m, "stddev") else default_std
            nn.init.trunc_normal_(m.weight, mean=0.0, std=std, a=-2, b=2)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)


def _named_weights_overrides(kwargs):
    # torchvision's ImageNet checkpoints carry the aux heads and expect transform_input
    if "transform_input" not in kwargs:
        _overwrite_named_param(kwargs, "transform_input", True)
    _overwrite_named_param(kwargs, "aux_logits", True)
    _overwrite_named_param(kwargs, "init_weights", False)


class BasicConv2d(nn.Module):
    """Conv2d without bias, BatchNorm2d (eps 1e-3), ReLU."""

    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)), inplace=True)


class Inception(nn.Module):
    """Four parallel branches (1x1; 1x1-3x3; 1x1-3x3; pool-1x1) concatenated on channels."""

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, conv_block=None):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.branch1 = conv_block(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(conv_block(in_channels, ch3x3red, kernel_size=1),
                                     conv_block(ch3x3red, ch3x3, kernel_size=3, padding=1))
        # torchvision's "5x5" branch uses a 3x3 kernel, kept for checkpoint compatibility
        self.branch3 = nn.Sequential(conv_block(in_channels, ch5x5red, kernel_size=1),
                                     conv_block(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
                                     conv_block(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        return numtorch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    """The auxiliary classifier attached to intermediate features during training."""

    def __init__(self, in_channels, num_classes, conv_block=None, dropout=0.7):
        super().__init__()
        conv_block = BasicConv2d if conv_block is None else conv_block
        self.conv = conv_block(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        x = numtorch.flatten(self.conv(F.adaptive_avg_pool2d(x, (4, 4))), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x), inplace=True)))


class GoogLeNet(nn.Module):
    """GoogLeNet from "Going Deeper with Convolutions"."""

    def __init__(self, num_classes=1000, aux_logits=True, transform_input=False, init_weights=None,
                 blocks=None, dropout=0.2, dropout_aux=0.7):
        super().__init__()
        blocks = [BasicConv2d, Inception, InceptionAux] if blocks is None else blocks
        init_weights = _resolve_init_weights(init_weights, "GoogleNet")
        if len(blocks) != 3:
            raise ValueError(f"blocks length should be 3 instead of {len(blocks)}")
        conv_block, inception_block, aux_block = blocks
        self.aux_logits = aux_logits
        self.transform_input = transform_input
        self.conv1 = conv_block(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = conv_block(64, 64, kernel_size=1)
        self.conv3 = conv_block(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = inception_block(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception_block(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = inception_block(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception_block(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception_block(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception_block(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception_block(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        self.inception5a = inception_block(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception_block(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = aux_block(512, num_classes, dropout=dropout_aux) if aux_logits else None
        self.aux2 = aux_block(528, num_classes, dropout=dropout_aux) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)
        if init_weights:
            _trunc_normal_init(self, 0.01)

    def _transform_input(self, x):
        return _imagenet_to_half_range(x) if self.transform_input else x

    def _forward(self, x):
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.inception4a(self.maxpool3(self.inception3b(self.inception3a(x))))
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception5b(self.inception5a(self.maxpool4(self.inception4e(x))))
        x = self.fc(self.dropout(numtorch.flatten(self.avgpool(x), 1)))
        return x, aux2, aux1

    def eager_outputs(self, x, aux2, aux1):
        return GoogLeNetOutputs(x, aux2, aux1) if self.training and self.aux_logits else x

    def forward(self, x):
        return self.eager_outputs(*self._forward(self._transform_input(x)))


def googlenet(*, weights=None, progress=True, **kwargs):
    """GoogLeNet; ``weights`` is a local checkpoint path or a torchvision weights name."""
    original_aux_logits = kwargs.get("aux_logits", False)
    source = _weights_source("googlenet", weights, kwargs)
    named = source is not None and source[0] == "url"
    if named:
        _named_weights_overrides(kwargs)
    model = _load_weights(GoogLeNet(**kwargs), source)
    if named:
        if not original_aux_logits:
            model.aux_logits = False
            model.aux1 = None
            model.aux2 = None
        else:
            warnings.warn("auxiliary heads in the pretrained googlenet model are NOT pretrained, "
                          "so make sure to train them")
    return model
