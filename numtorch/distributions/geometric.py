"""``Geometric``: the number of failures before the first success of Bernoulli trials."""

import numtorch
from ..nn.functional import binary_cross_entropy_with_logits
from . import constraints
from .distribution import Distribution
from .bernoulli import _BinaryParams
from .utils import _Number, _set_probs_or_logits, broadcast_all

__all__ = ["Geometric"]


class Geometric(_BinaryParams, Distribution):
    """Geometric distribution over ``{0, 1, ...}`` with success probability ``probs``."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        given, _ = _set_probs_or_logits(self, probs, logits)
        batch_shape = numtorch.Size() if isinstance(given, _Number) else given.size()
        super().__init__(batch_shape, validate_args=validate_args)
        # The unit interval admits 0, which has no geometric distribution.
        if self._validate_args and probs is not None:
            valid = self.probs > 0
            if not valid.all():
                bad = self.probs.data[~valid]
                raise ValueError(f"Expected parameter probs ({type(self.probs).__name__} of shape "
                                 f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                                 f"found invalid values:\n{bad}")

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Geometric, batch_shape, ("probs", "logits"), _instance)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return numtorch.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=numtorch.Size()):
        shape = self._extended_shape(sample_shape)
        tiny = numtorch.finfo(self.probs.dtype).tiny
        with numtorch.no_grad():
            u = numtorch.empty(shape, dtype=self.probs.dtype, device=self.probs.device).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        # p == 1 and k == 0 would give 0 * log(0); torch zeroes that p so the term vanishes.
        probs = probs.clone(memory_format=numtorch.contiguous_format)
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
