"""Convolution (issue 6): Conv2d 64->64 3x3 forward + backward on a 32x64x32x32 batch."""
from harness import workload


def _ratio_at_most(limit):
    return lambda t: t["numtorch"] <= limit * t["torch"]


@workload("Conv2d 64->64 3x3 fwd+bwd 32x64x32x32", target="ratio <= 1.5", check=_ratio_at_most(1.5),
          max_repeat=7)
def conv2d_train_step(lib):
    lib.manual_seed(0)
    layer = lib.nn.Conv2d(64, 64, 3, padding=1)
    x = lib.randn(32, 64, 32, 32, requires_grad=True)

    def step():
        layer.zero_grad()
        x.grad = None
        layer(x).sum().backward()
    return step


@workload("Conv2d 64->64 3x3 stride 2 fwd+bwd 32x64x32x32", target="report ratio", max_repeat=7)
def conv2d_strided_step(lib):
    lib.manual_seed(0)
    layer = lib.nn.Conv2d(64, 64, 3, stride=2, padding=1)
    x = lib.randn(32, 64, 32, 32, requires_grad=True)

    def step():
        layer.zero_grad()
        x.grad = None
        layer(x).sum().backward()
    return step
