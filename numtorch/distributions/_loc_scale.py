"""Shared parameter handling for the location-scale families (Normal, Laplace, Cauchy)."""
import numtorch
from . import constraints
from .utils import _params_and_shape


class _LocScale:
    """Mixin: ``loc``/``scale`` parameters broadcast together, real support, reparameterized sampling."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), batch_shape = _params_and_shape(loc, scale)
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def mode(self):
        return self.loc

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(_LocScale, batch_shape, ("loc", "scale"), _instance)

    def _new_sample(self, shape):
        """An uninitialised tensor of ``shape`` like ``loc``, for an in-place sampler to fill."""
        return numtorch.empty(shape, dtype=self.loc.dtype, device=self.loc.device)
