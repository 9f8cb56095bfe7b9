"""Fold an eval-mode BatchNorm into the convolution or linear layer before it."""
import copy

from ..._ops._registry import FUNCTIONS
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _check_eval(layer, bn):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("BatchNorm must track running statistics to be fused")


def _bn_defaults(bn_rm, bn_w, bn_b):
    if bn_w is None:
        bn_w = FUNCTIONS["ones_like"](bn_rm)
    if bn_b is None:
        bn_b = FUNCTIONS["zeros_like"](bn_rm)
    return bn_w, bn_b


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """Return a new convolution whose weight and bias absorb the eval-mode BatchNorm ``bn``."""
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """Return the convolution weight and bias (Parameters) with the BatchNorm folded in."""
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    if conv_b is None:
        conv_b = FUNCTIONS["zeros_like"](bn_rm)
    bn_w, bn_b = _bn_defaults(bn_rm, bn_w, bn_b)
    var_rsqrt = FUNCTIONS["rsqrt"](bn_rv + bn_eps)
    lead = [1, -1] if transpose else [-1, 1]
    shape = lead + [1] * (conv_w.dim() - 2)
    fused_w = (conv_w * (bn_w * var_rsqrt).reshape(shape)).to(dtype=w_dtype)
    fused_b = ((conv_b - bn_rm) * var_rsqrt * bn_w + bn_b).to(dtype=b_dtype)
    return Parameter(fused_w, conv_w.requires_grad), Parameter(fused_b, conv_b.requires_grad)


def fuse_linear_bn_eval(linear, bn):
    """Return a new Linear whose weight and bias absorb the eval-mode BatchNorm ``bn``."""
    _check_eval(linear, bn)
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError("To fuse, linear.out_features == bn.num_features or bn.num_features == 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """Return the Linear weight and bias (Parameters) with the BatchNorm folded in."""
    if linear_b is None:
        linear_b = FUNCTIONS["zeros_like"](bn_rm)
    bn_w, bn_b = _bn_defaults(bn_rm, bn_w, bn_b)
    scale = bn_w * FUNCTIONS["rsqrt"](bn_rv + bn_eps)
    fused_w = linear_w * scale.unsqueeze(-1)
    fused_b = (linear_b - bn_rm) * scale + bn_b
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
