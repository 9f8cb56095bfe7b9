"""torch's row-wise mean and variance (its CPU layer and group norm statistics), reproduced with NumPy.

torch's RowwiseMoments reads a row as 32-byte vectors (8 floats or 4 doubles, one accumulator per lane):
each chunk of 16 vectors runs Welford's update with fused multiply-adds, chunks are merged through a
cascade of partial results (level j absorbs level j-1 after every 2**j chunks), the leftover elements run
a scalar Welford, and the lanes are merged into that one by one. Every step here rounds where torch's
does, so the statistics (and the normalised outputs) are bit-identical to torch's. Rows are independent:
everything is vectorised over them; the loops run over the 16 steps of a chunk, the levels of the cascade,
the lanes and the leftover elements -- a few dozen steps whatever the row or column count.
"""
import numpy as np

from .random import fma_real as fma

_CHUNK = 16


def _merge_vec(m0_add, m1_add, m2_add, m0, m1, m2):
    """The vector form of merging partial moments (counts are scalars, means/sums of squares arrays)."""
    n = m0 + m0_add
    t = m1.dtype.type
    c = t(0) if n == 0 else t(m0_add) / t(n)
    delta = m1_add - m1
    return n, m1 + c * delta, fma(delta, delta * c * t(m0), m2 + m2_add)


def _merge_many(m0_add, m1_add, m2_add, m0, m1, m2):
    """``_merge_vec`` over many slots at once (axis 1); counts are (slots, 1) integer arrays, totals nonzero."""
    n = m0 + m0_add
    c = m0_add.astype(m1.dtype) / n.astype(m1.dtype)
    delta = m1_add - m1
    return n, m1 + c * delta, fma(delta, delta * c * m0.astype(m1.dtype), m2 + m2_add)


def _merge_scalar(m0_add, m1_add, m2_add, m0, m1, m2):
    """The scalar form (the lanes into the leftover elements' moments): its multiply-adds fused."""
    n = m0 + m0_add
    t = m1.dtype.type
    c = t(0) if n == 0 else t(m0_add) / t(n)
    delta = m1_add - m1
    return n, fma(np.broadcast_to(c, delta.shape), delta, m1), m2 + fma(delta * delta * c, t(m0), m2_add)


def rowwise_moments(x):
    """Mean and biased variance of each row of the C-contiguous float32/float64 array ``x`` (R, N)."""
    rows, n_cols = x.shape
    t = x.dtype.type
    lanes = 32 // x.itemsize
    nvec = n_cols // lanes
    chunks = -(-nvec // _CHUNK)
    depth = (chunks - 1).bit_length() if chunks > 1 else 0
    # Welford over each chunk's vectors, all chunks at once: (rows, chunks, lanes) accumulators
    vecs = x[:, :nvec * lanes].reshape(rows, nvec, lanes)
    full = nvec // _CHUNK
    parts = []
    if full:
        parts.append((vecs[:, :full * _CHUNK].reshape(rows, full, _CHUNK, lanes), _CHUNK))
    if nvec % _CHUNK:
        parts.append((vecs[:, full * _CHUNK:].reshape(rows, 1, nvec % _CHUNK, lanes), nvec % _CHUNK))
    counts, m1s, m2s = [], [], []
    for block, steps in parts:
        m1 = np.zeros((rows, block.shape[1], lanes), x.dtype)
        m2 = np.zeros_like(m1)
        for j in range(steps):
            v = block[:, :, j]
            delta = v - m1
            m1 = fma(delta, np.broadcast_to(t(1) / t(j + 1), delta.shape), m1)
            m2 = fma(delta, v - m1, m2)
        counts += [steps] * block.shape[1]
        m1s.append(m1)
        m2s.append(m2)
    cnt = np.array(counts, np.int64).reshape(-1, 1)
    m1 = np.concatenate(m1s, 1) if m1s else np.zeros((rows, 0, lanes), x.dtype)
    m2 = np.concatenate(m2s, 1) if m2s else m1
    # torch's cascade: below the top level, each level's slot takes its items two at a time (the first
    # merged into the empty slot, the second into that) and hands the pair up, so a whole level merges
    # at once; an odd last item stays in its slot. The top level takes what reaches it in order.
    zero = np.zeros((rows, lanes), x.dtype)
    top = max(depth, 1) - 1
    stack = [(0, zero, zero)] * (top + 1)
    for level in range(top):
        if len(cnt) % 2:
            stack[level] = _merge_vec(int(cnt[-1, 0]), m1[:, -1], m2[:, -1], 0, zero, zero)
        a, b = slice(0, len(cnt) - 1, 2), slice(1, len(cnt), 2)
        empty = np.zeros_like(m1[:, a])
        first = _merge_many(cnt[a], m1[:, a], m2[:, a], np.zeros_like(cnt[a]), empty, empty)
        cnt, m1, m2 = _merge_many(cnt[b], m1[:, b], m2[:, b], *first)
    for i in range(len(cnt)):
        stack[top] = _merge_vec(int(cnt[i, 0]), m1[:, i], m2[:, i], *stack[top])
    for j in range(1, depth):
        stack[0] = _merge_vec(*stack[j], *stack[0])
    lane_m1, lane_m2 = stack[0][1], stack[0][2]
    # the leftover elements, then each lane merged into them
    m0, m1, m2 = 0, np.zeros(rows, x.dtype), np.zeros(rows, x.dtype)
    for i in range(nvec * lanes, n_cols):
        v = x[:, i]
        delta = v - m1
        m0 += 1
        m1 = m1 + delta / t(m0)
        m2 = m2 + delta * (v - m1)
    for lane in range(lanes):
        m0, m1, m2 = _merge_scalar(nvec, lane_m1[:, lane], lane_m2[:, lane], m0, m1, m2)
    return m1, m2 / t(n_cols)
