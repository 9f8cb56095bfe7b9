"""Input types and bad arguments against torch: complex, integer, bool and half inputs to nn.functional
and tensor ops (which compute, with their values and gradients, and which raise, with torch's exception
type and message, kernel names included), and the wording and order of shape and argument errors."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch

rng = np.random.default_rng(0)
Z = (rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))).astype(np.complex128)
Z4 = (rng.standard_normal((2, 2, 3, 4)) + 1j * rng.standard_normal((2, 2, 3, 4))).astype(np.complex64)
W3 = (rng.standard_normal((2, 4, 4)) + 1j * rng.standard_normal((2, 4, 4))).astype(np.complex128)


def _same_message(fn, *data):
    ne, te = check_raises(fn, *data)
    assert str(ne) == str(te), f"numtorch: {ne}\ntorch: {te}"


RAISES = {
    "bilinear_grad": lambda m, z, w: m.nn.functional.bilinear(z, z, w),
    "embedding_grad": lambda m, z, w: m.nn.functional.embedding(m.tensor([0, 1]), z),
    "silu_grad": lambda m, z, w: m.nn.functional.silu(z),
    "mse": lambda m, z, w: m.nn.functional.mse_loss(z, z),
    "smooth_l1": lambda m, z, w: m.nn.functional.smooth_l1_loss(z, z),
    "huber": lambda m, z, w: m.nn.functional.huber_loss(z, z),
    "kl_div": lambda m, z, w: m.nn.functional.kl_div(z, z, reduction="sum"),
    "bce": lambda m, z, w: m.nn.functional.binary_cross_entropy(z, z),
    "bce_logits": lambda m, z, w: m.nn.functional.binary_cross_entropy_with_logits(z, z),
    "dropout": lambda m, z, w: m.nn.functional.dropout(z, 0.5),
    "dropout2d": lambda m, z, w: m.nn.functional.dropout2d(z[None], 0.5),
    "alpha_dropout": lambda m, z, w: m.nn.functional.alpha_dropout(z, 0.5, True),
    "bernoulli_": lambda m, z, w: z.detach().bernoulli_(0.5),
    "bernoulli_tensor": lambda m, z, w: z.detach().bernoulli_(m.full((3, 4), 0.5)),
    "bernoulli": lambda m, z, w: m.bernoulli(z.detach()),
    "threshold": lambda m, z, w: m.nn.functional.threshold(z, 0.1, 0.0),
    "hardtanh": lambda m, z, w: m.nn.functional.hardtanh(z),
    "relu6": lambda m, z, w: m.nn.functional.relu6(z),
    "log_softmax_last": lambda m, z, w: m.nn.functional.log_softmax(z, -1),
    "log_softmax_first": lambda m, z, w: m.nn.functional.log_softmax(z, 0),
    "lrn3d": lambda m, z, w: m.nn.functional.local_response_norm(z[None], 2),
    "lrn4d": lambda m, z, w: m.nn.functional.local_response_norm(z[None, None], 2),
    "max_pool1d": lambda m, z, w: m.nn.functional.max_pool1d(z.detach()[None], 2),
    "adaptive_avg_pool2d": lambda m, z, w: m.nn.functional.adaptive_avg_pool2d(z[None], 2),
    "adaptive_avg_pool3d": lambda m, z, w: m.nn.functional.adaptive_avg_pool3d(z[None, None], 2),
    "grid_sample": lambda m, z, w: m.nn.functional.grid_sample(z[None, None], m.zeros(1, 2, 2, 2),
                                                               align_corners=False),
    "embedding_bag": lambda m, z, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), z),
    "interpolate": lambda m, z, w: m.nn.functional.interpolate(z[None], scale_factor=2, mode="linear"),
    "cummax": lambda m, z, w: m.cummax(z, 1),
    "cummin": lambda m, z, w: m.cummin(z, 1),
    "amax": lambda m, z, w: m.amax(z, 1),
    "amin": lambda m, z, w: m.amin(z),
    "aminmax": lambda m, z, w: m.aminmax(z),
    "mode": lambda m, z, w: m.mode(z, 1),
    "median_dim": lambda m, z, w: m.median(z, 1),
    "median": lambda m, z, w: m.median(z),
    "topk": lambda m, z, w: m.topk(z, 1),
    "histc": lambda m, z, w: m.histc(z.detach()),
    "histc_range": lambda m, z, w: m.histc(z.detach(), min=0, max=1),
}


@pytest.mark.parametrize("name", sorted(RAISES))
def test_complex_rejected_as_torch_rejects(name):
    def fn(m, z, w):
        return RAISES[name](m, z.requires_grad_(), w)
    _same_message(fn, Z, W3)


INTERP_DTYPES = [(mode, dims, dtype) for dtype in ("int64", "bool", "uint8", "float16")
                 for mode, dims in (("nearest", 1), ("linear", 1), ("nearest", 2), ("nearest-exact", 2),
                                    ("nearest-exact", 1), ("bicubic", 2), ("bilinear", 2), ("trilinear", 3),
                                    ("nearest", 3))]


@pytest.mark.parametrize("mode,dims,dtype", INTERP_DTYPES)
def test_interpolate_dtypes(mode, dims, dtype):
    x = np.arange(2 * 2 * 3 ** dims).reshape((2, 2) + (3,) * dims) % 7
    if dtype == "bool":
        x = x % 2
    fn = lambda m, a: m.nn.functional.interpolate(a, scale_factor=1.7, mode=mode)  # noqa: E731
    if dtype == "float16" or (dtype == "uint8" and mode in ("nearest", "nearest-exact", "bilinear", "bicubic")):
        check(fn, x.astype(dtype), grad=False, atol=1e-2 if dtype == "float16" else 0)
    else:
        _same_message(fn, x.astype(dtype))


@pytest.mark.parametrize("dtype", ["int32", "bool", "uint8", "complex64"])
def test_embedding_bag_weight_types(dtype):
    _same_message(lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 5]]), w), np.ones((3, 4), dtype))


def test_complex_ops_torch_computes():
    check(lambda m, z: m.nn.functional.silu(z.detach()), Z, grad=False)
    check(lambda m, z: m.nn.functional.adaptive_avg_pool2d(z, 1), Z4)
    check(lambda m, z: m.nn.functional.adaptive_avg_pool1d(z[0], 1), Z4)
    check(lambda m, z: m.logcumsumexp(z, 1), Z)
    check(lambda m, z: m.logcumsumexp(z, 0), Z.astype(np.complex64), atol=1e-5)
    # the exponent's derivative at a zero base only for a real non-negative exponent
    base = Z.copy()
    base[0, :2] = 0
    expo = Z[::-1].copy()
    expo[0, 0], expo[0, 1] = 2.0, 1 + 1j
    check(lambda m, a, b: m.pow(a, b).abs(), base, expo)
    check(lambda m, a, b: m.float_power(a, b).abs(), base, expo)
    check(lambda m, b: m.pow(2.0, b).abs(), expo)
    check(lambda m, b: m.pow(0.0, b).abs(), expo.real)


def test_kl_div_warning_text():
    texts = []
    for lib in (need_torch(), numtorch):
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            lib.nn.functional.kl_div(lib.zeros(2), lib.ones(2))
        texts.append([str(w.message) for w in got])
    assert texts[0] == texts[1] and len(texts[0]) == 1


@pytest.mark.parametrize("args", [((3, 4), (3, 4), (3, 4)), ((4,), (4,), (3,)), ((3, 4), (4,), (3,)),
                                  ((2, 3, 4), (2, 3, 4), (2, 3)), ((2, 3), (2, 3), ())])
def test_cosine_embedding_loss_shape_errors(args):
    a, b, t = (np.ones(s) for s in args)
    _same_message(lambda m, x, y, z: m.nn.functional.cosine_embedding_loss(x, y, z), a, b, t)


GRID = [((1, 1, 2, 2), (1, 2, 2, 2, 3), "float32", "float32", 0), ((1, 1, 2, 2), (2, 2, 2, 2), "float32", "float32", 0),
        ((1, 1, 0, 2), (1, 2, 2, 2, 2), "float32", "float32", 0), ((1, 2, 2), (1, 2, 2), "float32", "float32", 0),
        ((1, 1, 2, 2, 2), (1, 2, 2, 3), "float32", "float32", 0), ((1, 1, 2, 2), (1, 2, 2, 2), "int64", "float32", 0),
        ((1, 1, 2, 2), (1, 2, 2, 2), "float32", "float64", 0), ((1, 1, 2, 2, 2), (1, 2, 2, 2, 3), "complex64",
                                                                    "float32", 0),
        ((1, 1, 2, 2, 2), (1, 2, 2, 2, 3), "float32", "float32", 2)]


@pytest.mark.parametrize("xs,gs,xd,gd,mode", GRID)
def test_grid_sampler_checks_in_torch_order(xs, gs, xd, gd, mode):
    _same_message(lambda m, x, g: m.grid_sampler(x, g, mode, 0, False), np.ones(xs, xd), np.zeros(gs, gd))


def _same_outcome(fn, *data, **tol):
    """torch's result (compared as ``check`` does) or torch's exception type and message."""
    from conftest import run_both
    if run_both(fn, *data, grad=False)["torch"][3] is None:
        check(fn, *data, grad=False, **tol)
    else:
        _same_message(fn, *data)


INTEGER_INPUTS = {
    "cross_entropy_2d": lambda m, x: m.nn.functional.cross_entropy(x.reshape(4, 4), m.tensor([0, 1, 2, 3])),
    "cross_entropy_4d": lambda m, x: m.nn.functional.cross_entropy(x.reshape(1, 4, 2, 2),
                                                                   m.zeros(1, 2, 2, dtype=m.long)),
    "nll_2d": lambda m, x: m.nn.functional.nll_loss(x.reshape(4, 4), m.tensor([0, 1, 2, 3])),
    "nll_4d": lambda m, x: m.nn.functional.nll_loss(x.reshape(1, 4, 2, 2), m.zeros(1, 2, 2, dtype=m.long)),
    "multi_margin": lambda m, x: m.nn.functional.multi_margin_loss(x.reshape(4, 4), m.tensor([0, 1, 2, 3])),
    "bce_logits": lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(x, x.float()),
    "multilabel_soft_margin": lambda m, x: m.nn.functional.multilabel_soft_margin_loss(x.reshape(4, 4),
                                                                                       x.reshape(4, 4)),
    "huber": lambda m, x: m.nn.functional.huber_loss(x, x),
    "huber_float_target": lambda m, x: m.nn.functional.huber_loss(x, x * 0.5),
    "smooth_l1": lambda m, x: m.nn.functional.smooth_l1_loss(x, x),
    "mse": lambda m, x: m.nn.functional.mse_loss(x, x),
    "soft_margin": lambda m, x: m.nn.functional.soft_margin_loss(x, x),
    "gaussian_nll": lambda m, x: m.nn.functional.gaussian_nll_loss(x, x, x),
    "kl_div": lambda m, x: m.nn.functional.kl_div(x, x, reduction="sum"),
    "hinge": lambda m, x: m.nn.functional.hinge_embedding_loss(x, x),
    "margin_ranking": lambda m, x: m.nn.functional.margin_ranking_loss(x, x, x),
    "rms_norm": lambda m, x: m.nn.functional.rms_norm(x, (16,)),
    "linear": lambda m, x: m.nn.functional.linear(x.reshape(4, 4), x.reshape(4, 4)),
    "bilinear": lambda m, x: m.nn.functional.bilinear(x.reshape(4, 4), x.reshape(4, 4), x.reshape(1, 4, 4)),
    "avg_pool1d": lambda m, x: m.nn.functional.avg_pool1d(x.reshape(1, 4, 4), 2),
    "avg_pool2d": lambda m, x: m.nn.functional.avg_pool2d(x.reshape(1, 1, 4, 4), 2),
    "avg_pool3d": lambda m, x: m.nn.functional.avg_pool3d(x.reshape(1, 1, 4, 2, 2), 2),
    "lrn_3d": lambda m, x: m.nn.functional.local_response_norm(x.reshape(1, 4, 4), 3, alpha=0.5),
    "lrn_4d": lambda m, x: m.nn.functional.local_response_norm(x.reshape(1, 4, 2, 2), 2),
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x),
    "clamp_min_float_bound": lambda m, x: x.clamp_min(0.5),
    "clamp_max_int_bound": lambda m, x: x.clamp_max(1),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "bfloat16"])
@pytest.mark.parametrize("name", sorted(INTEGER_INPUTS))
def test_loss_and_layer_input_types(name, dtype):
    x = np.arange(16) * 7 % 5
    x = (x % 2).astype(bool) if dtype == "bool" else x.astype("float32" if dtype.endswith("16") else dtype)
    dts = dtype.endswith("16")

    def fn(m, a):
        return INTEGER_INPUTS[name](m, a.to(getattr(m, dtype)) if dts else a)
    # half types: torch's vectorised exp/log (SLEEF) can round a half result the other way (one ulp)
    _same_outcome(fn, x, **({"atol": 4e-2, "rtol": 1e-2} if dts else {}))


def _ctc(m, log_probs, targets, input_lengths=(5, 5)):
    return m.nn.functional.ctc_loss(log_probs, targets, m.tensor(list(input_lengths)), m.tensor([2, 2]))


SHAPE_ERRORS = {
    "reflect_pad_2d": lambda m: m.nn.functional.pad(m.ones(1, 1, 2, 2), (3, 3, 3, 3), mode="reflect"),
    "reflect_pad_3d_h": lambda m: m.nn.functional.pad(m.ones(1, 1, 2, 2, 2), (1, 1, 3, 3, 1, 1),
                                                      mode="reflect"),
    "batch_norm_channels": lambda m: m.nn.BatchNorm2d(3)(m.ones(2, 4, 5, 5)),
    "max_pool1d_5d": lambda m: m.nn.functional.max_pool1d(m.ones(1, 2, 3, 4, 5), 2),
    "max_pool1d_idx_4d": lambda m: m.nn.functional.max_pool1d(m.ones(1, 2, 3, 4), 2, return_indices=True),
    "avg_pool1d_1d": lambda m: m.nn.functional.avg_pool1d(m.ones(5), 2),
    "adaptive_avg_pool1d_4d": lambda m: m.nn.functional.adaptive_avg_pool1d(m.ones(1, 2, 3, 4), 2),
    "adaptive_max_pool1d_5d": lambda m: m.nn.functional.adaptive_max_pool1d(m.ones(1, 2, 3, 4, 5), 2),
    "mse_broadcast": lambda m: m.nn.functional.mse_loss(m.ones(3, 4), m.ones(3, 5)),
    "broadcast_tensors": lambda m: m.broadcast_tensors(m.ones(3, 4), m.ones(3, 5), m.ones(1)),
    "broadcast_tensors_two_dims": lambda m: m.broadcast_tensors(m.ones(2, 1), m.ones(1, 3), m.ones(4, 5)),
    "cosine_similarity": lambda m: m.nn.functional.cosine_similarity(m.ones(3, 4), m.ones(2, 4)),
    "ctc_input_lengths": lambda m: _ctc(m, m.ones(5, 2, 4).log_softmax(2), m.tensor([[1, 2], [1, 1]]),
                                        [5, 6]),
    "ctc_concatenated_targets": lambda m: _ctc(m, m.ones(5, 2, 4).log_softmax(2), m.tensor([1, 2, 1, 1, 1])),
    "ctc_4d": lambda m: _ctc(m, m.ones(5, 2, 4, 1), m.tensor([[1, 2], [1, 1]])),
    "multi_margin_target": lambda m: m.nn.functional.multi_margin_loss(m.ones(3, 4), m.tensor([0, 1])),
    "multi_margin_3d": lambda m: m.nn.functional.multi_margin_loss(m.ones(2, 3, 4), m.tensor([0, 1])),
    "group_norm_ctor": lambda m: m.nn.GroupNorm(3, 4),
    "hardtanh_ctor": lambda m: m.nn.Hardtanh(2, 1),
}


@pytest.mark.parametrize("name", sorted(SHAPE_ERRORS))
def test_shape_and_argument_errors(name):
    _same_message(lambda m: SHAPE_ERRORS[name](m))


TENSOR_TYPE_ERRORS = {
    "nanmedian_all": lambda m, x: m.nanmedian(x),
    "nanmedian_dim": lambda m, x: m.nanmedian(x, 0),
    "median_dim": lambda m, x: m.median(x, 0),
    "unique": lambda m, x: m.unique(x),
    "unique_dim": lambda m, x: m.unique(x, dim=0),
    "unique_consecutive": lambda m, x: m.unique_consecutive(x),
    "nansum": lambda m, x: m.nansum(x),
    "nanmean": lambda m, x: m.nanmean(x),
    "random_": lambda m, x: x.clone().random_(),
    "random_to": lambda m, x: x.clone().random_(5),
    "random_from_to": lambda m, x: x.clone().random_(1, 5),
    "geometric_no_p": lambda m, x: x.clone().real.geometric_(),
}


# bool tensors draw random values (not comparable unseeded): the samplers are checked on complex only
TENSOR_TYPE_CASES = [(n, d) for n in sorted(TENSOR_TYPE_ERRORS) for d in ("complex64", "bool")
                     if d == "complex64" or not n.startswith(("random", "geometric"))]


@pytest.mark.parametrize("name,dtype", TENSOR_TYPE_CASES)
def test_tensor_op_types(name, dtype):
    x = np.ones((3, 4), dtype)
    _same_outcome(lambda m, a: TENSOR_TYPE_ERRORS[name](m, a), x)
