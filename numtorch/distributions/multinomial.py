"""``Multinomial``: counts over categories after ``total_count`` categorical draws."""
import math

import numtorch
from . import constraints
from ._params import _CategoricalWrapper
from .binomial import Binomial
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(_CategoricalWrapper, Distribution):
    """Multinomial distribution with an integer ``total_count`` and category ``probs``/``logits``."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = numtorch.Size(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    def sample(self, sample_shape=numtorch.Size()):
        sample_shape = numtorch.Size(sample_shape)
        samples = self._categorical.sample(numtorch.Size((self.total_count,)) + sample_shape)
        # the draw axis goes last so that scatter_add_ counts along it
        order = list(range(1, samples.dim())) + [0]
        samples = samples.permute(*order)
        counts = numtorch.zeros(self._extended_shape(sample_shape), dtype=samples.dtype,
                                device=samples.device)
        counts.scatter_add_(-1, samples, numtorch.ones_like(samples))
        return counts.type_as(self.probs)

    def entropy(self):
        n = numtorch.tensor(self.total_count)
        term1 = n * self._categorical.entropy() - numtorch.lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = numtorch.exp(self._binomial.log_prob(support))
        term2 = (binomial_probs * numtorch.lgamma(support + 1)).sum([0, -1])
        return term1 + term2

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = logits.clone(memory_format=numtorch.contiguous_format)
        log_factorial_n = numtorch.lgamma(value.sum(-1) + 1)
        log_factorial_xs = numtorch.lgamma(value + 1).sum(-1)
        # a category with zero probability and zero count contributes nothing (not -inf * 0)
        logits[(value == 0) & (logits == -math.inf)] = 0
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)
