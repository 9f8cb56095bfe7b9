"""``Binomial`` and ``NegativeBinomial``: counts of Bernoulli successes, given ``total_count``."""
import numtorch
from ..nn.functional import logsigmoid
from . import constraints
from ._params import _ParamOwner
from .bernoulli import _BinaryParams
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all, lazy_property

__all__ = ["Binomial", "NegativeBinomial"]


def _clamp_by_zero(x):
    # max(x, 0) whose gradient at 0 is 1/2, as torch's formula has it
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class _CountParams(_ParamOwner, _BinaryParams, Distribution):
    """Shared parameter handling: ``total_count`` broadcast with one of ``probs``/``logits``."""

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        name = "probs" if probs is not None else "logits"
        count, param = broadcast_all(total_count, probs if probs is not None else logits)
        self.total_count = count.type_as(param)
        setattr(self, name, param)
        self._param = param
        super().__init__(param.size(), validate_args=validate_args)

    def _expand_counts(self, cls, batch_shape, _instance):
        return self._expand_with_param(cls, batch_shape, ("total_count", "probs", "logits"), _instance)


class Binomial(_CountParams):
    """Binomial distribution: successes in ``total_count`` trials of probability ``probs``."""

    arg_constraints = {"total_count": constraints.nonnegative_integer, "probs": constraints.unit_interval,
                       "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        super().__init__(total_count, probs, logits, validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_counts(Binomial, batch_shape, _instance)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        with numtorch.no_grad():
            return numtorch.binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_factorial_n = numtorch.lgamma(n + 1)
        log_factorial_k = numtorch.lgamma(value + 1)
        log_factorial_nmk = numtorch.lgamma(n - value + 1)
        # log(1 + exp(logits)) * n, split so that neither sign of the logits overflows
        softplus_tail = numtorch.log1p(numtorch.exp(-numtorch.abs(self.logits)))
        normalize_term = n * _clamp_by_zero(self.logits) + n * softplus_tail - log_factorial_n
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def _homogeneous_count(self, what):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{what}`.")
        return total_count

    def entropy(self):
        self._homogeneous_count("entropy")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(numtorch.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = self._homogeneous_count("enumerate_support")
        values = numtorch.arange(1 + total_count, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values


class NegativeBinomial(_CountParams):
    """Negative binomial: failures before ``total_count`` successes, success probability ``1 - probs``."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}
    support = constraints.nonnegative_integer

    def expand(self, batch_shape, _instance=None):
        return self._expand_counts(NegativeBinomial, batch_shape, _instance)

    @property
    def mean(self):
        return self.total_count * numtorch.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / numtorch.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=numtorch.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=numtorch.Size()):
        # A Gamma-Poisson mixture: Poisson counts at Gamma-distributed rates.
        with numtorch.no_grad():
            return numtorch.poisson(self._gamma.sample(sample_shape=sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        n = self.total_count
        log_unnormalized = n * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        log_norm = -numtorch.lgamma(n + value) + numtorch.lgamma(1.0 + value) + numtorch.lgamma(n)
        log_norm = log_norm.masked_fill(n + value == 0.0, 0.0)
        return log_unnormalized - log_norm
