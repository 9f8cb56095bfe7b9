"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention vs torch."""
import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import assert_same, check, check_raises, need_torch, rand

F64 = dict(atol=1e-10, rtol=1e-9)


def _f(lib):
    return lib.nn.functional


Q, K, V = rand(2, 3, 4, 8, seed=1), rand(2, 3, 5, 8, seed=2), rand(2, 3, 5, 6, seed=3)
MASK = rand(4, 5, dtype="bool", seed=4)
MASK[1] = False  # a query row that sees no key: zeros, as torch


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3}, {"is_causal": True, "scale": -1.5}])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa(kw, dtype):
    tol = F64 if dtype == "float64" else dict(atol=1e-5, rtol=1e-4)
    q, k, v = (a.astype(dtype) for a in (Q, K, V))
    check(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, **kw), q, k, v, **tol)


@pytest.mark.parametrize("mask", [MASK, rand(3, 4, 5, seed=5), rand(2, 1, 4, 5, dtype="bool", seed=6),
                                  np.zeros((4, 5), bool)])
def test_sdpa_masks(mask):
    check(lambda m, q, k, v, a: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=a), Q, K, V, mask,
          atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("shapes", [((4, 8), (5, 8), (5, 6)), ((3, 4, 8), (3, 5, 8), (3, 5, 6)),
                                    ((1, 1, 1, 8), (1, 1, 1, 8), (1, 1, 1, 6)),
                                    ((2, 3, 4, 8), (5, 8), (5, 6)),
                                    ((0, 3, 4, 8), (0, 3, 5, 8), (0, 3, 5, 6))])
def test_sdpa_shapes(shapes):
    data = [rand(*s, seed=i, dtype="float64") for i, s in enumerate(shapes)]
    check(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v), *data, **F64)


def test_sdpa_noncontiguous():
    q = rand(2, 4, 3, 8, seed=7, dtype="float64")
    check(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q.transpose(1, 2), k.mT.mT, v[..., ::1]),
          q, K.astype("float64"), V.astype("float64"), **F64)


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_sdpa_dropout(p):
    def fn(m, q, k, v):
        m.manual_seed(3)
        return _f(m).scaled_dot_product_attention(q, k, v, dropout_p=p)
    check(fn, Q.astype("float64"), K.astype("float64"), V.astype("float64"), **F64)


def test_sdpa_gqa():
    k, v = K[:, :1].astype("float64"), V[:, :1].astype("float64")
    check(lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, enable_gqa=True),
          Q.astype("float64"), k, v, **F64)


@pytest.mark.parametrize("fn", [
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=m.ones(4, 5).bool(),
                                                          is_causal=True),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=m.ones(4, 5, dtype=m.int64)),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q.double(), k, v),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k[..., :7], v),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k[:, :2], v[:, :2], enable_gqa=True),
    lambda m, q, k, v: _f(m).scaled_dot_product_attention(q, k, v, attn_mask=m.ones(3, 5)),
])
def test_sdpa_errors(fn):
    check_raises(fn, Q, K, V)


def test_sdpa_gradcheck():
    rng = np.random.default_rng(0)
    shapes = ((2, 3, 4), (2, 5, 4), (2, 5, 3))
    q, k, v = (numtorch.tensor(rng.normal(size=s), requires_grad=True) for s in shapes)
    mask = numtorch.tensor(rng.normal(size=(3, 5)), requires_grad=True)
    fn = _f(numtorch).scaled_dot_product_attention
    assert numtorch.autograd.gradcheck(lambda q, k, v, a: fn(q, k, v, attn_mask=a), (q, k, v, mask))
    assert numtorch.autograd.gradgradcheck(lambda q, k, v: fn(q, k, v, is_causal=True), (q, k, v))


# ---------------------------------------------------------------------------------- functional MHA

E, H, L, S, B = 8, 2, 4, 5, 3
X, KV = rand(L, B, E, seed=10, dtype="float64"), rand(S, B, E, seed=11, dtype="float64")
W, BW = rand(3 * E, E, seed=12, dtype="float64"), rand(3 * E, seed=13, dtype="float64")
WO, BO = rand(E, E, seed=14, dtype="float64"), rand(E, seed=15, dtype="float64")
BK, BV = rand(1, 1, E, seed=16, dtype="float64"), rand(1, 1, E, seed=17, dtype="float64")
KPM = np.zeros((B, S), bool)
KPM[0, -2:] = True
AM = rand(L, S, seed=18, dtype="float64")


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_mha_forward_self(need_weights, average):
    def fn(m, x, w, b, wo, bo):
        return _f(m).multi_head_attention_forward(x, x, x, E, H, w, b, None, None, False, 0.0, wo, bo,
                                                  need_weights=need_weights, average_attn_weights=average)
    check(fn, X, W, BW, WO, BO, **F64)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("training", [True, False])
def test_mha_forward_everything(need_weights, training):
    def fn(m, x, kv, w, b, wo, bo, bk, bv, kpm, am):
        m.manual_seed(0)
        return _f(m).multi_head_attention_forward(x, kv, kv, E, H, w, b, bk, bv, True, 0.3, wo, bo,
                                                  training=training, key_padding_mask=kpm, attn_mask=am,
                                                  need_weights=need_weights)
    check(fn, X, KV, W, BW, WO, BO, BK, BV, KPM, AM.astype(bool), **F64)


def test_mha_forward_separate_and_unbatched():
    def fn(m, x, kv, w, b, wo, bo, am):
        wq, wk, wv = w.chunk(3)
        return _f(m).multi_head_attention_forward(x[:, 0], kv[:, 0], kv[:, 0], E, H, None, b, None, None,
                                                  False, 0.0, wo, bo, attn_mask=am,
                                                  use_separate_proj_weight=True, q_proj_weight=wq,
                                                  k_proj_weight=wk, v_proj_weight=wv)
    check(fn, X, KV, W, BW, WO, BO, AM, **F64)


@pytest.mark.parametrize("fn", [
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x, x, x, E + 1, H, w, b, None, None, False,
                                                                  0.0, wo, bo),
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x, x, x, E, 3, w, b, None, None, False, 0.0,
                                                                  wo, bo),
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x[0, 0], x, x, E, H, w, b, None, None,
                                                                  False, 0.0, wo, bo),
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x, x, x, E, H, w, b, None, None, False, 0.0,
                                                                  wo, bo, is_causal=True),
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x, x, x, E, H, w, b, None, None, False, 0.0,
                                                                  wo, bo, attn_mask=m.ones(3, 3)),
    lambda m, x, w, b, wo, bo: _f(m).multi_head_attention_forward(x, x, x, E, H, w, b, None, None, False, 0.0,
                                                                  wo, bo,
                                                                  key_padding_mask=m.ones(3, 3).int()),
])
def test_mha_forward_errors(fn):
    check_raises(fn, X, W, BW, WO, BO)


def test_mha_forward_gradcheck():
    x, w, b, wo, bo = (numtorch.tensor(a[..., :4] if a.ndim == 3 else a, requires_grad=True)
                       for a in (X[:2, :2], W[:12, :4], BW[:12], WO[:4, :4], BO[:4]))

    def fn(x, w, b, wo, bo):
        mha = _f(numtorch).multi_head_attention_forward
        return mha(x, x, x, 4, 2, w, b, None, None, False, 0.0, wo, bo)[0]
    assert numtorch.autograd.gradcheck(fn, (x, w, b, wo, bo))


# ------------------------------------------------------------------------------- nn.MultiheadAttention

from test_nn_rnn import compare_layer, layer_pair  # noqa: E402

MHA = [((8, 2), {}), ((8, 4), {"bias": False}), ((8, 2), {"add_bias_kv": True, "add_zero_attn": True}),
       ((8, 2), {"kdim": 5, "vdim": 3}), ((8, 2), {"batch_first": True, "dropout": 0.2})]


@pytest.mark.parametrize("args,kw", MHA)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention(args, kw, dtype, train, need_weights):
    n, t = layer_pair("MultiheadAttention", args, kw, dtype)
    q, k, v = rand(4, 3, 8, seed=1, dtype=dtype), rand(5, 3, kw.get("kdim", 8), seed=2, dtype=dtype), rand(
        5, 3, kw.get("vdim", 8), seed=3, dtype=dtype)
    tol = dict(atol=1e-10, rtol=1e-9) if dtype == "float64" else {}

    def fn(m, mod, q, k, v):
        if mod.batch_first:
            q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        return mod(q, k, v, need_weights=need_weights)
    compare_layer(n, t, fn, q, k, v, train=train, **tol)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("batch_first", [True, False])
def test_multihead_attention_self_masks(train, batch_first):
    n, t = layer_pair("MultiheadAttention", (8, 2), {"batch_first": batch_first}, "float64")
    x = rand(3, 4, 8, seed=4, dtype="float64")
    kpm = np.zeros((3, 4), bool)
    kpm[0, -1] = True
    causal = np.triu(np.ones((4, 4), bool), 1)

    def fn(m, mod, x0, kpm, am):
        x = x0 if mod.batch_first else x0.transpose(0, 1)
        return (mod(x, x, x, key_padding_mask=kpm, attn_mask=am), mod(x, x, x, attn_mask=am, is_causal=True,
                need_weights=False), mod(x0[0], x0[0], x0[0], average_attn_weights=False))
    compare_layer(n, t, fn, x, kpm, causal, train=train, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("args,kw", [((0, 2), {}), ((8, 3), {}), ((8, -1), {})])
def test_multihead_attention_errors(args, kw):
    check_raises(lambda m: m.nn.MultiheadAttention(*args, **kw))


def test_sdpa_kernel_selects_backends_like_torch():
    torch = need_torch()
    q = rand(1, 2, 4, 8, seed=11)
    res = {}
    for lib in (torch, numtorch):
        A, flags = lib.nn.attention, lib.backends.cuda
        t = lib.tensor(q)
        got = []
        for choice in (A.SDPBackend.MATH, [A.SDPBackend.FLASH_ATTENTION], [A.SDPBackend.EFFICIENT_ATTENTION], [],
                       [A.SDPBackend.MATH, A.SDPBackend.CUDNN_ATTENTION]):
            with A.sdpa_kernel(choice):
                state = (flags.math_sdp_enabled(), flags.flash_sdp_enabled(), flags.mem_efficient_sdp_enabled(),
                         flags.cudnn_sdp_enabled())
                try:
                    out = lib.nn.functional.scaled_dot_product_attention(t, t, t).numpy()
                except RuntimeError as e:
                    out = str(e)
            got.append((state, out))
        got.append((flags.math_sdp_enabled(), flags.flash_sdp_enabled(), flags.mem_efficient_sdp_enabled(),
                    flags.cudnn_sdp_enabled()))
        got.append((repr(A.SDPBackend.MATH), str(A.SDPBackend.FLASH_ATTENTION), A.SDPBackend(2).name,
                    A.SDPBackend.MATH == 0, [(k, m.value) for k, m in A.SDPBackend.__members__.items()]))
        res[lib.__name__] = got
    for (ts, tv), (ns, nv) in zip(res["torch"][:5], res["numtorch"][:5]):
        assert ts == ns
        if isinstance(tv, str):
            assert nv == tv
        else:
            np.testing.assert_allclose(nv, tv, rtol=1e-5, atol=1e-6)
    assert res["torch"][5:] == res["numtorch"][5:]


def test_sdpa_kernel_rejects_names():
    torch = need_torch()
    msgs = []
    for lib in (torch, numtorch):
        with pytest.raises(AssertionError) as info:
            with lib.nn.attention.sdpa_kernel("math"):
                pass
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_backend_flags_toggle():
    torch = need_torch()
    for lib in (torch, numtorch):
        flags = lib.backends.cuda
        flags.enable_math_sdp(False)
        flags.enable_flash_sdp(False)
        try:
            with pytest.raises(RuntimeError, match="No viable backend"):
                t = lib.ones(1, 1, 2, 2)
                lib.nn.functional.scaled_dot_product_attention(t, t, t)
        finally:
            flags.enable_math_sdp(True)
            flags.enable_flash_sdp(True)
        assert flags.math_sdp_enabled() and flags.flash_sdp_enabled()
        assert flags.fp16_bf16_reduction_math_sdp_allowed() is False
