"""``Laplace``: the double-exponential distribution with ``loc`` and ``scale``."""
import numtorch
from ._loc_scale import _LocScale
from .distribution import Distribution

__all__ = ["Laplace"]


class Laplace(_LocScale, Distribution):
    """Laplace distribution with location ``loc`` and scale ``scale``."""

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return 2 ** 0.5 * self.scale

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        # torch draws from [eps - 1, 1) so that log1p(-|u|) stays finite.
        eps = numtorch.finfo(self.loc.dtype).eps
        u = self._new_sample(shape).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * numtorch.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -numtorch.log(2 * self.scale) - numtorch.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        return 0.5 - 0.5 * diff.sign() * numtorch.expm1(-diff.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * numtorch.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + numtorch.log(2 * self.scale)
