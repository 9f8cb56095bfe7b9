"""``ContinuousBernoulli``: the normalized Bernoulli density extended to [0, 1]."""
import math

import numtorch
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from ._params import _ParamOwner
from .exp_family import ExponentialFamily
from .utils import _Number, broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(_ParamOwner, ExponentialFamily):
    """Continuous Bernoulli distribution on [0, 1]; near probs = 0.5 torch switches to Taylor series."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            given = probs
            (self.probs,) = broadcast_all(probs)
            # torch checks explicitly here because the clamp below would hide invalid values
            if validate_args is not None and not self.arg_constraints["probs"].check(self.probs).all():
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            given = logits
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = numtorch.Size() if isinstance(given, _Number) else self._param.size()
        self._lims = lims
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_with_param(ContinuousBernoulli, batch_shape, ("probs", "logits"), _instance)
        new._lims = self._lims
        return new

    def _outside_unstable_region(self):
        return numtorch.max(numtorch.le(self.probs, self._lims[0]), numtorch.gt(self.probs, self._lims[1]))

    def _cut_probs(self):
        return numtorch.where(self._outside_unstable_region(), self.probs,
                              self._lims[0] * numtorch.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        """Log of the normalizing constant, with a Taylor expansion around probs = 0.5."""
        cut = self._cut_probs()
        below = numtorch.where(numtorch.le(cut, 0.5), cut, numtorch.zeros_like(cut))
        above = numtorch.where(numtorch.ge(cut, 0.5), cut, numtorch.ones_like(cut))
        log_norm = (numtorch.log(numtorch.abs(numtorch.log1p(-cut) - numtorch.log(cut)))
                    - numtorch.where(numtorch.le(cut, 0.5), numtorch.log1p(-2.0 * below),
                                     numtorch.log(2.0 * above - 1.0)))
        x = numtorch.pow(self.probs - 0.5, 2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return numtorch.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (numtorch.log1p(-cut) - numtorch.log(cut))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * numtorch.pow(x, 2)) * x
        return numtorch.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return numtorch.sqrt(self.variance)

    @property
    def variance(self):
        cut = self._cut_probs()
        vars_ = (cut * (cut - 1.0) / numtorch.pow(1.0 - 2.0 * cut, 2)
                 + 1.0 / numtorch.pow(numtorch.log1p(-cut) - numtorch.log(cut), 2))
        x = numtorch.pow(self.probs - 0.5, 2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return numtorch.where(self._outside_unstable_region(), vars_, taylor)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def sample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        u = numtorch.rand(shape, dtype=self.probs.dtype, device=self.probs.device)
        with numtorch.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        return self.icdf(numtorch.rand(shape, dtype=self.probs.dtype, device=self.probs.device))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none") + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = ((numtorch.pow(cut, value) * numtorch.pow(1.0 - cut, 1.0 - value) + cut - 1.0)
                / (2.0 * cut - 1.0))
        unbounded = numtorch.where(self._outside_unstable_region(), cdfs, value)
        return numtorch.where(numtorch.le(value, 0.0), numtorch.zeros_like(value),
                              numtorch.where(numtorch.ge(value, 1.0), numtorch.ones_like(value), unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inverted = ((numtorch.log1p(-cut + value * (2.0 * cut - 1.0)) - numtorch.log1p(-cut))
                    / (numtorch.log(cut) - numtorch.log1p(-cut)))
        return numtorch.where(self._outside_unstable_region(), inverted, value)

    def entropy(self):
        log_probs0 = numtorch.log1p(-self.probs)
        log_probs1 = numtorch.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        unstable = numtorch.max(numtorch.le(x, self._lims[0] - 0.5), numtorch.gt(x, self._lims[1] - 0.5))
        cut = numtorch.where(unstable, x, (self._lims[0] - 0.5) * numtorch.ones_like(x))
        log_norm = numtorch.log(numtorch.abs(numtorch.special.expm1(cut))) - numtorch.log(numtorch.abs(cut))
        taylor = 0.5 * x + numtorch.pow(x, 2) / 24.0 - numtorch.pow(x, 4) / 2880.0
        return numtorch.where(unstable, log_norm, taylor)
