"""``Cauchy``: the Cauchy (Lorentz) distribution with ``loc`` and ``scale``."""
import math

import numtorch
from ._loc_scale import _LocScale
from .distribution import Distribution

__all__ = ["Cauchy"]


class Cauchy(_LocScale, Distribution):
    """Cauchy distribution: the ratio of independent zero-mean normals, shifted and scaled."""

    @property
    def mean(self):
        return numtorch.full(self._extended_shape(), math.nan, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def variance(self):
        return numtorch.full(self._extended_shape(), math.inf, dtype=self.loc.dtype, device=self.loc.device)

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        eps = self._new_sample(shape).cauchy_()
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return numtorch.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return numtorch.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()
