"""``torch.func``: function transforms (vmap, grad, vjp, jvp, Jacobians, Hessians) and functional_call."""
from ._functorch import grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp, vmap
from .nn.utils.stateless import _call, _merge

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "vjp", "vmap"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Calls ``module`` with the given tensors (a dict by name, or a tuple of dicts with distinct names) in
    place of its parameters and buffers; gradients reach those tensors. ``tie_weights`` extends a tensor
    given for one name of a shared parameter to its other names; ``strict`` requires exactly the module's
    names."""
    return _call(module, _merge(parameter_and_buffer_dicts), args, kwargs, tie_weights, strict)
