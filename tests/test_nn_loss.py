"""Losses and distances against the torch oracle: values, dtypes, warnings, gradients, errors."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand

X = rand(4, 5, dtype="float64")
Y = rand(4, 5, dtype="float64", seed=1)
P = rand(4, 5, dtype="float64", seed=2, low=0.01, high=0.99)
W = rand(5, dtype="float64", seed=3, low=0.1, high=2)
T = np.array([0, 4, 2, 1])
T_IGN = np.array([0, -100, 2, 1])
X3 = rand(2, 3, 4, dtype="float64", seed=4)
T3 = np.array([[0, 1, 2, 1], [2, 2, 0, -100]])
X4 = rand(2, 3, 2, 2, dtype="float64", seed=5)
T4 = np.array([[[0, 1], [2, 1]], [[2, -100], [0, 0]]])
ML = np.array([[3, 0, -1, 1, 1], [0, 1, 2, 3, 4], [-1, 1, 1, 1, 1], [4, 4, -1, 0, 0]])
SIGN = np.sign(Y).astype("float32")


def _w(lib, a):
    return None if a is None else lib.tensor(a)


REDUCTIONS = ["none", "mean", "sum"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses(name, reduction):
    check(lambda m, x, y: getattr(m.nn.functional, name)(x, y, reduction=reduction), X, Y)
    check(lambda m, x, y: getattr(m.nn.functional, name)(x.T, y[:, :1], reduction=reduction), X, Y)
    check(lambda m, x, y: getattr(m.nn.functional, name)(x, y, reduction=reduction), X[:0], Y[:0])


@pytest.mark.parametrize("name,kw", [("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
                                     ("huber_loss", {"delta": 0.3}), ("l1_loss", {"weight": "w"}),
                                     ("mse_loss", {"weight": "w"}), ("huber_loss", {"weight": "w"})])
def test_regression_options(name, kw):
    def fn(m, x, y):
        k = {a: (m.tensor(W + X * 0) if b == "w" else b) for a, b in kw.items()}
        return getattr(m.nn.functional, name)(x, y, **k)
    check(fn, X, Y)


def test_regression_promotion_and_float32():
    check(lambda m, x, y: m.nn.functional.mse_loss(x, y), X.astype("float32"), Y)
    check(lambda m, x, y: m.nn.functional.l1_loss(x, y, reduction="sum"), X.astype("float32"),
          Y.astype("float32"))


@pytest.mark.parametrize("data,kw", [
    ((X, T), {}), ((X, T_IGN), {}), ((X, T_IGN), {"weight": W}), ((X[0], np.array(3)), {}),
    ((X3, T3), {}), ((X3, T3), {"weight": W[:3]}), ((X4, T4), {}), ((X4, T4), {"ignore_index": 0}),
    ((X[:0], T[:0]), {}), ((X, T), {"ignore_index": 2}),
])
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_cross_entropy(name, data, kw, reduction):
    def fn(m, x, t):
        k = {a: (m.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
        return getattr(m.nn.functional, name)(x, t, reduction=reduction, **k)
    check(fn, *data)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_batches_float32_and_byte_targets(reduction):
    # rows with no ignored target take the array path in both directions
    x = rand(37, 10, dtype="float32", seed=6, low=-4, high=4)
    t = np.random.default_rng(7).integers(0, 10, 37)
    for target in (t, t.astype(np.uint8)):
        check(lambda m, a, b: m.nn.functional.cross_entropy(a, b, reduction=reduction), x, target)
        check(lambda m, a, b: m.nn.functional.nll_loss(a.log_softmax(1), b, reduction=reduction), x, target)


@pytest.mark.parametrize("data,weight", [((X, T), None), ((X, T_IGN), W), ((X3, T3), W[:3]), ((X, P), None),
                                         ((X, P), W), ((X3, rand(2, 3, 4, dtype="float64")), None)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_smoothing_and_probs(data, weight, reduction):
    check(lambda m, x, t: m.nn.functional.cross_entropy(x, t, _w(m, weight), reduction=reduction,
                                                        label_smoothing=0.15), *data)
    check(lambda m, x, t: m.nn.functional.cross_entropy(x.float(), t, reduction=reduction), *data)


def test_cross_entropy_fused_matches_composed():
    x = numtorch.tensor(X3, requires_grad=True)
    t = numtorch.tensor(T3)
    fused = numtorch.nn.functional.cross_entropy(x, t, reduction="sum")
    composed = numtorch.nn.functional.nll_loss(x.log_softmax(1), t, reduction="sum")
    g1, = numtorch.autograd.grad(fused, x, create_graph=True)
    g2, = numtorch.autograd.grad(composed, x, create_graph=True)
    np.testing.assert_allclose(fused.item(), composed.item())
    np.testing.assert_allclose(g1.detach().numpy(), g2.detach().numpy(), atol=1e-12)
    h1, = numtorch.autograd.grad(g1.pow(2).sum(), x)
    h2, = numtorch.autograd.grad(g2.pow(2).sum(), x)
    np.testing.assert_allclose(h1.numpy(), h2.numpy(), atol=1e-12)


def test_node_names():
    x = numtorch.tensor(X, requires_grad=True)
    F = numtorch.nn.functional
    t = numtorch.tensor(T)
    assert F.cross_entropy(x, t).grad_fn.name() == "NllLossBackward0"
    assert F.nll_loss(numtorch.tensor(X4, requires_grad=True), numtorch.tensor(T4)).grad_fn.name() == \
        "NllLoss2DBackward0"
    assert F.mse_loss(x, x * 2).grad_fn.name() == "MseLossBackward0"
    assert F.binary_cross_entropy_with_logits(x, x).grad_fn.name() == "BinaryCrossEntropyWithLogitsBackward0"


@pytest.mark.parametrize("fn", [
    lambda m, x: m.nn.functional.nll_loss(x, m.tensor([0, 1, 5, 0])),
    lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 1, -3, 0])),
    lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 1, 2, 0], dtype=m.int32)),
    lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 1])),
    lambda m, x: m.nn.functional.cross_entropy(x, m.zeros(4, 5, dtype=m.long)),
    lambda m, x: m.nn.functional.cross_entropy(x, m.rand(4, 5), ignore_index=1),
    lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([0, 1, 2, 0]), label_smoothing=1.5),
    lambda m, x: m.nn.functional.nll_loss(x, m.tensor([0, 1, 2, 0]), weight=m.ones(3)),
    lambda m, x: m.nn.functional.nll_loss(x, m.tensor([0, 1, 2, 0]), weight=m.ones(5, requires_grad=True)),
    lambda m, x: m.nn.functional.nll_loss(x.reshape(2, 5, 2), m.zeros(2, 3, dtype=m.long)),
    lambda m, x: m.nn.functional.nll_loss(x, m.zeros(4, 2, dtype=m.long)),
    lambda m, x: m.nn.functional.mse_loss(x, x, reduction="foo"),
    lambda m, x: m.nn.functional.binary_cross_entropy(x, x),
    lambda m, x: m.nn.functional.binary_cross_entropy(x.sigmoid(), x[0].sigmoid()),
    lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(x, x[0]),
    lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(
        x, x, pos_weight=m.ones(5).requires_grad_()),
    lambda m, x: m.nn.functional.smooth_l1_loss(x, x, beta=-1.0),
    lambda m, x: m.nn.functional.huber_loss(x, x, delta=0.0),
    lambda m, x: m.nn.functional.l1_loss(x, x, weight=m.ones(5)),
    lambda m, x: m.nn.functional.multi_margin_loss(x, m.tensor([0, 1, 2, 3]), p=3),
    lambda m, x: m.nn.functional.soft_margin_loss(x, x.detach().requires_grad_()),
    lambda m, x: m.nn.functional.triplet_margin_with_distance_loss(x, x, x, margin=0),
    lambda m, x: m.nn.functional.gaussian_nll_loss(x, x, -m.ones(4, 5)),
    lambda m, x: m.nn.functional.gaussian_nll_loss(x, x, m.ones(3)),
    lambda m, x: m.nn.functional.margin_ranking_loss(x, x, x[0]),
])
def test_errors(fn):
    check_raises(fn, X)


def test_legacy_size_average_reduce_warns():
    check(lambda m, x, y: m.nn.functional.mse_loss(x, y, size_average=False), X, Y)
    check(lambda m, x, y: m.nn.functional.l1_loss(x, y, reduce=False), X, Y)
    check(lambda m, x, t: m.nn.functional.nll_loss(x, t, size_average=True, reduce=True), X, T)
    check(lambda m, x, y: m.nn.functional.mse_loss(x, y, reduction="elementwise_mean"), X, Y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    F = "binary_cross_entropy"
    check(lambda m, x, y: getattr(m.nn.functional, F)(x, y, reduction=reduction), P, P[::-1].copy())
    check(lambda m, x, y: getattr(m.nn.functional, F)(x, y, m.tensor(W), reduction=reduction), P, P.T.T)
    check(lambda m, x: getattr(m.nn.functional, F)(x, m.tensor([[0., 1.]])), np.array([[0.0, 1.0]]))
    check(lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(
        x, y, m.tensor(W), reduction=reduction, pos_weight=m.tensor(W[::-1].copy())), X * 20, P)
    check(lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, y, reduction=reduction), X, P)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    tgt = np.log(P) if log_target else P
    check(lambda m, x, y: m.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
          np.log(P[::-1].copy()), tgt)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", [
    lambda m, x, y, r: m.nn.functional.soft_margin_loss(x, m.tensor(SIGN).double(), reduction=r),
    lambda m, x, y, r: m.nn.functional.multilabel_soft_margin_loss(x, y.detach().sigmoid(), m.tensor(W),
                                                                  reduction=r),
    lambda m, x, y, r: m.nn.functional.multilabel_margin_loss(x, m.tensor(ML), reduction=r),
    lambda m, x, y, r: m.nn.functional.multilabel_margin_loss(x[1], m.tensor(ML[0]), reduction=r),
    lambda m, x, y, r: m.nn.functional.multi_margin_loss(x, m.tensor(T), reduction=r),
    lambda m, x, y, r: m.nn.functional.multi_margin_loss(x, m.tensor(T), p=2, margin=0.7, weight=m.tensor(W),
                                                         reduction=r),
    lambda m, x, y, r: m.nn.functional.multi_margin_loss(x[0], m.tensor(3), reduction=r),
    lambda m, x, y, r: m.nn.functional.margin_ranking_loss(x[0], y[0], m.tensor(SIGN[1]), 0.3, reduction=r),
    lambda m, x, y, r: m.nn.functional.hinge_embedding_loss(x, m.tensor(SIGN), 0.5, reduction=r),
    lambda m, x, y, r: m.nn.functional.cosine_embedding_loss(x, y, m.tensor(SIGN[:, 0]), 0.1, reduction=r),
    lambda m, x, y, r: m.nn.functional.cosine_embedding_loss(x[0], y[0], m.tensor(-1.), reduction=r),
    lambda m, x, y, r: m.nn.functional.triplet_margin_loss(x, y, x * 2, reduction=r),
    lambda m, x, y, r: m.nn.functional.triplet_margin_loss(x, y, x.flip(0), p=1, swap=True, reduction=r),
    lambda m, x, y, r: m.nn.functional.triplet_margin_with_distance_loss(x, y, x * 2, reduction=r, swap=True),
    lambda m, x, y, r: m.nn.functional.triplet_margin_with_distance_loss(
        x, y, x * 2, distance_function=lambda a, b: 1 - m.nn.functional.cosine_similarity(a, b), reduction=r),
    lambda m, x, y, r: m.nn.functional.poisson_nll_loss(x, y.abs() * 2, reduction=r),
    lambda m, x, y, r: m.nn.functional.poisson_nll_loss(x.abs(), y.abs() * 2, log_input=False, full=True,
                                                        reduction=r),
    lambda m, x, y, r: m.nn.functional.gaussian_nll_loss(x, y, y.abs()[:, 0], reduction=r),
    lambda m, x, y, r: m.nn.functional.gaussian_nll_loss(x, y, y.abs()[:, :1], full=True, reduction=r),
    lambda m, x, y, r: m.nn.functional.gaussian_nll_loss(x, y, 0.5, reduction=r),
])
def test_composed_losses(fn, reduction):
    check(lambda m, x, y: fn(m, x, y, reduction), X, Y)


@pytest.mark.parametrize("fn", [
    lambda m, x, y: m.nn.functional.cosine_similarity(x, y),
    lambda m, x, y: m.nn.functional.cosine_similarity(x, y[0], dim=-1, eps=0.5),
    lambda m, x, y: m.nn.functional.cosine_similarity(x.T, y.T, 0),
    lambda m, x, y: m.nn.functional.cosine_similarity(x * 0, y),
    lambda m, x, y: m.nn.functional.pairwise_distance(x, y),
    lambda m, x, y: m.nn.functional.pairwise_distance(x, y[0], p=1, keepdim=True),
    lambda m, x, y: m.nn.functional.pairwise_distance(x[0], y[0], p=3.5),
    lambda m, x, y: m.nn.functional.pairwise_distance(x, y, p=float("inf")),
    lambda m, x, y: m.nn.functional.pdist(x),
    lambda m, x, y: m.nn.functional.pdist(x.T, p=1),
    lambda m, x, y: m.nn.functional.pdist(x, p=1.5),
    lambda m, x, y: m.nn.functional.pdist(x, p=float("inf")),
    lambda m, x, y: m.nn.functional.pdist(x[:1]),
    lambda m, x, y: m.pdist(x, 3),
    lambda m, x, y: m.cosine_similarity(x, y, 1),
])
def test_distances(fn):
    check(fn, X, Y)
    check(fn, X.astype("float32"), Y.astype("float32"))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.nn.functional.pdist(x[0]),
    lambda m, x: m.nn.functional.pdist(x, p=-1),
    lambda m, x: m.nn.functional.cosine_similarity(x.long(), x.long()),
])
def test_distance_errors(fn):
    check_raises(fn, X)


@pytest.mark.parametrize("fn", [
    lambda F, x, t: F.cross_entropy(x, t, label_smoothing=0.1),
    lambda F, x, t: F.cross_entropy(x, t, numtorch.tensor(W)),
    lambda F, x, t: F.nll_loss(x, t, reduction="none"),
    lambda F, x, t: F.multi_margin_loss(x, t, p=2),
    lambda F, x, t: F.multilabel_margin_loss(x, numtorch.tensor(ML)),
    lambda F, x, t: F.binary_cross_entropy(x.sigmoid(), numtorch.tensor(P)),
    lambda F, x, t: F.binary_cross_entropy_with_logits(x, numtorch.tensor(P), pos_weight=numtorch.tensor(W)),
    lambda F, x, t: F.smooth_l1_loss(x, x.flip(0), beta=0.7),
    lambda F, x, t: F.huber_loss(x, x.flip(0), delta=0.7),
    lambda F, x, t: F.soft_margin_loss(x, numtorch.tensor(SIGN.astype("float64"))),
    lambda F, x, t: F.mse_loss(x, x.flip(1)),
    lambda F, x, t: F.pdist(x),
    lambda F, x, t: F.pdist(x, 1.5),
    lambda F, x, t: F.cosine_similarity(x, x.flip(0)),
    lambda F, x, t: F.pairwise_distance(x, x.flip(0)),
    lambda F, x, t: F.kl_div(x, numtorch.tensor(P), reduction="batchmean"),
])
def test_gradcheck(fn):
    x = numtorch.tensor(X, requires_grad=True)
    t = numtorch.tensor(T)
    F = numtorch.nn.functional
    assert numtorch.autograd.gradcheck(lambda a: fn(F, a, t), (x,))


@pytest.mark.parametrize("fn", [
    lambda F, x, t: F.cross_entropy(x, t),
    lambda F, x, t: F.binary_cross_entropy_with_logits(x, numtorch.tensor(P)),
    lambda F, x, t: F.nll_loss(x.log_softmax(1), t),
])
def test_gradgradcheck(fn):
    x = numtorch.tensor(X, requires_grad=True)
    assert numtorch.autograd.gradgradcheck(lambda a: fn(numtorch.nn.functional, a, numtorch.tensor(T)), (x,))


@pytest.mark.parametrize("name", ["multi_margin", "multilabel_margin", "pdist", "nll"])
def test_second_derivative_like_torch(name):
    # torch computes these first derivatives with kernels that have no derivative of their own (pdist,
    # the margin losses: differentiating again raises) or that name the input only through the target
    # (nll: zeros); numtorch's first derivatives carry the same graph
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        F = lib.nn.functional
        x = lib.tensor(X, requires_grad=True)
        t = lib.tensor(T)
        out = {"multi_margin": lambda: F.multi_margin_loss(x, t, p=2),
               "multilabel_margin": lambda: F.multilabel_margin_loss(x, lib.tensor(ML)),
               "pdist": lambda: F.pdist(x, 1.5).sum(), "nll": lambda: F.nll_loss(x, t)}[name]()
        g1 = lib.autograd.grad(out, x, create_graph=True)[0]
        try:
            g2 = lib.autograd.grad(g1.sum(), x)[0].numpy()
        except (RuntimeError, NotImplementedError) as e:
            g2 = (type(e), str(e))
        res.append((g1.requires_grad, g1.grad_fn.name(), g2))
    assert res[0][0] == res[1][0] is True
    if isinstance(res[0][2], tuple):
        assert res[0][1:] == res[1][1:]
    else:
        np.testing.assert_array_equal(res[1][2], res[0][2])


# ---------------------------------------------------------------------------------------------- modules

MODULES = [
    ("L1Loss", {}, "xy"), ("MSELoss", {"reduction": "sum"}, "xy"), ("SmoothL1Loss", {"beta": 0.5}, "xy"),
    ("HuberLoss", {"delta": 0.5}, "xy"), ("NLLLoss", {"weight": W, "ignore_index": 2}, "xt"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": W}, "xt"), ("CrossEntropyLoss", {}, "xt"),
    ("BCELoss", {"weight": W}, "pp"), ("BCEWithLogitsLoss", {"pos_weight": W}, "xp"),
    ("KLDivLoss", {"reduction": "batchmean"}, "xp"), ("SoftMarginLoss", {}, "xs"),
    ("MultiLabelSoftMarginLoss", {"weight": W}, "xp"), ("MultiLabelMarginLoss", {}, "xm"),
    ("MultiMarginLoss", {"p": 2, "weight": W}, "xt"), ("HingeEmbeddingLoss", {"margin": 2.0}, "xs"),
    ("PoissonNLLLoss", {"full": True}, "xp"), ("GaussianNLLLoss", {"full": True}, "xyv"),
    ("MarginRankingLoss", {"margin": 0.2}, "xys"), ("CosineEmbeddingLoss", {"margin": 0.2}, "xyc"),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, "xyz"), ("TripletMarginWithDistanceLoss", {}, "xyz"),
    ("MSELoss", {"size_average": False}, "xy"), ("CosineSimilarity", {"dim": 0}, "xy"),
    ("PairwiseDistance", {"p": 3.0, "keepdim": True}, "xy"),
]


@pytest.mark.parametrize("name,kw,args", MODULES)
def test_loss_modules(name, kw, args, oracle):
    data = {"x": X, "y": Y, "z": X * 2, "p": P, "v": np.abs(Y) + 0.1}
    extra = {"t": T, "s": SIGN.astype("float64"), "m": ML, "c": SIGN[:, 0].astype("float64")}

    def fn(m, *ins):
        k = {a: (m.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
        mod = getattr(m.nn, name)(**k)
        rest = []
        for a, tensor in zip(args, ins):
            rest.append(tensor if a in data else m.tensor(extra[a]))
        assert repr(mod) == repr(getattr(oracle.nn, name)(**{a: (oracle.tensor(b) if isinstance(b, np.ndarray)
                                                                  else b) for a, b in kw.items()}))
        return mod(*rest)
    check(fn, *[data.get(a, np.zeros(1)) for a in args])


def test_loss_module_state():
    m = numtorch.nn.BCEWithLogitsLoss(weight=numtorch.ones(2), pos_weight=numtorch.ones(2))
    assert list(m.state_dict()) == ["weight", "pos_weight"]
    assert list(numtorch.nn.CrossEntropyLoss().state_dict()) == []
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert numtorch.nn.MSELoss(reduce=False).reduction == "none"
    with pytest.raises(ValueError):
        numtorch.nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError):
        numtorch.nn.TripletMarginLoss(margin=0)


def test_nll_loss_2d_is_a_deprecated_nll_loss():
    import warnings
    torch = need_torch()
    x = rand(2, 3, 4, 5, seed=4)
    t = np.random.default_rng(5).integers(0, 3, (2, 4, 5))
    res = []
    for lib in (torch, numtorch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = lib.nn.NLLLoss2d(ignore_index=1, reduction="sum")
        a = lib.tensor(x, requires_grad=True)
        out = loss(a.log_softmax(1), lib.tensor(t))
        out.backward()
        res.append((repr(loss), [(w.category.__name__, str(w.message)) for w in caught], out.item(),
                    a.grad.numpy(), type(loss).__mro__[1].__name__))
    assert res[0][:2] == res[1][:2] and res[0][4] == res[1][4]
    np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-6)
    np.testing.assert_allclose(res[1][3], res[0][3], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,param", [("mse_loss", None), ("smooth_l1_loss", 0.7), ("smooth_l1_loss", 2.3),
                                        ("huber_loss", 0.7), ("huber_loss", 2.3)])
def test_regression_loss_grad_bits(dtype, reduction, name, param):
    # the derivatives in torch's operation order: norm * (a - b) * grad (norm = 2/n for mse's mean, taken
    # in the input's type), norm * (d / beta) * grad for smooth L1 (in float32 for 16-bit inputs),
    # (norm * delta) * grad on huber's linear parts: input and target gradients equal torch's bit for bit
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((8, 16, 12)) * 2).astype(np.float32)
    y = (x * 0.3 + rng.standard_normal(x.shape)).astype(np.float32)
    kw = {} if param is None else {"beta": param} if name == "smooth_l1_loss" else {"delta": param}

    def bits(lib):
        dt = getattr(lib, dtype)
        a, b = lib.tensor(x).to(dt).requires_grad_(), lib.tensor(y).to(dt).requires_grad_()
        loss = getattr(lib.nn.functional, name)(a, b, reduction=reduction, **kw)
        g = np.random.default_rng(2).standard_normal(tuple(loss.shape)).astype(np.float32)
        loss.backward(lib.tensor(g).to(loss.dtype))
        return [t.grad.double().numpy().view(np.int64) for t in (a, b)]
    for n, t in zip(bits(numtorch), bits(need_torch())):
        assert np.array_equal(n, t)


@pytest.mark.parametrize("n", [60, 7, 100])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_grad_bits(n, reduction, ignore):
    # torch's derivative of the mean is -(grad / total_weight) at the targets ((1 / total) * grad differed
    # whenever the count is not a power of two)
    rng = np.random.default_rng(n)
    x = (rng.standard_normal((n, 10)) * 2).astype(np.float32)
    t = rng.integers(0, 10, n)
    if ignore:
        t = np.where(np.arange(n) % 4 == 0, -100, t)

    def grad(lib):
        a = lib.tensor(x).requires_grad_()
        loss = lib.nn.functional.nll_loss(a, lib.tensor(t), reduction=reduction)
        loss.backward(lib.tensor(np.random.default_rng(1).standard_normal(tuple(loss.shape)).astype(np.float32)))
        return a.grad.numpy().view(np.int32)
    assert np.array_equal(grad(numtorch), grad(need_torch()))


@pytest.mark.parametrize("n", [10, 100, 5000, (8, 16, 12)])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_value_bits(n, name, reduction, dtype):
    # a loss's reduction follows torch's summation order: the value (as printed with .item()) is torch's
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(n), rng.random(n)

    def run(lib):
        t = lambda v: lib.tensor(v).to(getattr(lib, dtype))  # noqa: E731
        return getattr(lib.nn.functional, name)(t(a), t(b), reduction=reduction).item()
    assert run(numtorch) == run(need_torch())


@pytest.mark.parametrize("call", [lambda F, lib: F.kl_div(lib.zeros(3, 4), lib.zeros(3, 4)),
                                  lambda F, lib: F.mse_loss(lib.zeros(3, 4), lib.zeros(4)),
                                  lambda F, lib: F.l1_loss(lib.zeros(3, 4), lib.zeros(4))])
def test_loss_warning_location(call):
    # the warning names the caller's line, as torch's does (numtorch's autocast wrapper frame not counted)
    import warnings
    for lib in (numtorch, need_torch()):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            call(lib.nn.functional, lib)
        assert [x.filename for x in w] == [__file__]
