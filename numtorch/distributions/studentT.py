"""``StudentT``: Student's t distribution with ``df`` degrees of freedom, ``loc`` and ``scale``."""
import math

import numtorch
from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t distribution, sampled as ``loc + scale * X / sqrt(Z / df)``, X normal, Z chi-squared."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(StudentT, batch_shape, ("df", "loc", "scale"), _instance)
        new._chi2 = self._chi2.expand(new.batch_shape)
        return new

    @property
    def mean(self):
        m = self.loc.clone(memory_format=numtorch.contiguous_format)
        m[self.df <= 1] = math.nan
        return m

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        m = df.clone(memory_format=numtorch.contiguous_format)
        big = df > 2
        m[big] = self.scale[big].pow(2) * df[big] / (df[big] - 2)
        m[(df <= 2) & (df > 1)] = math.inf
        m[df <= 1] = math.nan
        return m

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        X = _standard_normal(shape, dtype=self.df.dtype, device=self.df.device)
        Z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (X * numtorch.rsqrt(Z / self.df))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + numtorch.lgamma(0.5 * self.df)
             - numtorch.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * numtorch.log1p(y ** 2.0 / self.df) - Z

    def entropy(self):
        half, half1 = 0.5 * self.df, 0.5 * (self.df + 1)
        lbeta = numtorch.lgamma(half) + math.lgamma(0.5) - numtorch.lgamma(half1)
        return (self.scale.log() + half1 * (numtorch.digamma(half1) - numtorch.digamma(half))
                + 0.5 * self.df.log() + lbeta)
