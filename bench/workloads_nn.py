"""Training and inference steps of small networks (issue 6), numtorch against torch on the same data."""
import numpy as np

from harness import workload


def _ratio_at_most(limit):
    return lambda t: t["numtorch"] <= limit * t["torch"]


def _lenet(nn):
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _resnet8(nn):
    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            idt = x if self.down is None else self.down(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + idt)

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def _train_step(lib, model, opt, x, y):
    def step():
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def _data(lib, shape, classes=10):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(shape).astype("float32"))
    y = lib.tensor(rng.integers(0, classes, shape[0]))
    return x, y


@workload("MLP 784-256-256-10 train step b128 SGD(momentum)", target="ratio <= 1.2",
          check=_ratio_at_most(1.2))
def mlp_train(lib):
    lib.manual_seed(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(lib, model, opt, *_data(lib, (128, 784)))


@workload("LeNet train step b64 3x32x32 Adam", target="ratio <= 1.5", check=_ratio_at_most(1.5))
def lenet_train(lib):
    lib.manual_seed(0)
    model = _lenet(lib.nn)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step(lib, model, opt, *_data(lib, (64, 3, 32, 32)))


@workload("ResNet-8 train step b32 3x32x32 SGD(momentum)", target="ratio <= 1.5", check=_ratio_at_most(1.5),
          max_repeat=7)
def resnet8_train(lib):
    lib.manual_seed(0)
    model = _resnet8(lib.nn)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(lib, model, opt, *_data(lib, (32, 3, 32, 32)))


@workload("LeNet inference b256 no_grad", target="ratio <= 1.3", check=_ratio_at_most(1.3))
def lenet_infer(lib):
    lib.manual_seed(0)
    model = _lenet(lib.nn).eval()
    x, _ = _data(lib, (256, 3, 32, 32))

    def step():
        with lib.no_grad():
            model(x)
    return step
