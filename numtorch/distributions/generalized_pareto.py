"""``GeneralizedPareto``: the peaks-over-threshold distribution with ``loc``, ``scale``, ``concentration``."""
import math

import numtorch
from . import constraints
from .distribution import Distribution
from .utils import _params_and_shape

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """Generalized Pareto distribution; ``concentration`` 0 is the exponential limit."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        params, batch_shape = _params_and_shape(loc, scale, concentration)
        self.loc, self.scale, self.concentration = params
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        names = ("loc", "scale", "concentration")
        return self._expand_params(GeneralizedPareto, batch_shape, names, _instance)

    def rsample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        return self.icdf(numtorch.rand(shape, dtype=self.loc.dtype, device=self.loc.device))

    def _safe_concentration(self, zero=None):
        """(concentration == 0 mask, concentration with those zeros replaced by 1)."""
        c = self.concentration
        # log_prob and the survival function compare with a default-dtype 0, as torch does
        eq_zero = numtorch.isclose(c, numtorch.zeros_like(c) if zero is None else zero)
        return eq_zero, numtorch.where(eq_zero, numtorch.ones_like(c), c)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe = self._safe_concentration(numtorch.tensor(0.0))
        y = 1 / safe + numtorch.ones_like(z)
        where_nonzero = numtorch.where(y == 0, y, y * numtorch.log1p(safe * z))
        return -self.scale.log() - numtorch.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value):
        """log(1 - CDF(value))."""
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe = self._safe_concentration(numtorch.tensor(0.0))
        return numtorch.where(eq_zero, -z, -numtorch.log1p(safe * z) / safe)

    def log_cdf(self, value):
        """log CDF(value)."""
        return numtorch.log1p(-numtorch.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return numtorch.exp(self.log_cdf(value))

    def icdf(self, value):
        eq_zero, safe = self._safe_concentration()
        logu = numtorch.log1p(-value)
        where_nonzero = self.loc + self.scale / safe * numtorch.expm1(-safe * logu)
        return numtorch.where(eq_zero, self.loc - self.scale * logu, where_nonzero)

    def _z(self, x):
        return (x - self.loc) / self.scale

    @property
    def mean(self):
        valid = self.concentration < 1
        safe = numtorch.where(valid, self.concentration, 0.5)
        return numtorch.where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        safe = numtorch.where(valid, self.concentration, 0.25)
        return numtorch.where(valid, self.scale ** 2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    def entropy(self):
        return numtorch.broadcast_to(numtorch.log(self.scale) + self.concentration + 1, self._batch_shape)

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = numtorch.where(self.concentration < 0, lower - self.scale / self.concentration, math.inf)
        return constraints.interval(lower, upper)
