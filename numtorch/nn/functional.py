"""torch.nn.functional: the functional form of every layer.

Re-exports only: each function is implemented with its derivative in its op family under
numtorch/_ops/ (conv, pooling, normalization, activation, loss, ...). Each family adds one import
line below.
"""
from .._ops.activation import (  # noqa: F401
    celu, celu_, elu, elu_, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_, leaky_relu,
    leaky_relu_, log_softmax, logsigmoid, mish, prelu, relu, relu6, relu_, rrelu, rrelu_, selu, selu_, sigmoid,
    silu, softmax, softmin, softplus, softshrink, softsign, tanh, tanhshrink, threshold, threshold_)
from .._ops.normalization import (  # noqa: F401
    batch_norm, group_norm, instance_norm, layer_norm, local_response_norm, normalize, rms_norm)
from .._ops.dropout import (  # noqa: F401
    alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout)
from .._ops.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from .._ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d,  # noqa: F401
                             adaptive_max_pool1d, adaptive_max_pool1d_with_indices, adaptive_max_pool2d,
                             adaptive_max_pool2d_with_indices, adaptive_max_pool3d,
                             adaptive_max_pool3d_with_indices, avg_pool1d, avg_pool2d, avg_pool3d, lp_pool1d,
                             lp_pool2d, lp_pool3d, max_pool1d, max_pool1d_with_indices, max_pool2d,
                             max_pool2d_with_indices, max_pool3d, max_pool3d_with_indices, max_unpool1d,
                             max_unpool2d, max_unpool3d)
from .._ops.sampling import (channel_shuffle, interpolate, pad, pixel_shuffle, pixel_unshuffle,  # noqa: F401
                              upsample, upsample_bilinear, upsample_nearest)
from .._ops.nn_linear import bilinear, linear  # noqa: F401
from .._ops.conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,  # noqa: F401
                          conv_transpose3d, fold, unfold)
from .._ops.loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss, cross_entropy,
    gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div, l1_loss, margin_ranking_loss, mse_loss,
    multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss, poisson_nll_loss,
    smooth_l1_loss, soft_margin_loss, triplet_margin_loss, triplet_margin_with_distance_loss)
from .._ops.distance import cosine_similarity, pairwise_distance, pdist  # noqa: F401
from .._ops.embedding import embedding, embedding_bag, one_hot  # noqa: F401
from .._ops.grid import affine_grid, grid_sample  # noqa: F401
from .._ops.ctc import ctc_loss  # noqa: F401
from .._ops.gumbel import gumbel_softmax  # noqa: F401
from .._ops.fractional_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: F401
                                    fractional_max_pool3d, fractional_max_pool3d_with_indices)
