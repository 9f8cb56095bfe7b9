"""embedding, embedding_bag, one_hot and the Embedding/EmbeddingBag layers against the torch oracle."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, check, check_raises, need_torch, rand

WEIGHT = rand(6, 3, dtype="float64")
IDX2 = np.array([[0, 5, 2], [2, 2, 1]])
FLAT = np.array([0, 5, 2, 2, 2, 1, 3])
OFFS = np.array([0, 2, 2, 5])


@pytest.mark.parametrize("idx,kw", [
    (IDX2, {}), (IDX2, {"padding_idx": 2}), (IDX2, {"padding_idx": -1}), (IDX2, {"scale_grad_by_freq": True}),
    (np.array(4), {}), (np.zeros((0, 2), np.int64), {}),
    (IDX2.T, {"padding_idx": 0, "scale_grad_by_freq": True}),
])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_embedding(idx, kw, dtype):
    check(lambda m, w: m.nn.functional.embedding(m.tensor(idx), w, **kw), WEIGHT.astype(dtype))


def test_embedding_int32_indices_and_noncontiguous_weight():
    check(lambda m, w: m.nn.functional.embedding(m.tensor(IDX2, dtype=m.int32), w.T), WEIGHT.T.copy())


def test_embedding_max_norm_renormalises_in_place(oracle):
    res = []
    for m in (oracle, numtorch):
        w = m.tensor(WEIGHT * 3, requires_grad=True)
        out = m.nn.functional.embedding(m.tensor(IDX2), w, max_norm=1.5, norm_type=3)
        out.sum().backward()
        res.append((out, w.detach().clone(), w.grad))
    for a, b in zip(res[1], res[0]):
        assert_same(a, b)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("kw", [
    {"input": FLAT, "offsets": OFFS}, {"input": FLAT, "offsets": np.array([0, 2, 2, 5, 7]),
                                       "include_last_offset": True},
    {"input": FLAT, "offsets": OFFS, "padding_idx": 2}, {"input": IDX2}, {"input": IDX2, "padding_idx": 1},
    {"input": FLAT, "offsets": np.array([0])},
])
def test_embedding_bag(mode, kw):
    def fn(m, w):
        k = {a: (m.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
        return m.nn.functional.embedding_bag(weight=w, mode=mode, **k)
    check(fn, WEIGHT)
    check(fn, WEIGHT.astype("float32"))


def test_embedding_bag_per_sample_weights():
    check(lambda m, w, p: m.nn.functional.embedding_bag(m.tensor(FLAT), w, m.tensor(OFFS), mode="sum",
                                                        per_sample_weights=p),
          WEIGHT, rand(7, dtype="float64"))
    check(lambda m, w, p: m.nn.functional.embedding_bag(m.tensor(IDX2), w, mode="sum", per_sample_weights=p),
          WEIGHT, rand(2, 3, dtype="float64"))


@pytest.mark.parametrize("fn", [
    lambda m, w: m.nn.functional.embedding(m.tensor([0, 6]), w),
    lambda m, w: m.nn.functional.embedding(m.tensor([0, -1]), w),
    lambda m, w: m.nn.functional.embedding(m.tensor([0.0, 1.0]), w),
    lambda m, w: m.nn.functional.embedding(m.tensor([0, 1]), w[0]),
    lambda m, w: m.nn.functional.embedding(m.tensor([0, 1]), w, padding_idx=6),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([0, 1]), mode="foo"),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, m.tensor([0, 1])),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([1, 2])),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([0]),
                                               per_sample_weights=m.ones(2)),
    lambda m, w: m.nn.functional.one_hot(m.tensor([0, 3]), 2),
    lambda m, w: m.nn.functional.one_hot(m.tensor([0, -1])),
    lambda m, w: m.nn.functional.one_hot(m.tensor([0, 1], dtype=m.int32)),
    lambda m, w: m.nn.functional.one_hot(m.tensor([], dtype=m.long)),
])
def test_errors(fn):
    check_raises(fn, WEIGHT)


@pytest.mark.parametrize("data,n", [(np.array([0, 3, 1]), -1), (np.array([[0, 3], [1, 1]]), 5),
                                    (np.array(2), 3), (np.zeros(0, np.int64), 3)])
def test_one_hot(data, n):
    check(lambda m, t: m.nn.functional.one_hot(t, n), data, grad=False)


def test_gradcheck():
    w = numtorch.tensor(WEIGHT, requires_grad=True)
    F = numtorch.nn.functional
    assert numtorch.autograd.gradgradcheck(lambda a: F.embedding(numtorch.tensor(IDX2), a), (w,))
    for mode in ("sum", "mean", "max"):
        assert numtorch.autograd.gradcheck(
            lambda a: F.embedding_bag(numtorch.tensor(FLAT), a, numtorch.tensor(OFFS), mode=mode), (w,))
    p = numtorch.tensor(rand(7, dtype="float64"), requires_grad=True)
    assert numtorch.autograd.gradgradcheck(
        lambda a, b: F.embedding_bag(numtorch.tensor(FLAT), a, numtorch.tensor(OFFS), mode="sum",
                                     per_sample_weights=b), (w, p))


@pytest.mark.parametrize("cls,args,kw", [
    ("Embedding", (10, 4), {}), ("Embedding", (10, 4), {"padding_idx": 3, "max_norm": 1.0, "norm_type": 3.0}),
    ("Embedding", (10, 4), {"scale_grad_by_freq": True, "sparse": False, "padding_idx": -2}),
    ("EmbeddingBag", (10, 4), {}), ("EmbeddingBag", (10, 4), {"mode": "max", "padding_idx": 0}),
    ("EmbeddingBag", (10, 4), {"mode": "sum", "max_norm": 2.0, "norm_type": 1.0}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layers(cls, args, kw, dtype, oracle):
    idx = np.array([[1, 3, 9, 0], [4, 3, 3, 7]])
    res = []
    for m in (oracle, numtorch):
        m.manual_seed(0)
        layer = getattr(m.nn, cls)(*args, dtype=getattr(m, dtype), **kw)
        w0 = layer.weight.detach().clone()
        out = layer(m.tensor(idx))
        out.backward(m.ones_like(out) * m.arange(out.shape[-1], dtype=out.dtype))
        res.append((repr(layer), w0, out, layer.weight.grad, list(layer.state_dict())))
    (rt, wt, ot, gt, kt), (rn, wn, on, gn, kn) = res
    assert rn == rt and kn == kt
    np.testing.assert_array_equal(wn.numpy(), wt.numpy())
    assert_same(on, ot, atol=1e-5)
    assert_same(gn, gt, atol=1e-5)


def test_from_pretrained(oracle):
    for m in (oracle, numtorch):
        e = m.nn.Embedding.from_pretrained(m.tensor(WEIGHT), padding_idx=1)
        b = m.nn.EmbeddingBag.from_pretrained(m.tensor(WEIGHT), freeze=False, mode="sum")
        assert not e.weight.requires_grad and b.weight.requires_grad
        assert e.padding_idx == 1
    check(lambda m, w: m.nn.Embedding.from_pretrained(w, freeze=False)(m.tensor(IDX2)), WEIGHT)
    check(lambda m, w: m.nn.EmbeddingBag.from_pretrained(w, freeze=False, mode="max")(m.tensor(IDX2)), WEIGHT)


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_half_bits(mode):
    # torch sums half rows in float32 and rounds the sum (then divides, for the mean): equal bit for bit
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((64, 96)) * 2).astype(np.float32)
    idx = rng.integers(0, 64, (20, 5))

    def run(lib):
        out = lib.nn.functional.embedding_bag(lib.tensor(idx), lib.tensor(w).to(lib.float16), mode=mode)
        return out.numpy().view(np.int16)
    assert np.array_equal(run(numtorch), run(need_torch()))
