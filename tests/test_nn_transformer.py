"""Transformer layers against the torch oracle: seeded init, reprs, forward, input and parameter grads."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, need_torch, rand, to_np


def _build(factory, seed=0):
    torch = need_torch()
    mods = {}
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            mods[lib] = factory(lib)
        mods[lib, "warn"] = [str(x.message) for x in w]
    return mods


def _compare(factory, inputs, train=True, dtype="float32", atol=1e-5, rtol=1e-4, seed=0, grad=True, **kw):
    """Build the module in both libraries from one seed, then compare state, repr, outputs and grads."""
    torch = need_torch()
    mods = _build(factory, seed)
    t, n = mods[torch], mods[numtorch]
    assert mods[torch, "warn"] == mods[numtorch, "warn"]
    assert repr(n) == repr(t)
    assert list(n.state_dict()) == list(t.state_dict())
    for (k, a), b in zip(n.state_dict().items(), t.state_dict().values()):
        assert_same(a, b, what=k)
    outs = {}
    for lib, m in ((torch, t), (numtorch, n)):
        m.to(getattr(lib, dtype))
        m.train(train)
        xs = [x.astype(dtype) if isinstance(x, np.ndarray) and x.dtype.kind == "f" else x for x in inputs]
        xs = [lib.tensor(x, requires_grad=grad and x.dtype.kind == "f") if isinstance(x, np.ndarray) else x
              for x in xs]
        extra = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        out = m(*xs, **extra)
        grads = None
        if grad:
            seed_grad = lib.tensor(rand(*out.shape, seed=5, dtype=dtype))
            wrt = [x for x in xs if isinstance(x, lib.Tensor) and x.requires_grad] + list(m.parameters())
            grads = lib.autograd.grad(out, wrt, seed_grad, allow_unused=True)
        outs[lib] = out, grads
    (to, tg), (no, ng) = outs[torch], outs[numtorch]
    assert_same(no, to, atol, rtol)
    if grad:
        for i, (a, b) in enumerate(zip(ng, tg)):
            if b is None:
                assert a is None or not np.any(to_np(a))
            else:
                assert_same(a, b, atol * 10, rtol * 10, what=f"grad[{i}]")
    return outs


def _enc(**kw):
    return lambda lib: lib.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **kw)


def _dec(**kw):
    return lambda lib: lib.nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **kw)


@pytest.mark.parametrize("kw", [{}, {"norm_first": True}, {"activation": "gelu"}, {"batch_first": True},
                                {"bias": False}, {"layer_norm_eps": 1e-3}])
@pytest.mark.parametrize("train", [True, False])
def test_encoder_layer(kw, train):
    _compare(_enc(**kw), [rand(5, 3, 8)], train=train)


def test_encoder_layer_activation_module_and_callable():
    _compare(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0, activation=lib.nn.GELU()),
             [rand(4, 2, 8)])
    _compare(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0, activation=lib.tanh), [rand(4, 2, 8)])
    mods = _build(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation=lib.nn.functional.gelu))
    assert mods[numtorch].activation_relu_or_gelu == 2


def test_encoder_layer_masks():
    n, s = 3, 5
    causal = np.triu(np.full((s, s), -np.inf, dtype=np.float32), 1)
    pad = np.zeros((n, s), dtype=bool)
    pad[0, 3:] = True
    pad[2, 4] = True
    _compare(_enc(), [rand(s, n, 8)], src_mask=causal)
    _compare(_enc(), [rand(s, n, 8)], src_key_padding_mask=pad)
    _compare(_enc(), [rand(s, n, 8)], src_mask=causal, is_causal=True)
    _compare(_enc(batch_first=True), [rand(n, s, 8)], src_mask=causal != 0, src_key_padding_mask=pad)


def test_encoder_layer_unbatched():
    _compare(_enc(), [rand(5, 8)])


@pytest.mark.parametrize("kw", [{}, {"norm_first": True}, {"batch_first": True}, {"activation": "gelu"}])
def test_decoder_layer(kw):
    bf = kw.get("batch_first", False)
    tgt, mem = (rand(3, 4, 8), rand(3, 6, 8, seed=1)) if bf else (rand(4, 3, 8), rand(6, 3, 8, seed=1))
    _compare(_dec(**kw), [tgt, mem])


def test_decoder_layer_masks():
    causal = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1)
    mem_pad = np.zeros((3, 6), dtype=bool)
    mem_pad[1, 4:] = True
    _compare(_dec(), [rand(4, 3, 8), rand(6, 3, 8, seed=1)], tgt_mask=causal, memory_key_padding_mask=mem_pad,
             tgt_is_causal=True)


def test_encoder_stack_and_warning():
    def enc(lib, **kw):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0, **kw)
        return lib.nn.TransformerEncoder(layer, 3, norm=lib.nn.LayerNorm(8))
    for kw in ({}, {"norm_first": True}, {"batch_first": True}, {"activation": lib_tanh}):
        _compare(lambda lib: enc(lib, **kw), [rand(3, 5, 8)] if kw.get("batch_first") else [rand(5, 3, 8)])
    _compare(lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2,
                                                   enable_nested_tensor=False), [rand(5, 3, 8)])
    odd = _build(lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(6, 3, batch_first=True),
                                                       1))
    assert odd[numtorch, "warn"] == odd[need_torch(), "warn"] and "odd" in odd[numtorch, "warn"][0]


def lib_tanh(x):
    return x.tanh()


def test_encoder_causal_detection():
    causal = np.triu(np.full((5, 5), -np.inf, dtype=np.float32), 1)
    _compare(lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2),
             [rand(5, 3, 8)], mask=causal)
    _compare(lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(8, 2, 16, 0.0), 2),
             [rand(5, 3, 8), rand(4, 3, 8, seed=2)], tgt_mask=causal)


@pytest.mark.parametrize("aligned", [True, False])
def test_encoder_nested_inference(aligned):
    """Eval + no_grad + padding mask: torch packs a nested tensor, so padded outputs come back as zeros."""
    torch = need_torch()
    pad = np.zeros((3, 5), dtype=bool)
    pad[0, 3:] = True
    pad[2, 4] = True
    if not aligned:
        pad[1, 1] = True
    mods = _build(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 2, norm=lib.nn.LayerNorm(8)))
    outs = []
    for lib in (torch, numtorch):
        m = mods[lib].eval()
        with lib.no_grad():
            outs.append(m(lib.tensor(rand(3, 5, 8)), src_key_padding_mask=lib.tensor(pad)))
    assert_same(outs[1], outs[0], atol=1e-5, rtol=1e-4)


def test_transformer_full():
    def make(lib):
        return lib.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2,
                                  dim_feedforward=16, dropout=0.0)
    causal = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1)
    _compare(make, [rand(6, 2, 8), rand(4, 2, 8, seed=1)], tgt_mask=causal)
    _compare(make, [rand(6, 2, 8), rand(4, 2, 8, seed=1)], train=False, dtype="float64", atol=1e-10,
             rtol=1e-8)


def test_transformer_batch_first_norm_first():
    def make(lib):
        return lib.nn.Transformer(d_model=8, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                                  dim_feedforward=8, dropout=0.0, batch_first=True, norm_first=True,
                                  activation="gelu")
    pad = np.zeros((2, 6), dtype=bool)
    pad[1, 4:] = True
    _compare(make, [rand(2, 6, 8), rand(2, 4, 8, seed=1)], src_key_padding_mask=pad,
             memory_key_padding_mask=pad)


def test_transformer_dropout_train_rng():
    def make(lib):
        return lib.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                  dim_feedforward=16, dropout=0.5)
    torch = need_torch()
    mods = _build(make)
    outs = []
    for lib in (torch, numtorch):
        lib.manual_seed(7)
        outs.append(mods[lib](lib.tensor(rand(5, 2, 8)), lib.tensor(rand(3, 2, 8, seed=1))))
    assert_same(outs[1], outs[0], atol=1e-5, rtol=1e-4)


def test_generate_square_subsequent_mask():
    torch = need_torch()
    for sz in (0, 1, 4):
        assert_same(numtorch.nn.Transformer.generate_square_subsequent_mask(sz),
                    torch.nn.Transformer.generate_square_subsequent_mask(sz))
    assert_same(numtorch.nn.Transformer.generate_square_subsequent_mask(3, dtype=numtorch.float64),
                torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))


def test_errors():
    torch = need_torch()
    for lib in (torch, numtorch):
        with pytest.raises(RuntimeError):
            lib.nn.TransformerEncoderLayer(8, 2, activation="tanh")
        m = lib.nn.Transformer(8, 2, 1, 1, 16)
        with pytest.raises(RuntimeError, match="batch number"):
            m(lib.zeros(5, 2, 8), lib.zeros(4, 3, 8))
        with pytest.raises(RuntimeError, match="feature number"):
            m(lib.zeros(5, 2, 8), lib.zeros(4, 2, 6))
        with pytest.raises(AssertionError):
            lib.nn.TransformerEncoderLayer(9, 2)


def test_deepcopy_clones_are_independent():
    m = numtorch.nn.TransformerEncoder(numtorch.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                       enable_nested_tensor=False)
    a, b = m.layers[0].linear1.weight, m.layers[1].linear1.weight
    assert a is not b and numtorch.equal(a, b)


def test_gradcheck_encoder_layer():
    numtorch.manual_seed(0)
    m = numtorch.nn.TransformerEncoderLayer(4, 2, 6, 0.0, norm_first=True).double()
    x = numtorch.randn(3, 2, 4, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda x: m(x), (x,))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("grad", [False, True])
def test_encoder_layer_inference_fully_masked_rows(norm_first, grad):
    """torch's fused inference kernel (eval, no grad) gives NaN rows where every key is padded."""
    torch = need_torch()
    pad = np.zeros((3, 5), dtype=bool)
    pad[0, 3:] = True
    pad[1, :] = True
    mods = _build(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True,
                                                             norm_first=norm_first))
    outs = []
    for lib in (torch, numtorch):
        m = mods[lib].eval()
        with lib.set_grad_enabled(grad):
            outs.append(m(lib.tensor(rand(3, 5, 8)), src_key_padding_mask=lib.tensor(pad)))
    assert_same(outs[1], outs[0], atol=1e-5, rtol=1e-4)
