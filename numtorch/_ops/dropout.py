"""Dropout functionals. Masks are drawn with ``bernoulli_`` on a tensor laid out as torch's CPU kernel lays
it out, so a seeded dropout zeroes exactly the elements torch zeroes."""
import math
import warnings

from ._registry import FUNCTIONS
from .pointwise import _need_tensor

# SELU's alpha * scale: the value alpha dropout drops to is -_ALPHA.
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _feature_noise(input):
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return FUNCTIONS["empty"](shape, dtype=input.dtype, device=input.device)


def _dropout_impl(input, p, train, inplace, feature=False, alpha=False):
    """torch's CPU dropout: noise ~ Bernoulli(1 - p) (per element or per channel), then scaled."""
    _need_tensor("dropout", input)
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = FUNCTIONS["zeros"]((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input * zero
    noise = _feature_noise(input) if feature else FUNCTIONS["empty_like"](input)
    noise.bernoulli_(1 - p)
    if not alpha:
        noise.div_(1 - p)
        return input.mul_(noise) if inplace else input * noise
    a = 1 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = noise.add(-1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
    noise.mul_(a)
    out = input.mul_(noise) if inplace else input * noise
    return out.add_(shift)


def dropout(input, p=0.5, training=True, inplace=False):
    """Randomly zeroes elements with probability ``p`` and scales the others by 1 / (1 - p)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the self-normalizing mean and variance of SELU activations."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def _batched(input, inplace, fn):
    # Unbatched input gets a batch dimension for the channel-wise mask, as torch does.
    x = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    out = fn(x)
    return out.squeeze_(0) if inplace else out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Randomly zeroes whole channels (1-D feature maps)."""
    _check_p(p)
    _need_tensor("dropout1d", input)
    n = input.dim()
    if n not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {n}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
                           "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
                           "inputs).")
    fn = lambda x: _dropout_impl(x, p, training, inplace, feature=True)  # noqa: E731
    return fn(input) if n == 3 else _batched(input, inplace, fn)


def _deprecated_dims(name, n, dims, spatial):
    if n not in dims:
        warnings.warn(f"{name}: Received a {n}-D input to {name}, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please "
                      f"use dropout instead. Note that {name} exists to provide channel-wise dropout on "
                      f"inputs with {spatial} spatial dimensions, a channel dimension, and an optional batch "
                      f"dimension (i.e. {dims[0]}D or {dims[1]}D inputs).", stacklevel=3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Randomly zeroes whole channels (2-D feature maps)."""
    _check_p(p)
    _need_tensor("dropout2d", input)
    n = input.dim()
    _deprecated_dims("dropout2d", n, (3, 4), 2)
    if n == 3:
        # torch keeps treating 3-D input as batched 1-D maps, with a warning.
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one "
                      "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Randomly zeroes whole channels (3-D feature maps)."""
    _check_p(p)
    _need_tensor("dropout3d", input)
    n = input.dim()
    _deprecated_dims("dropout3d", n, (4, 5), 3)
    fn = lambda x: _dropout_impl(x, p, training, inplace, feature=True)  # noqa: E731
    return fn(input) if n == 5 else _batched(input, inplace, fn)


def _aten(feature, alpha, inplace):
    def fn(input, p, train):
        return _dropout_impl(input, p, train, inplace, feature=feature, alpha=alpha)
    return fn


# torch.dropout & co.: the ATen entry points (no checks on p beyond the kernel's).
for _name, _feature, _alpha in (("dropout", False, False), ("feature_dropout", True, False),
                                ("alpha_dropout", False, True), ("feature_alpha_dropout", True, True)):
    FUNCTIONS[_name] = _aten(_feature, _alpha, False)
    FUNCTIONS[_name + "_"] = _aten(_feature, _alpha, True)
    FUNCTIONS[_name].__name__ = _name
    FUNCTIONS[_name + "_"].__name__ = _name + "_"
