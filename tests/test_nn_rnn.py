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
    ("rnn_tanh", 1, False, True, False, 0), ("rnn_relu", 2, True, True, True, 0), ("gru", 2, False, False, False, 0),
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
