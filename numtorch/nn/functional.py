"""torch.nn.functional: the functional form of every layer.

Re-exports only: each function is implemented with its derivative in its op family under
numtorch/_ops/ (conv, pooling, normalization, activation, loss, ...). Each family adds one import
line below.
"""
from .._ops.activation import (  # noqa: F401
    celu, celu_, elu, elu_, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu,
    leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_, rrelu, rrelu_, selu, selu_, sigmoid,
    silu, softmax, softmin, softplus, softshrink, softsign, tanh, tanhshrink, threshold, threshold_)
from .._ops.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
