"""Recurrent ops (torch.lstm/gru/rnn_* and cells), nn.utils.rnn and the RNN layers vs torch."""
import importlib

import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import assert_same, check, check_raises, need_torch, rand

F64 = dict(atol=1e-10, rtol=1e-9)
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}
NR = importlib.import_module("numtorch.nn.utils.rnn")


def _params(mode, layers, dirs, feat, hidden, bias=True, proj=0, seed=0):
    rng = np.random.default_rng(seed)
    g = GATES[mode] * hidden
    out = []
    real = proj or hidden
    for layer in range(layers):
        for _ in range(dirs):
            fin = feat if layer == 0 else real * dirs
            out += [rng.uniform(-1, 1, (g, fin)), rng.uniform(-1, 1, (g, real))]
            if bias:
                out += [rng.uniform(-1, 1, g), rng.uniform(-1, 1, g)]
            if proj:
                out.append(rng.uniform(-1, 1, (proj, hidden)))
    return out


CASES = [  # mode, layers, bidirectional, bias, batch_first, proj
    ("rnn_tanh", 1, False, True, False, 0), ("rnn_relu", 2, True, True, True, 0),
    ("gru", 2, False, False, False, 0),
    ("gru", 1, True, True, True, 0), ("lstm", 2, True, True, False, 0), ("lstm", 1, False, False, True, 0),
    ("lstm", 2, True, True, False, 2),
]


@pytest.mark.parametrize("mode,layers,bidir,bias,batch_first,proj", CASES)
def test_rnn_ops(mode, layers, bidir, bias, batch_first, proj):
    dirs = 2 if bidir else 1
    params = _params(mode, layers, dirs, 4, 3, bias, proj)
    x = rand(2, 5, 4, seed=1, dtype="float64") if batch_first else rand(5, 2, 4, seed=1, dtype="float64")
    h0, c0 = rand(layers * dirs, 2, proj or 3, seed=2, dtype="float64"), rand(layers * dirs, 2, 3, seed=3,
                                                                                dtype="float64")

    def fn(m, x, h0, c0, *ps):
        m.manual_seed(0)
        args = (list(ps), bias, layers, 0.4, True, bidir, batch_first)
        if mode == "lstm":
            return m.lstm(x, [h0, c0], *args)
        return getattr(m, mode)(x, h0, *args)
    check(fn, x, h0, c0, *params, strides=True, **F64)


@pytest.mark.parametrize("mode", ["rnn_tanh", "gru", "lstm"])
def test_rnn_ops_packed(mode):
    params = _params(mode, 2, 2, 4, 3)
    data, sizes = rand(9, 4, seed=4, dtype="float64"), np.array([3, 3, 2, 1])
    h0, c0 = rand(4, 3, 3, seed=2, dtype="float64"), rand(4, 3, 3, seed=3, dtype="float64")

    def fn(m, x, bs, h0, c0, *ps):
        args = (list(ps), True, 2, 0.0, True, True)
        if mode == "lstm":
            return m.lstm(x, bs, [h0, c0], *args)
        return getattr(m, mode)(x, bs, h0, *args)
    check(fn, data, sizes, h0, c0, *params, **F64)


@pytest.mark.parametrize("mode", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(3,), (1,), ()])
def test_cell_ops(mode, bias, batch):
    w = _params(mode, 1, 1, 4, 5, bias)
    x, h, c = rand(*batch, 4, seed=5, dtype="float64"), rand(*batch, 5, seed=6, dtype="float64"), rand(
        *batch, 5, seed=7, dtype="float64")

    def fn(m, x, h, c, *w):
        if mode == "lstm":
            return m.lstm_cell(x, (h, c), *w)
        return getattr(m, mode + "_cell")(x, h, *w)
    check(fn, x, h, c, *w, **F64)


def test_cell_gradcheck():
    rng = np.random.default_rng(0)
    t = [numtorch.tensor(rng.normal(size=s), requires_grad=True) for s in ((2, 3), (2, 4), (2, 4), (16, 3),
                                                                            (16, 4), (16,), (16,))]
    x, h, c, *w = t
    assert numtorch.autograd.gradcheck(lambda *a: numtorch.lstm_cell(a[0], (a[1], a[2]), *a[3:]), t)
    assert numtorch.autograd.gradgradcheck(lambda x, h, wi, wh: numtorch.gru_cell(x, h, wi[:12], wh[:12]),
                                           (x, h, w[0], w[1]))


def test_packed_gradcheck():
    rng = np.random.default_rng(0)
    t = [numtorch.tensor(rng.normal(size=s), requires_grad=True) for s in ((4, 2), (1, 2, 3), (3, 2), (3, 3))]
    sizes = numtorch.tensor([2, 1, 1])
    assert numtorch.autograd.gradcheck(lambda x, h, wi, wh: numtorch.rnn_tanh(x, sizes, h, [wi, wh], False, 1,
                                                                              0.0, True, False)[0], t)


# ------------------------------------------------------------------------------------ nn.utils.rnn

def _utils(lib):
    return importlib.import_module(f"{lib.__name__}.nn.utils.rnn")


@pytest.mark.parametrize("lengths,sorted_,batch_first", [([4, 3, 1], True, False), ([2, 4, 1], False, False),
                                                         ([2, 3, 1], False, True), ([3, 3, 3], True, True),
                                                         ([1], True, False)])
@pytest.mark.parametrize("total", [None, 6])
def test_pack_pad_roundtrip(lengths, sorted_, batch_first, total):
    n = len(lengths)
    x = rand(n, 4, 2, seed=8, dtype="float64") if batch_first else rand(4, n, 2, seed=8, dtype="float64")

    def fn(m, x):
        r = _utils(m)
        p = r.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=sorted_)
        out, lens = r.pad_packed_sequence(p, batch_first=batch_first, padding_value=-3.0, total_length=total)
        return out, lens, *p
    check(fn, x, **F64)


def test_pack_lengths_tensor_and_transposed_input():
    x = rand(3, 4, 2, seed=9, dtype="float64")
    check(lambda m, x: tuple(_utils(m).pack_padded_sequence(x.transpose(0, 1), m.tensor([4, 2, 2]).int())),
          x, **F64)


@pytest.mark.parametrize("fn", [
    lambda m, x: _utils(m).pack_padded_sequence(x, [4, 3, 0]),
    lambda m, x: _utils(m).pack_padded_sequence(x, [4, 3]),
    lambda m, x: _utils(m).pack_padded_sequence(x, [3, 4, 2]),
    lambda m, x: _utils(m).pad_packed_sequence(_utils(m).pack_padded_sequence(x, [4, 3, 2]), total_length=2),
    lambda m, x: _utils(m).pad_sequence([]),
    lambda m, x: _utils(m).pad_sequence([x[0], x[1, :, :1].mT], padding_side="up"),
    lambda m, x: _utils(m).pad_sequence(3),
    lambda m, x: _utils(m).pack_sequence([x[0, :2], x[0]]),
])
def test_pack_errors(fn):
    check_raises(fn, rand(4, 3, 2))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("side", ["left", "right"])
def test_pad_sequence(batch_first, side):
    seqs = [rand(n, 2, seed=n, dtype="float64") for n in (2, 4, 3)]
    check(lambda m, *s: _utils(m).pad_sequence(list(s), batch_first, 7.0, side), *seqs, **F64)


def test_pad_sequence_dtypes():
    check(lambda m, a, b: _utils(m).pad_sequence([a, b], padding_value=-1), rand(2, dtype="int64"),
          rand(3, seed=1), grad=False)


def test_pack_unpack_sequence():
    seqs = [rand(n, 2, seed=n, dtype="float64") for n in (2, 4, 3)]

    def fn(m, *s):
        r = _utils(m)
        p = r.pack_sequence(list(s), enforce_sorted=False)
        return (*p, *r.unpack_sequence(p), *r.unpad_sequence(r.pad_sequence(list(s)), m.tensor([2, 4, 3])))
    check(fn, *seqs, **F64)


def test_packed_sequence_object():
    torch = need_torch()
    t = torch.nn.utils.rnn.pack_sequence([torch.ones(3), torch.ones(2)])
    n = NR.pack_sequence([numtorch.ones(3), numtorch.ones(2)])
    assert repr(n) == repr(t)
    assert n._fields == t._fields
    assert str(n.double().data.dtype) == str(t.double().data.dtype)
    assert n.to(numtorch.float32) is n and not n.is_cuda
    data, sizes = NR.PackedSequence((n.data, n.batch_sizes))[:2]
    assert data is n.data and sizes is n.batch_sizes
    assert_same(NR.invert_permutation(numtorch.tensor([2, 0, 1])),
                torch.nn.utils.rnn.invert_permutation(torch.tensor([2, 0, 1])))
    assert NR.invert_permutation(None) is None


# ------------------------------------------------------------------------------------------ layers

def _flat(x):
    if isinstance(x, (tuple, list)):
        return [y for item in x for y in _flat(item)]
    return [] if x is None else [x]


def layer_pair(cls, args, kw, dtype="float32"):
    """The layer built under the same seed in torch and numtorch: equal weights, equal repr."""
    torch = need_torch()
    torch.manual_seed(0)
    t = getattr(torch.nn, cls)(*args, **kw)
    numtorch.manual_seed(0)
    n = getattr(numtorch.nn, cls)(*args, **kw)
    assert repr(n) == repr(t)
    assert list(n.state_dict()) == list(t.state_dict())
    for (kn, pn), (kt, pt) in zip(n.named_parameters(), t.named_parameters(), strict=True):
        assert kn == kt
        np.testing.assert_array_equal(pn.detach().numpy(), pt.detach().numpy(), err_msg=kn)
    if dtype == "float64":
        return n.double(), t.double()
    return n, t


def compare_layer(n, t, fn, *data, train=True, atol=1e-5, rtol=1e-4):
    """fn(lib, module, *inputs) under both; outputs, input gradients and parameter gradients agree."""
    torch = need_torch()
    res = {}
    for lib, m in ((torch, t), (numtorch, n)):
        m.train(train)
        m.zero_grad()
        ins = [lib.tensor(d, requires_grad=d.dtype.kind == "f") if isinstance(d, np.ndarray) else d
               for d in data]
        lib.manual_seed(1)
        outs = _flat(fn(lib, m, *ins))
        rng = np.random.default_rng(5)
        loss = sum((o * lib.tensor(rng.uniform(-1, 1, tuple(o.shape)), dtype=o.dtype)).sum()
                   for o in outs if o.dtype.is_floating_point)
        loss.backward()
        grads = [x.grad for x in _flat(ins) if isinstance(x, lib.Tensor) and x.requires_grad]
        res[lib] = outs, grads, [p.grad for p in m.parameters()]
    for what, a, b in zip(("outputs", "input grads", "param grads"), res[numtorch], res[torch]):
        assert len(a) == len(b), what
        for x, y in zip(a, b):
            assert_same(x, y, atol, rtol, what=what)


RNN_LAYERS = [
    ("RNN", (4, 5), {}), ("RNN", (4, 5, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (4, 5), {"bias": False, "batch_first": True}), ("GRU", (4, 5, 2), {"dropout": 0.3}),
    ("GRU", (4, 5), {"bidirectional": True, "batch_first": True}), ("LSTM", (4, 5), {}),
    ("LSTM", (4, 5, 2), {"bidirectional": True, "dropout": 0.5}), ("LSTM", (4, 5, 2), {"proj_size": 3}),
    ("LSTM", (4, 5), {"proj_size": 2, "bias": False, "batch_first": True, "bidirectional": True}),
]


@pytest.mark.parametrize("cls,args,kw", RNN_LAYERS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("train", [True, False])
def test_rnn_layers(cls, args, kw, dtype, train):
    n, t = layer_pair(cls, args, kw, dtype)
    x = rand(3, 6, 4, seed=3, dtype=dtype)
    tol = dict(atol=1e-10, rtol=1e-9) if dtype == "float64" else {}
    compare_layer(n, t, lambda m, mod, x: mod(x.transpose(0, 1) if mod.batch_first else x), x, train=train,
                  **tol)


@pytest.mark.parametrize("cls,args,kw", RNN_LAYERS[::2])
def test_rnn_layers_hx_and_unbatched(cls, args, kw):
    n, t = layer_pair(cls, args, kw, "float64")
    dirs = 2 if kw.get("bidirectional") else 1
    layers = args[2] if len(args) > 2 else 1
    h = rand(layers * dirs, 2, kw.get("proj_size") or 5, seed=4, dtype="float64")
    c = rand(layers * dirs, 2, 5, seed=5, dtype="float64")
    x = rand(6, 2, 4, seed=6, dtype="float64")

    def fn(m, mod, x, h, c):
        hx = (h, c) if cls == "LSTM" else h
        full = mod(x.transpose(0, 1) if mod.batch_first else x, hx)
        one = mod(x[:, 0], (h[:, 0], c[:, 0]) if cls == "LSTM" else h[:, 0])
        return full, one, mod(x[:, 1])
    compare_layer(n, t, fn, x, h, c, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("cls,args,kw", RNN_LAYERS)
@pytest.mark.parametrize("sorted_", [True, False])
def test_rnn_layers_packed(cls, args, kw, sorted_):
    n, t = layer_pair(cls, args, kw, "float64")
    lengths = [6, 4, 4, 1] if sorted_ else [4, 6, 1, 4]
    x = rand(4, 6, 4, seed=7, dtype="float64")

    def fn(m, mod, x):
        r = _utils(m)
        p = r.pack_padded_sequence(x if mod.batch_first else x.transpose(0, 1), lengths, mod.batch_first,
                                   enforce_sorted=sorted_)
        out, hidden = mod(p)
        return tuple(out), r.pad_packed_sequence(out, mod.batch_first), hidden
    compare_layer(n, t, fn, x, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("cls,kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
                                    ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {}),
                                    ("LSTMCell", {"bias": False})])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cells(cls, kw, dtype):
    n, t = layer_pair(cls, (4, 5), kw, dtype)
    x, h = rand(3, 4, seed=1, dtype=dtype), rand(3, 5, seed=2, dtype=dtype)
    c = rand(3, 5, seed=3, dtype=dtype)
    tol = dict(atol=1e-10, rtol=1e-9) if dtype == "float64" else {}

    def fn(m, mod, x, h, c):
        hx = (h, c) if cls == "LSTMCell" else h
        one = (h[0], c[0]) if cls == "LSTMCell" else h[0]
        return mod(x, hx), mod(x), mod(x[0], one), mod(x.mT.mT[1])
    compare_layer(n, t, fn, x, h, c, **tol)


@pytest.mark.parametrize("cls,args,kw", [
    ("RNN", (4, 5), {"dropout": 0.5}), ("RNN", (4, 5), {"dropout": 1.5}), ("RNN", (4, 5), {"dropout": True}),
    ("RNN", (4, 5), {"nonlinearity": "gelu"}), ("RNN", (4, 5), {"proj_size": 2}),
    ("LSTM", (4, 5), {"proj_size": 5}),
    ("LSTM", (4, 5), {"proj_size": -1}), ("GRU", (4, 0), {}), ("GRU", (4.0, 5), {}), ("GRU", (4, 5, 0), {}),
    ("GRU", (4, 5), {"bias": 1}), ("LSTM", (4, 5), {"batch_first": None}), ("GRU", (4, 5), {"proj_size": 2}),
])
def test_rnn_construction_errors_and_warnings(cls, args, kw):
    check(lambda m: repr(getattr(m.nn, cls)(*args, **kw)), grad=False)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("call", [
    lambda mod, m: mod(m.zeros(2, 3, 4, 1)), lambda mod, m: mod(m.zeros(2, 3, 4).double()),
    lambda mod, m: mod(m.zeros(2, 3, 3)), lambda mod, m: mod(m.zeros(2, 3, 4), _hx(mod, m, (1, 2, 5))),
    lambda mod, m: mod(m.zeros(2, 3, 4), _hx(mod, m, (3, 5))),
    lambda mod, m: mod(m.zeros(3, 4), _hx(mod, m, (1, 3, 5))),
    lambda mod, m: mod(m.zeros(3, 4), _hx(mod, m, (1, 5))),
])
def test_rnn_forward_errors(cls, call):
    def fn(m):
        m.manual_seed(0)
        return call(getattr(m.nn, cls)(4, 5), m)
    check(fn, grad=False)


def _hx(mod, m, shape):
    h = m.zeros(*shape)
    return (h, h) if isinstance(mod, m.nn.LSTM) else h


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("call", [
    lambda mod, m: mod(m.zeros(2, 3, 4)), lambda mod, m: mod(m.zeros(3, 3)),
    lambda mod, m: mod(m.zeros(3, 4), _chx(mod, m, (2, 5))),
    lambda mod, m: mod(m.zeros(3, 4), _chx(mod, m, (1, 3, 5))),
])
def test_cell_forward_errors(cls, call):
    def fn(m):
        m.manual_seed(0)
        return call(getattr(m.nn, cls)(4, 5), m)
    check(fn, grad=False)


def _chx(mod, m, shape):
    h = m.zeros(*shape)
    return (h, h) if isinstance(mod, m.nn.LSTMCell) else h


def test_rnn_module_attributes():
    n, t = layer_pair("LSTM", (4, 5, 2), {"bidirectional": True, "proj_size": 3})
    assert n._flat_weights_names == t._flat_weights_names
    assert [[tuple(p.shape) for p in ws] for ws in n.all_weights] == [[tuple(p.shape) for p in ws]
                                                                        for ws in t.all_weights]
    assert (n.mode, n.hidden_size, n.proj_size, n.dropout) == (t.mode, t.hidden_size, t.proj_size, t.dropout)
    n.flatten_parameters()
    n.double()
    assert n._flat_weights[0].dtype == numtorch.float64
    n.weight_ih_l0 = numtorch.nn.Parameter(numtorch.zeros(20, 4, dtype=numtorch.float64))
    assert n._flat_weights[0] is n.weight_ih_l0
    out, _ = n(numtorch.zeros(2, 1, 4, dtype=numtorch.float64))
    assert out.shape == (2, 1, 6)
