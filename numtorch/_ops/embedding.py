"""Lookup tables: embedding, embedding_bag and one_hot."""
import numpy as np

from .._tensor import Tensor, bump
from ..autograd import grad_mode
from ._registry import _xp_of, call, no_complex_autograd, register
from .pointwise import _REDUCED_FLOATS

_INDEX_TYPES = ("torch.int64", "torch.int32")


def _xp(t):
    return _xp_of([t._data])


def _check_indices(indices, what):
    if not isinstance(indices, Tensor) or str(indices.dtype) not in _INDEX_TYPES:
        legacy = f"torch.{indices.dtype._legacy}Tensor" if isinstance(indices, Tensor) else type(indices)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {legacy} instead (while checking arguments for "
                           f"{what})")


def _check_range(idx, n):
    if idx.size and ((idx < 0) | (idx >= n)).any():
        raise IndexError("index out of range in self")


def _padding(padding_idx, n):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        assert padding_idx < n, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
        padding_idx = n + padding_idx
    return padding_idx


def _renorm(weight, idx, max_norm, norm_type):
    """Rescale, in place, the looked-up rows whose norm exceeds max_norm (torch's embedding_renorm_)."""
    xp = _xp(weight)
    w = weight._data
    rows = xp.unique(idx.reshape(-1))
    sel = w[rows]
    norm = (xp.abs(sel) ** norm_type).sum(1) ** (1.0 / norm_type)
    big = norm > max_norm
    scale = (max_norm / (norm[big] + 1e-7)).astype(w.dtype)
    w[rows[big]] = sel[big] * scale[:, None]
    bump(weight)


def _freq_scale(xp, idx, n):
    counts = xp.bincount(idx.reshape(-1), minlength=n)
    return 1.0 / counts[idx]


def _embedding(xp, w, idx, padding_idx, scale_grad_by_freq):
    return xp.take(w, idx, axis=0)


def _embedding_backward(grad, w, idx, out, padding_idx, scale_grad_by_freq):
    xp = _xp(idx)
    flat = idx._data.reshape(-1)
    coef = (flat != padding_idx).astype(w.dtype._np)
    if scale_grad_by_freq:
        coef = coef * _freq_scale(xp, flat, w.shape[0])
    rows = grad.reshape(-1, w.shape[1]) * Tensor._wrap(coef.astype(w.dtype._np)[:, None])
    return grad.new_zeros(w.shape).index_add(0, Tensor._wrap(flat), rows), None


_EMBEDDING = register("embedding", _embedding, _embedding_backward, nin=2, save=(1,), method=False,
                      function=False)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of a fixed-size embedding table by index."""
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    padding_idx = _padding(padding_idx, weight.shape[0])
    _check_indices(input, "embedding")
    _check_range(input._data, weight.shape[0])
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm(weight, input._data, max_norm, norm_type)
    no_complex_autograd("embedding", weight)
    return call(_EMBEDDING, (weight, input, padding_idx, scale_grad_by_freq), {})


# ------------------------------------------------------------------------------------------ embedding_bag

_MODES = {"sum": 0, "mean": 1, "max": 2}


def _bags(xp, idx, offsets, include_last_offset, padding_idx):
    """Each index's bag, the indices that count (not padding, inside a bag), and the number of bags."""
    n = idx.shape[0]
    n_bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    pos = xp.arange(n)
    bag = xp.searchsorted(offsets[:n_bags], pos, side="right") - 1
    end = offsets[n_bags] if include_last_offset and n_bags >= 0 else n
    keep = (idx != padding_idx) & (pos < end) & (bag >= 0)
    return xp.clip(bag, 0, max(n_bags - 1, 0)), keep, max(n_bags, 0)


def _bag_counts(xp, bag, keep, n_bags):
    return xp.bincount(bag[keep], minlength=n_bags)[:n_bags] if n_bags else xp.zeros(0, np.intp)


def _bag_max(xp, rows, bag, keep, n_bags):
    """Per bag and feature: the max over the bag's rows, and the position of the first row reaching it."""
    out = xp.full((n_bags, rows.shape[1]), -xp.inf, rows.dtype)
    xp.maximum.at(out, bag[keep], rows[keep])
    hit = (rows == out[bag]) & keep[:, None]
    n = rows.shape[0]
    first = xp.full(out.shape, n, np.intp)
    xp.minimum.at(first, bag, xp.where(hit, xp.arange(n)[:, None], n))
    return xp.where(xp.isinf(out) & (out < 0), 0, out), first


def _embedding_bag(xp, w, idx, offsets, psw, mode, include_last_offset, padding_idx, scale_grad_by_freq):
    bag, keep, n_bags = _bags(xp, idx, offsets, include_last_offset, padding_idx)
    rows = xp.take(w, idx, axis=0)
    if mode == 2:
        return _bag_max(xp, rows, bag, keep, n_bags)[0]
    if psw is not None:
        rows = rows * psw[:, None]
    # 16-bit rows are summed in float32 and the sum rounded before the mean's division, as torch does
    low = w.dtype in _REDUCED_FLOATS
    out = xp.zeros((n_bags, w.shape[1]), np.float32 if low else w.dtype)
    xp.add.at(out, bag[keep], rows[keep])
    if low:
        out = out.astype(w.dtype)
    if mode == 1:
        out = out / xp.maximum(_bag_counts(xp, bag, keep, n_bags), 1).astype(out.dtype)[:, None]
    return out.astype(w.dtype, copy=False)


def _embedding_bag_backward(grad, w, idx, offsets, psw, out, mode, include_last_offset, padding_idx,
                            scale_grad_by_freq):
    xp = _xp(idx)
    ia = idx._data
    bag, keep, n_bags = _bags(xp, ia, offsets._data, include_last_offset, padding_idx)
    dt = w.dtype._np
    if mode == 2:
        _, first = _bag_max(xp, xp.take(w._data, ia, axis=0), bag, keep, n_bags)
        coef = (first[bag] == xp.arange(ia.shape[0])[:, None]) & keep[:, None]
    elif mode == 1:
        coef = (keep / xp.maximum(_bag_counts(xp, bag, keep, n_bags), 1)[bag])[:, None]
    else:
        coef = keep[:, None]
    if scale_grad_by_freq and mode != 2:
        coef = coef * _freq_scale(xp, ia, w.shape[0])[:, None]
    g_rows = grad.index_select(0, Tensor._wrap(bag)) * Tensor._wrap(coef.astype(dt))
    g_psw = None
    if psw is not None:
        g_w = (g_rows * psw.unsqueeze(1))
        g_psw = (g_rows * w.index_select(0, idx)).sum(1)
    else:
        g_w = g_rows
    gw = grad.new_zeros(w.shape).index_add(0, Tensor._wrap(ia), g_w)
    return gw, None, None, g_psw


_EMBEDDING_BAG = register("embedding_bag", _embedding_bag, _embedding_bag_backward, nin=4, save=(0, 1, 2, 3),
                          method=False, function=False)


def _bag_inputs(input, offsets, per_sample_weights):
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a "
                             "mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        b, n = input.shape
        offsets = Tensor._wrap(_xp(input).arange(0, b * n, max(n, 1), dtype=input._data.dtype)[:b])
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights
    if input.dim() != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if offsets is None or offsets.dim() != 1:
        got = None if offsets is None else offsets.dim()
        raise ValueError(f"offsets has to be a 1D Tensor but got {got}")
    return input, offsets, per_sample_weights


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxes bags of embeddings without materialising the looked-up rows."""
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                         f"then it must have the same shape as the input ({input.shape})")
    input, offsets, psw = _bag_inputs(input, offsets, per_sample_weights)
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if psw is not None and mode != "sum":
        # torch's own exception type for this unsupported combination.
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is "
                                  f"only supported for mode='sum' (got mode='{mode}'). Please open a feature "
                                  "request on GitHub.")
    _check_indices(input, "embedding_bag")
    if not weight.dtype.is_floating_point or weight.dtype._limited:
        dt = weight.dtype
        # torch names bool, complex and the limited types by their backend type, the others by their legacy
        # class
        special = dt.is_complex or dt._legacy == "Bool" or dt._limited
        shown = f"CPU{dt._legacy}Type" if special else f"torch.{dt._legacy}Tensor"
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following scalar "
                           f"types: Half, BFloat16, Float, Double; but got {shown} instead (while checking "
                           "arguments for embedding_bag)")
    _check_range(input._data, weight.shape[0])
    off = offsets._data
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                           f"from position 0. However, got {int(off[0])}")
    padding_idx = _padding(padding_idx, weight.shape[0])
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm(weight, input._data, max_norm, norm_type)
    return call(_EMBEDDING_BAG, (weight, input, offsets, psw, _MODES[mode], include_last_offset, padding_idx,
                                 scale_grad_by_freq), {})


# ------------------------------------------------------------------------------------------------ one_hot

def one_hot(tensor, num_classes=-1):
    """Ones at the given class indices, zeros elsewhere, in a new last dimension (int64)."""
    if str(tensor.dtype) != "torch.int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = _xp(tensor)
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((a[..., None] == xp.arange(num_classes)).astype(np.int64))
