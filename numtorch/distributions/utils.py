"""Helpers shared by the distribution families: broadcasting, probs/logits conversion, lazy properties."""
from functools import update_wrapper
import numtorch

euler_constant = 0.57721566490153286060
# torch accepts exactly these Python scalars as parameters (not NumPy scalars or complex).
_Number = (bool, int, float)

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


def broadcast_all(*values):
    """Broadcasts tensors and numbers together; numbers become tensors of the first tensor's dtype."""
    if not all(isinstance(v, (numtorch.Tensor, _Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    if not all(isinstance(v, numtorch.Tensor) for v in values):
        first = next((v for v in values if isinstance(v, numtorch.Tensor)), None)
        opts = ({"dtype": numtorch.get_default_dtype()} if first is None
                else {"dtype": first.dtype, "device": first.device})
        values = [v if isinstance(v, numtorch.Tensor) else numtorch.tensor(v, **opts) for v in values]
    return numtorch.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    # torch fills an empty tensor with normal_(): the same draws as randn for this shape.
    return numtorch.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sums the rightmost ``dim`` dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Converts logits to probabilities: sigmoid if binary, else softmax over the last dim."""
    if is_binary:
        return numtorch.sigmoid(logits)
    return numtorch.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamps probabilities into ``[eps, 1 - eps]`` of their dtype."""
    eps = numtorch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Converts probabilities to logits (log-odds if binary, else log probabilities)."""
    clamped = clamp_probs(probs)
    if is_binary:
        return numtorch.log(clamped) - numtorch.log1p(-clamped)
    return numtorch.log(clamped)


class lazy_property:
    """A property computed on first access (under grad mode) and then cached on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with numtorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a lazy_property reads as on the class, so tools that look for properties find one."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_mask(n, diag, device):
    arange = numtorch.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """Flattens the lower triangle (offset ``diag``) of the last two dims into a vector."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of :func:`tril_matrix_to_vec`: fills a square lower-triangular matrix."""
    k = 1 + 2 * diag
    n = (-k + (k ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > numtorch.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + numtorch.Size((n, n)))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat


def _params_and_shape(*values):
    """Broadcast parameters and the batch shape: empty when every parameter is a Python number."""
    out = broadcast_all(*values)
    if all(isinstance(v, _Number) for v in values):
        return out, numtorch.Size()
    return out, out[0].size()


def _set_probs_or_logits(dist, probs, logits):
    """Stores exactly one of ``probs``/``logits`` (broadcast to a tensor); returns (given, tensor)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    given = probs if probs is not None else logits
    (param,) = broadcast_all(given)
    setattr(dist, "probs" if probs is not None else "logits", param)
    return given, param
