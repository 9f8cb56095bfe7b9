"""``Gamma`` (shape ``concentration``, inverse scale ``rate``) and ``Chi2``."""
import numtorch
from .._ops.gamma import _standard_gamma
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _params_and_shape

__all__ = ["Chi2", "Gamma"]


class Gamma(ExponentialFamily):
    """Gamma distribution with shape ``concentration`` and rate ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        (self.concentration, self.rate), batch_shape = _params_and_shape(concentration, rate)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, ("concentration", "rate"), _instance)

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # Division by a large rate can underflow to 0, where log_prob is -inf; torch floors it in place.
        value.detach().clamp_(min=numtorch.finfo(value.dtype).tiny)
        return value

    def log_prob(self, value):
        value = numtorch.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (numtorch.xlogy(self.concentration, self.rate) + numtorch.xlogy(self.concentration - 1, value)
                - self.rate * value - numtorch.lgamma(self.concentration))

    def entropy(self):
        c = self.concentration
        return c - numtorch.log(self.rate) + numtorch.lgamma(c) + (1.0 - c) * numtorch.digamma(c)

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return numtorch.lgamma(x + 1) + (x + 1) * numtorch.log(-y.reciprocal())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return numtorch.special.gammainc(self.concentration, self.rate * value)


class Chi2(Gamma):
    """Chi-squared distribution with ``df`` degrees of freedom: ``Gamma(df / 2, 1 / 2)``."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2
