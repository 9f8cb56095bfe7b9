"""Padding layers: constant/zero, reflection, replication and circular padding for 1-3 spatial dims."""
from .. import functional as F
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
           "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]

_MOD = "numtorch.nn.modules.padding"


def _sides(padding, n):
    if isinstance(padding, (list, tuple)):
        return tuple(padding)
    return (padding,) * (2 * n)


class _PadNd(Module):
    __constants__ = ["padding"]
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, self._n)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value):
        super().__init__()
        self.padding = _sides(padding, self._n)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


def _layer(name, base, n, doc, **attrs):
    cls = type(name, (base,), {"__module__": _MOD, "__doc__": doc, "_n": n, **attrs})
    return cls


ReflectionPad1d = _layer("ReflectionPad1d", _PadNd, 1, "Pads the input tensor using the reflection of the "
                         "input boundary.", _mode="reflect")
ReflectionPad2d = _layer("ReflectionPad2d", _PadNd, 2, ReflectionPad1d.__doc__, _mode="reflect")
ReflectionPad3d = _layer("ReflectionPad3d", _PadNd, 3, ReflectionPad1d.__doc__, _mode="reflect")
ReplicationPad1d = _layer("ReplicationPad1d", _PadNd, 1, "Pads the input tensor using replication of the "
                          "input boundary.", _mode="replicate")
ReplicationPad2d = _layer("ReplicationPad2d", _PadNd, 2, ReplicationPad1d.__doc__, _mode="replicate")
ReplicationPad3d = _layer("ReplicationPad3d", _PadNd, 3, ReplicationPad1d.__doc__, _mode="replicate")
CircularPad1d = _layer("CircularPad1d", _PadNd, 1, "Pads the input tensor using circular padding of the "
                       "input boundary.", _mode="circular")
CircularPad2d = _layer("CircularPad2d", _PadNd, 2, CircularPad1d.__doc__, _mode="circular")
CircularPad3d = _layer("CircularPad3d", _PadNd, 3, CircularPad1d.__doc__, _mode="circular")
ConstantPad1d = _layer("ConstantPad1d", _ConstantPadNd, 1, "Pads the input tensor boundaries with a constant "
                       "value.")
ConstantPad2d = _layer("ConstantPad2d", _ConstantPadNd, 2, ConstantPad1d.__doc__)
ConstantPad3d = _layer("ConstantPad3d", _ConstantPadNd, 3, ConstantPad1d.__doc__)


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


ZeroPad1d = _layer("ZeroPad1d", _ZeroPadNd, 1, "Pads the input tensor boundaries with zero.")
ZeroPad2d = _layer("ZeroPad2d", _ZeroPadNd, 2, ZeroPad1d.__doc__)
ZeroPad3d = _layer("ZeroPad3d", _ZeroPadNd, 3, ZeroPad1d.__doc__)
