"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward`` in tensor ops.

Both follow torch's CPU math path step for step where it matters for results: the dropout mask is drawn
on the attention weights (same random stream), boolean masks become ``-inf`` additions, and query rows
with every key masked give zeros rather than NaN.
"""
import math
import warnings

from .. import _dtype
from .._config import SDP as _sdp_flags
from ._registry import FUNCTIONS
from .rnn import _linear, dropout_train


def _fn(name):
    return FUNCTIONS[name]


def _float_mask(mask, dtype):
    """A boolean mask (True = take part) as an additive float mask of ``dtype``."""
    if mask.dtype == _dtype.bool:
        return _fn("zeros_like")(mask, dtype=dtype).masked_fill_(mask.logical_not(), float("-inf"))
    return mask if mask.dtype == dtype else mask.to(dtype)


def _sdpa_checks(query, key, value, attn_mask, is_causal):
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, but got "
                           f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
                           "instead.")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_cname(query)} key.dtype: {_cname(key)} and value.dtype: {_cname(value)} "
                           "instead.")
    if attn_mask is None:
        return
    if is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                           "is_causal=True")
    if attn_mask.dtype != _dtype.bool and not attn_mask.dtype.is_floating_point:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_cname(attn_mask)} and  query.dtype: {_cname(query)} "
                           "instead.")


def _cname(t):
    # torch names dtypes in these messages by their C++ scalar names.
    names = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}
    s = str(t.dtype).split(".")[-1]
    return names.get(s, s)


def _expand_groups(query, key, value):
    """enable_gqa: each key/value head serves a group of query heads (repeat_interleave on dim -3)."""
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    if hq % hk or hq % hv:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    if hk != hq:
        key = key.repeat_interleave(hq // hk, -3)
    if hv != hq:
        value = value.repeat_interleave(hq // hv, -3)
    return key, value


def _safe_softmax(scores, masked):
    """Softmax over the last dim; rows that are entirely ``-inf`` give zeros (and a zero gradient)."""
    if not masked:
        return scores.softmax(-1)
    dead = (scores == float("-inf")).all(-1, keepdim=True)
    return scores.masked_fill(dead, 0.0).softmax(-1).masked_fill(dead, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """Computes scaled dot product attention on query, key and value tensors, using an optional attention
    mask if passed, and applying dropout if a probability greater than 0.0 is specified."""
    _sdpa_checks(query, key, value, attn_mask, is_causal)
    if not (_sdp_flags["math"] or _sdp_flags["flash"]):
        # the CPU kernels torch has are these two
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due to "
                           "turning off both the math kernel and the fused kernels.")
    length, source = query.shape[-2], key.shape[-2]
    factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if is_causal:
        attn_mask = _fn("ones")(length, source, dtype=_dtype.bool, device=query.device).tril()
    if enable_gqa and query.dim() >= 3:
        key, value = _expand_groups(query, key, value)
    scores = (query * factor).matmul(key.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + _float_mask(attn_mask, query.dtype)
    weights = _safe_softmax(scores, attn_mask is not None)
    weights = dropout_train(weights, dropout_p, True)
    return weights.matmul(value)


# ---------------------------------------------------------------------------------- multi-head attention

def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D query), with torch's AssertionErrors for inconsistent ranks."""
    if query.dim() not in (2, 3):
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    rank = query.dim()
    if key.dim() != rank or value.dim() != rank:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {rank}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != rank - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {rank - 1}-D "
                             f"but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None and attn_mask.dim() not in (2, 3):
        raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                             f"{attn_mask.dim()}-D tensor instead")
    if not batched and attn_mask is not None and attn_mask.dim() == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def canonical_mask(mask, name, other_dtype, other_name, dtype, check_other=True):
    """A bool or float mask as an additive float mask of ``dtype`` (torch's _canonical_mask)."""
    if mask is None:
        return None
    if mask.dtype != _dtype.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_dtype is not None and mask.dtype != other_dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
                      "both instead.", stacklevel=3)
    if mask.dtype.is_floating_point:
        return mask
    return _fn("zeros_like")(mask, dtype=dtype).masked_fill_(mask, float("-inf"))


def _pad_last(t):
    return _fn("cat")([t, t.new_zeros((*t.shape[:-1], 1))], -1)


def _project(query, key, value, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    if separate:
        if q_w is None or k_w is None or v_w is None:
            which = "q" if q_w is None else "k" if k_w is None else "v"
            raise AssertionError(f"use_separate_proj_weight is True but {which}_proj_weight is None")
        ws = (q_w, k_w, v_w)
    else:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        ws = in_proj_weight.chunk(3)
    bs = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
    if not separate and query is key and key is value:
        return _linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    return tuple(_linear(x, w, b) for x, w, b in zip((query, key, value), ws, bs))


def _prepare_mask(attn_mask, tgt_len, src_len, heads):
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                               f"{(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if tuple(attn_mask.shape) != (heads, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                           f"{(heads, tgt_len, src_len)}.")
    return attn_mask


def _heads(x, static, n, head_dim, name):
    if static is None:
        return x.reshape(x.shape[0], n, head_dim).transpose(0, 1)
    if static.size(0) != n:
        raise AssertionError(f"expecting {name}.size(0) of {n}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """Forward method for MultiHeadAttention."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    mask_dtype = None if attn_mask is None else attn_mask.dtype
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", mask_dtype, "attn_mask",
                                      query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                           "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and key.shape[:2] != value.shape[:2]:
        raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                             f"{value.shape[:2]}")
    if not use_separate_proj_weight and key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                       q_proj_weight, k_proj_weight, v_proj_weight)
    attn_mask = _prepare_mask(attn_mask, tgt_len, src_len, bsz * num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _fn("cat")([k, bias_k.repeat(1, bsz, 1)])
        v = _fn("cat")([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")
    n = bsz * num_heads
    q = q.reshape(tgt_len, n, head_dim).transpose(0, 1)
    k = _heads(k, static_k, n, head_dim, "static_k")
    v = _heads(v, static_v, n, head_dim, "static_v")
    if add_zero_attn:
        k = _pad_seq(k)
        v = _pad_seq(v)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        _check_key_padding_mask(key_padding_mask, src_len, bsz)
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(n, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    args = (q, k, v, attn_mask, dropout_p, tgt_len, bsz, num_heads, embed_dim, out_proj_weight, out_proj_bias)
    if need_weights:
        out, weights = _attend_weights(*args)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            return out.squeeze(1), weights.squeeze(0)
        return out, weights
    out = _attend(*args, is_causal)
    return (out if batched else out.squeeze(1)), None


def _pad_seq(t):
    return _fn("cat")([t, t.new_zeros((t.shape[0], 1, t.shape[2]))], 1)


def _check_key_padding_mask(mask, src_len, bsz):
    if mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {mask.shape[0]}")
    if mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got {mask.shape[1]}")


def _out_projection(out, tgt_len, bsz, embed_dim, w, b):
    out = _linear(out.reshape(tgt_len * bsz, embed_dim), w, b)
    return out.reshape(tgt_len, bsz, out.size(1))


def _attend_weights(q, k, v, attn_mask, dropout_p, tgt_len, bsz, heads, embed_dim, w, b):
    """The need_weights path: explicit (batch * heads, L, S) weights, as torch computes them."""
    scores = (q * math.sqrt(1.0 / q.shape[-1])).matmul(k.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = scores.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout_train(weights, dropout_p, True)
    out = weights.matmul(v).transpose(0, 1)
    return _out_projection(out, tgt_len, bsz, embed_dim, w, b), weights


def _attend(q, k, v, attn_mask, dropout_p, tgt_len, bsz, heads, embed_dim, w, b, is_causal):
    src_len = k.shape[1]
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, heads, -1, src_len)
    q = q.reshape(bsz, heads, tgt_len, q.shape[-1])
    k = k.reshape(bsz, heads, src_len, k.shape[-1])
    v = v.reshape(bsz, heads, src_len, v.shape[-1])
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3)
    return _out_projection(out, tgt_len, bsz, embed_dim, w, b)
