"""torch.nn.init: in-place initialisers that draw from the generator exactly as torch's do."""
import math
import warnings

import numpy as np

from .. import _ops, linalg  # noqa: F401  (_ops registers the Tensor methods used below)
from .._ops._registry import FUNCTIONS
from ..autograd.grad_mode import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "orthogonal_", "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
           "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d", "sigmoid")
_ZERO_ELEMENT = "Initializing zero-element tensors is a no-op"


def calculate_gain(nonlinearity, param=None):
    """Return the recommended gain value for the given nonlinearity function."""
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + _negative_slope(param) ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _negative_slope(param):
    if param is None:
        return 0.01
    if isinstance(param, float) or isinstance(param, int) and not isinstance(param, bool):
        return param
    raise ValueError(f"negative_slope {param} not a valid number")


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill the input Tensor with values drawn from the uniform distribution U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill the input Tensor with values drawn from the normal distribution N(mean, std^2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill the input Tensor with values drawn from a truncated normal distribution."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
        if mass > 0.3:
            return _trunc_by_redraw(tensor, mean, std, a, b, generator)
        return _trunc_by_acceptance(tensor, mean, std, a, b, generator)


def _trunc_by_redraw(tensor, mean, std, a, b, generator):
    # Most of the mass lies inside [a, b]: redraw the whole tensor's outliers until none is left.
    lo = float(np.asarray(a, dtype=tensor._data.dtype))
    hi = float(np.asarray(b, dtype=tensor._data.dtype))
    result = tensor.normal_(mean, std, generator=generator)
    while True:
        outside = (result < lo) | (result > hi)
        if not outside.any():
            return tensor
        fresh = FUNCTIONS["empty_like"](result).normal_(mean, std, generator=generator)
        tensor.copy_(FUNCTIONS["where"](outside, fresh, result))


def _log_density(x, mean, std, log_peak):
    return x.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)


def _trunc_by_acceptance(tensor, mean, std, a, b, generator):
    # Little mass inside [a, b]: propose uniformly on [a, b], accept with the normal density's ratio.
    log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
    candidates = FUNCTIONS["empty_like"](tensor)
    accept_buf = FUNCTIONS["empty_like"](tensor)
    tensor.uniform_(a, b, generator=generator)
    _log_density(candidates.copy_(tensor), mean, std, log_peak)
    pending = accept_buf.uniform_(generator=generator).log_().gt(candidates)
    result = tensor
    where = FUNCTIONS["where"]
    while pending.any():
        candidates.uniform_(a, b, generator=generator)
        result = where(pending, candidates, result)
        _log_density(candidates, mean, std, log_peak)
        pending = where(pending, accept_buf.uniform_(generator=generator).log_().gt(candidates), pending)
    if result is not tensor:
        tensor.copy_(result)
    return tensor


def constant_(tensor, val):
    """Fill the input Tensor with the value ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill the input Tensor with the scalar value 1."""
    with no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    """Fill the input Tensor with the scalar value 0."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor):
    """Fill the 2-dimensional input Tensor with the identity matrix."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        tensor.zero_()
        tensor.diagonal().fill_(1)
    return tensor


def dirac_(tensor, groups=1):
    """Fill the {3, 4, 5}-dimensional input Tensor with the Dirac delta function."""
    ndim = tensor.dim()
    if ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    diag = np.arange(min(per_group, sizes[1]))
    rows = (np.arange(groups)[:, None] * per_group + diag).ravel()
    centre = tuple(s // 2 for s in sizes[2:])
    index = (_index(rows), _index(np.tile(diag, groups))) + centre
    with no_grad():
        tensor.zero_()
        tensor[index] = 1
    return tensor


def _index(arr):
    return FUNCTIONS["from_numpy"](arr.astype(np.int64))


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Fill the input Tensor using the Glorot uniform initialisation."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Fill the input Tensor using the Glorot normal initialisation."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill the input Tensor using the He (Kaiming) uniform initialisation."""
    if 0 in tensor.shape:
        warnings.warn(_ZERO_ELEMENT, stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill the input Tensor using the He (Kaiming) normal initialisation."""
    if 0 in tensor.shape:
        warnings.warn(_ZERO_ELEMENT, stacklevel=2)
        return tensor
    return normal_(tensor, 0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill the input Tensor with a (semi) orthogonal matrix."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
        if rows < cols:
            flat = flat.t()
        q, r = linalg.qr(flat)
        q = q * r.diagonal().sign()
        if rows < cols:
            q = q.t()
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill the 2-D input Tensor as a sparse matrix, non-zero entries drawn from N(0, std^2)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    randperm = FUNCTIONS["randperm"]
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        # one permutation per column, drawn in column order as torch does (same random stream)
        zero_rows = [randperm(rows)[:num_zeros] for _ in range(cols)]
        if cols and num_zeros:
            tensor[FUNCTIONS["stack"](zero_rows, 1), _index(np.arange(cols))] = 0
    return tensor


def _deprecated(fn):
    new_name = fn.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"Deprecated alias of :func:`{new_name}` (warns)."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
