"""``LKJCholesky``: the LKJ distribution over Cholesky factors of correlation matrices."""
import math

import numtorch
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """LKJ distribution over lower Cholesky factors of ``dim`` x ``dim`` correlation matrices."""

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        conc = self.concentration
        offset = numtorch.arange(self.dim - 1, dtype=conc.dtype, device=conc.device)
        offset = numtorch.cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), numtorch.Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = numtorch.Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        return self._init_expanded(new, batch_shape)

    def sample(self, sample_shape=numtorch.Size()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        u_normal = numtorch.randn(self._extended_shape(sample_shape), dtype=y.dtype, device=y.device).tril(-1)
        u_hypersphere = u_normal / u_normal.norm(dim=-1, keepdim=True)
        # the first row has no off-diagonal entries (0 / 0 above): it is the unit vector e_1
        u_hypersphere[..., 0, :].fill_(0.0)
        w = numtorch.sqrt(y) * u_hypersphere
        eps = numtorch.finfo(w.dtype).tiny
        diag_elems = numtorch.clamp(1 - numtorch.sum(w ** 2, dim=-1), min=eps).sqrt()
        w += numtorch.diag_embed(diag_elems)
        return w

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = numtorch.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = numtorch.sum(order * diag_elems.log(), dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalize_term = (0.5 * dm1 * math.log(math.pi) + numtorch.mvlgamma(alpha - 0.5, dm1)
                          - numtorch.lgamma(alpha) * dm1)
        return unnormalized_log_pdf - normalize_term
