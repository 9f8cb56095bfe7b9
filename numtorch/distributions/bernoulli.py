"""``Bernoulli``: a 0/1 distribution given by ``probs`` or ``logits``."""
import math

import numtorch
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from ._params import _ParamOwner
from .exp_family import ExponentialFamily
from .utils import _Number, _set_probs_or_logits, broadcast_all, lazy_property, logits_to_probs
from .utils import probs_to_logits

__all__ = ["Bernoulli"]


class _BinaryParams:
    """Mixin: ``probs`` and ``logits`` (log-odds) of a binary event, each derived lazily from the other."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)


class Bernoulli(_ParamOwner, _BinaryParams, ExponentialFamily):
    """Bernoulli distribution: 1 with probability ``probs``, else 0."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        given, self._param = _set_probs_or_logits(self, probs, logits)
        param = self._param
        batch_shape = numtorch.Size() if isinstance(given, _Number) else param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_with_param(Bernoulli, batch_shape, ("probs", "logits"), _instance)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs)
        mode[self.probs == 0.5] = math.nan
        return mode

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        with numtorch.no_grad():
            return numtorch.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = numtorch.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values

    @property
    def _natural_params(self):
        return (numtorch.logit(self.probs),)

    def _log_normalizer(self, x):
        return numtorch.log1p(numtorch.exp(x))
