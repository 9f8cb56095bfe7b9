"""F.ctc_loss / nn.CTCLoss against the torch oracle: losses, gradients, target layouts, errors."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, check_raises, need_torch, rand

T, N, C = 12, 4, 5
TARGETS = np.array([[1, 2, 2, 3], [4, 4, 1, 0], [2, 0, 0, 0], [3, 1, 4, 2]])
ILEN = [12, 9, 12, 5]
TLEN = [4, 3, 0, 3]


def _run(lib, x, targets, ilen, tlen, lengths_as="tensor", softmax=True, **kw):
    xs = lib.tensor(x, requires_grad=True)
    lp = xs.log_softmax(-1) if softmax else xs
    conv = (lambda v: lib.tensor(v)) if lengths_as == "tensor" else (lambda v: lengths_as(v))
    out = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), conv(ilen), conv(tlen), **kw)
    weights = lib.tensor(np.arange(1.0, out.numel() + 1).reshape(tuple(out.shape)), dtype=out.dtype)
    grads = lib.autograd.grad((out * weights).sum(), (xs, lp) if softmax else (xs,))
    return out, grads, out.grad_fn.name()


def _compare(x, targets=TARGETS, ilen=ILEN, tlen=TLEN, atol=1e-5, rtol=1e-4, **kw):
    torch = need_torch()
    t = _run(torch, x, targets, ilen, tlen, **kw)
    n = _run(numtorch, x, targets, ilen, tlen, **kw)
    assert_same(n[0], t[0], atol, rtol)
    for a, b in zip(n[1], t[1]):
        assert_same(a, b, atol * 10, rtol * 10, what="grad")
    assert n[2] == t[2]


def _concat(targets, tlen):
    return np.concatenate([targets[i, :tlen[i]] for i in range(len(tlen))])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctc_padded_targets(reduction, zero_infinity, dtype):
    _compare(rand(T, N, C, dtype=dtype), reduction=reduction, zero_infinity=zero_infinity)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_ctc_concatenated_targets_and_list_lengths(reduction):
    _compare(rand(T, N, C), _concat(TARGETS, TLEN), reduction=reduction)
    _compare(rand(T, N, C), _concat(TARGETS, TLEN), lengths_as=list, reduction=reduction)
    _compare(rand(T, N, C), TARGETS.astype(np.int32), lengths_as=tuple, reduction=reduction)


def test_ctc_raw_log_probs_gradient():
    """torch's closed-form gradient assumes log-softmax inputs; it is reproduced as is."""
    _compare(rand(T, N, C, dtype="float64") - 2.0, softmax=False, reduction="sum")


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_infeasible_alignment(zero_infinity):
    # Four repeated labels need seven frames; three frames give an infinite loss.
    targets = np.array([[1, 1, 1, 1], [2, 3, 0, 0]])
    torch = need_torch()
    res = [_run(lib, rand(6, 2, 4), targets, [3, 6], [4, 2], reduction="none", zero_infinity=zero_infinity)
           for lib in (torch, numtorch)]
    assert_same(res[1][0], res[0][0], 1e-5, 1e-4)
    if zero_infinity:
        for a, b in zip(res[1][1], res[0][1]):
            assert_same(a, b, 1e-4, 1e-3)


def test_ctc_unbatched_and_blank():
    torch = need_torch()
    for red in ("none", "mean", "sum"):
        res = []
        for lib in (torch, numtorch):
            x = lib.tensor(rand(7, 6), requires_grad=True)
            out = lib.nn.functional.ctc_loss(x.log_softmax(-1), lib.tensor([0, 2, 2]), lib.tensor(7),
                                             lib.tensor(3), blank=5, reduction=red)
            res.append((out, lib.autograd.grad(out.sum(), x)[0]))
        assert_same(res[1][0], res[0][0], 1e-5, 1e-4)
        assert_same(res[1][1], res[0][1], 1e-5, 1e-4)


def test_ctc_loss_module():
    torch = need_torch()
    assert repr(numtorch.nn.CTCLoss(blank=2)) == repr(torch.nn.CTCLoss(blank=2))
    outs = []
    for lib in (torch, numtorch):
        m = lib.nn.CTCLoss(reduction="sum", zero_infinity=True)
        lp = lib.tensor(rand(T, N, C)).log_softmax(2)
        outs.append(m(lp, lib.tensor(TARGETS), lib.tensor(ILEN), lib.tensor(TLEN)))
    assert_same(outs[1], outs[0], 1e-5, 1e-4)


def test_torch_ctc_loss_enum():
    torch = need_torch()
    args = [rand(T, N, C), TARGETS, np.array(ILEN), np.array(TLEN)]
    outs = [lib.ctc_loss(*[lib.tensor(a) for a in args], 0, 2, False) for lib in (torch, numtorch)]
    assert_same(outs[1], outs[0], 1e-5, 1e-4)


def test_ctc_gradcheck_through_log_softmax():
    numtorch.manual_seed(0)
    x = numtorch.randn(6, 2, 4, dtype=numtorch.float64, requires_grad=True)
    tg = numtorch.tensor([[1, 2, 2], [3, 1, 0]])

    def fn(x):
        return numtorch.nn.functional.ctc_loss(x.log_softmax(2), tg, [6, 5], [3, 2], reduction="none")
    assert numtorch.autograd.gradcheck(fn, (x,))


@pytest.mark.parametrize("case", [
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * N), m.tensor([4] * (N - 1))),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * (N - 1)), m.tensor([2] * N)),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T + 1] * N), m.tensor([2] * N)),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * N), m.tensor([5] * N)),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * N), m.tensor([2] * N), blank=C),
    lambda m, x, t: m.nn.functional.ctc_loss(x[None], t, m.tensor([T] * N), m.tensor([2] * N)),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * N), m.tensor([2] * N), reduction="avg"),
    lambda m, x, t: m.nn.functional.ctc_loss(x, t, m.tensor([T] * N).float(), m.tensor([2] * N)),
])
def test_ctc_errors(case):
    check_raises(case, rand(T, N, C), TARGETS)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_empty_inputs(zero_infinity):
    # Zero frames: -0.0 for an empty target, inf otherwise (and no gradient).
    targets = np.array([[1, 0], [2, 1], [0, 0]])
    torch = need_torch()
    res = [_run(lib, rand(4, 3, 3), targets, [0, 0, 4], [0, 1, 0], reduction="none",
                zero_infinity=zero_infinity) for lib in (torch, numtorch)]
    assert_same(res[1][0], res[0][0])
    assert np.signbit(res[1][0].detach().numpy()[0]) == np.signbit(res[0][0].detach().numpy()[0])
    if zero_infinity:
        for a, b in zip(res[1][1], res[0][1]):
            assert_same(a, b, 1e-5, 1e-4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_ctc_half_rejected(dtype):
    check_raises(lambda m, x, t: m.nn.functional.ctc_loss(x.to(getattr(m, dtype)), t, [T] * N, [2] * N),
                 rand(T, N, C), TARGETS)
