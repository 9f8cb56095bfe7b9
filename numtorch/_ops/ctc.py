"""Connectionist Temporal Classification loss: log-space alpha/beta recursions, vectorised over the batch
and the extended label sequence (one step per time frame), with torch's closed-form gradient."""
import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import Tensor
from ._registry import FUNCTIONS, call, register
from .pointwise import public


def _lse(xp, *terms):
    # torch's three-way log-add: a max of -inf is replaced by 0 so empty sums stay at -inf, not NaN.
    m = terms[0]
    for t in terms[1:]:
        m = xp.maximum(m, t)
    m = xp.where(m == -xp.inf, 0, m)
    acc = sum(xp.exp(t - m) for t in terms)
    return xp.log(acc) + m


def _extended(xp, targets, tlen, blank):
    """Blank-interleaved labels (N, 2S+1), the s-2 skip mask and the valid-position mask."""
    n, s_max = targets.shape
    ext = xp.full((n, 2 * s_max + 1), blank, dtype=np.int64)
    ext[:, 1::2] = targets
    skip = xp.zeros(ext.shape, dtype=bool)
    if s_max > 1:
        skip[:, 3::2] = targets[:, 1:] != targets[:, :-1]
    valid = xp.arange(ext.shape[1])[None, :] < (2 * tlen + 1)[:, None]
    return ext, skip, valid


def _shift(xp, a, k, fill):
    out = xp.full_like(a, fill)
    out[:, k:] = a[:, :a.shape[1] - k]
    return out


def _alpha(xp, lpe, skip, valid, tlen):
    t_max = lpe.shape[0]
    ninf = -xp.inf
    la = xp.full(lpe.shape, ninf, dtype=lpe.dtype)
    first = xp.full(lpe.shape[1:], ninf, dtype=lpe.dtype)
    first[:, :2] = lpe[0, :, :2]
    first = xp.where(valid, first, ninf)
    la[0] = first
    for t in range(1, t_max):
        prev = la[t - 1]
        two = xp.where(skip, _shift(xp, prev, 2, ninf), ninf)
        la[t] = xp.where(valid, _lse(xp, prev, _shift(xp, prev, 1, ninf), two) + lpe[t], ninf)
    return la


def _beta(xp, lpe, skip, valid, ilen, tlen):
    t_max, n, s = lpe.shape
    ninf = -xp.inf
    lb = xp.full(lpe.shape, ninf, dtype=lpe.dtype)
    pos = xp.arange(s)[None, :]
    ends = (pos == 2 * tlen[:, None]) | (pos == 2 * tlen[:, None] - 1)
    nxt = xp.full((n, s), ninf, dtype=lpe.dtype)
    # skip[s + 2] says whether s may jump two places forward.
    skip_fwd = xp.zeros_like(skip)
    skip_fwd[:, :s - 2] = skip[:, 2:]
    for t in reversed(range(t_max)):
        start = ilen - 1 == t
        last = xp.where(ends, lpe[t], ninf)
        two = xp.where(skip_fwd, _shift_left(xp, nxt, 2, ninf), ninf)
        step = xp.where(valid, _lse(xp, nxt, _shift_left(xp, nxt, 1, ninf), two) + lpe[t], ninf)
        cur = xp.where(start[:, None], last, xp.where((t < ilen - 1)[:, None], step, ninf))
        lb[t] = cur
        nxt = cur
    return lb


def _shift_left(xp, a, k, fill):
    out = xp.full_like(a, fill)
    out[:, :a.shape[1] - k] = a[:, k:]
    return out


def _setup(xp, lp, targets, ilen, tlen, blank):
    ext, skip, valid = _extended(xp, targets, tlen, blank)
    lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (lp.shape[0],) + ext.shape), axis=2)
    return ext, skip, valid, lpe


def _nll(xp, la, ilen, tlen):
    rows = xp.arange(la.shape[1])
    t_last = xp.maximum(ilen - 1, 0)
    end = la[t_last, rows, 2 * tlen]
    before = la[t_last, rows, xp.maximum(2 * tlen - 1, 0)]
    before = xp.where(tlen > 0, before, -xp.inf)
    # An empty input explains only an empty target (torch returns -0.0 for it), never a non-empty one.
    empty = xp.where(tlen == 0, -0.0, xp.inf).astype(la.dtype)
    return xp.where(ilen == 0, empty, -_lse(xp, end, before))


def _ctc_fwd(xp, lp, targets, ilen, tlen, blank, zero_infinity):
    _, skip, valid, lpe = _setup(xp, lp, targets, ilen, tlen, blank)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return _nll(xp, _alpha(xp, lpe, skip, valid, tlen), ilen, tlen)


def _ctc_backward(grad, lp_t, out, targets, ilen, tlen, blank, zero_infinity):
    xp = grad._xp
    lp = lp_t._data
    t_max, n, c = lp.shape
    ext, skip, valid, lpe = _setup(xp, lp, targets, ilen, tlen, blank)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        la = _alpha(xp, lpe, skip, valid, tlen)
        nll = _nll(xp, la, ilen, tlen)
        ab = la + _beta(xp, lpe, skip, valid, ilen, tlen)
        # Sum exp(alpha + beta) per class in a shifted exponent, then return to log space.
        top = ab.max(axis=2, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)
        idx = ((xp.arange(t_max)[:, None, None] * n + xp.arange(n)[None, :, None]) * c + ext[None]).ravel()
        acc = xp.bincount(idx, weights=xp.exp(ab - top).ravel(), minlength=t_max * n * c).reshape(lp.shape)
        lcab = xp.log(acc) + top
        g = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
    g = xp.where((xp.arange(t_max)[:, None] < ilen[None, :])[..., None], g, 0)
    if zero_infinity:
        g = xp.where(xp.isinf(nll)[None, :, None], 0, g)
    g = g * grad._data[None, :, None]
    return (Tensor._wrap(g.astype(lp.dtype, copy=False)),)


_CTC = register("_ctc_loss", _ctc_fwd, _ctc_backward, save=(0,), node="CtcLossBackward0", method=False,
                function=False)


def _lengths(x, name):
    if isinstance(x, Tensor):
        if NP2DT[x._data.dtype]._cat != _dtype.INT:
            raise RuntimeError(f"{name} must be integral")
        return np.asarray(x._data, dtype=np.int64).reshape(-1)
    return np.asarray([int(v) for v in x], dtype=np.int64)


def _padded_targets(targets, tlen, n):
    t = np.asarray(targets._data, dtype=np.int64)
    s_max = int(tlen.max()) if n else 0
    if t.ndim == 2 and n:
        if t.shape[1] < s_max:
            raise RuntimeError(f"Expected tensor to have size at least {s_max} at dimension 1, but got size "
                               f"{t.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        return t[:, :s_max]
    total = int(tlen.sum())
    if t.shape[0] != total:
        raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size "
                           f"{t.shape[0]} for argument #2 'targets' (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    # Concatenated targets: scatter each sequence into a padded row.
    starts = np.concatenate([[0], np.cumsum(tlen)[:-1]]).astype(np.int64)
    pos = np.arange(s_max)[None, :]
    src = np.minimum(starts[:, None] + pos, max(total - 1, 0))
    return np.where(pos < tlen[:, None], t[src] if total else 0, 0)


def _check_ctc(log_probs, n, t_max, c, ilen, tlen, blank):
    if len(ilen) != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tlen) != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    over = np.flatnonzero(np.asarray(ilen) > t_max)
    if over.size:
        raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value "
                           f"{ilen[over[0]]} (while checking arguments for ctc_loss_allocate_outputs)")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The Connectionist Temporal Classification loss."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    batched = log_probs.dim() == 3
    if log_probs.dim() not in (2, 3):
        # torch treats any input but a 3-d one as unbatched and adds the batch dimension before checking
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.dim() + 1}-dimensional tensor "
                           "for "
                           "argument #1 'log_probs' (while checking arguments for ctc_loss_allocate_outputs)")
    if log_probs._data.dtype not in (np.float32, np.float64):
        raise NotImplementedError("\"ctc_loss_cpu\" not implemented for "
                                  f"'{NP2DT[log_probs._data.dtype]._legacy}'")
    lp = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, c = lp.shape
    ilen, tlen = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    _check_ctc(log_probs, n, t_max, c, ilen, tlen, int(blank))
    padded = _padded_targets(targets, tlen, n)
    xp = lp._xp
    res = call(_CTC, (lp, xp.asarray(padded), xp.asarray(ilen), xp.asarray(tlen), int(blank),
                      bool(zero_infinity)), {})
    if zero_infinity:
        res = FUNCTIONS["where"](res == float("inf"), FUNCTIONS["zeros"]((), dtype=res.dtype), res)
    if reduction == "mean":
        div = Tensor._wrap(xp.maximum(xp.asarray(tlen), 1).astype(res._data.dtype))
        return (res / div).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)


def _ctc_loss_enum(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
                   zero_infinity=False):
    mode = ("none", "mean", "sum")[reduction]
    return ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, mode, zero_infinity)


# torch.ctc_loss takes the reduction as its integer enum.
_ctc_loss_enum.__name__ = _ctc_loss_enum.__qualname__ = "ctc_loss"
public(_ctc_loss_enum, method=False)
