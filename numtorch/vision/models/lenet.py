"""LeNet-5, the classic small CNN (not in torchvision): conv 6@5x5, pool, conv 16@5x5, pool, fc 120-84."""
import numtorch
from ... import nn
from ...nn import functional as F
from ._utils import _load_weights, _weights_source

__all__ = ["LeNet", "lenet"]


class LeNet(nn.Module):
    """LeNet-5 for 32x32 inputs, laid out as the seed notes' ``Net`` (conv1, conv2, fc1, fc2, fc3)."""

    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = numtorch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def lenet(*, weights=None, progress=True, **kwargs):
    """LeNet-5; ``weights`` may be a local checkpoint path."""
    source = _weights_source("lenet", weights, kwargs)
    return _load_weights(LeNet(**kwargs), source)
