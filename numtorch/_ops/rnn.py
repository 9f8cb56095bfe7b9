"""Recurrent layers and cells as torch exposes them: ``rnn_tanh``/``rnn_relu``/``lstm``/``gru`` (padded and
packed forms) and ``rnn_tanh_cell``/``rnn_relu_cell``/``lstm_cell``/``gru_cell``, written in tensor ops.

The input-to-hidden products of a whole sequence are one GEMM per layer and direction; the Python loop
runs over time steps only, which the recurrence makes inherent. Packed sequences shrink the batch as
sequences end (time-major data, batch sizes non-increasing), so one step code serves both forms.
"""
from .._tensor import Tensor
from ._registry import FUNCTIONS
from .pointwise import public


def _fn(name):
    return FUNCTIONS[name]


def _linear(x, w, b):
    """``x @ w.T + b`` over the last dimension of x, as one GEMM."""
    if x.dim() == 2:
        return x.matmul(w.t()) if b is None else _fn("addmm")(b, x, w.t())
    y = x.matmul(w.t())
    return y if b is None else y + b


def dropout_train(x, p, train):
    """at::dropout on CPU: a Bernoulli(1 - p) mask scaled by 1 / (1 - p) (same random stream as torch)."""
    if not train or p == 0:
        return x
    if p == 1:
        return x * x.new_zeros(())
    noise = _fn("empty_like")(x).bernoulli_(1 - p).div_(1 - p)
    return x * noise


# ------------------------------------------------------------------------------------------ one step

def _tanh_step(gi, state, w_hh, b_hh, w_hr):
    return ((gi + _linear(state[0], w_hh, b_hh)).tanh(),)


def _relu_step(gi, state, w_hh, b_hh, w_hr):
    return ((gi + _linear(state[0], w_hh, b_hh)).relu(),)


def _gru_step(gi, state, w_hh, b_hh, w_hr):
    h = state[0]
    gh = _linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return (n + z * (h - n),)


def _lstm_step(gi, state, w_hh, b_hh, w_hr):
    h, c = state
    i, f, g, o = (gi + _linear(h, w_hh, b_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = h.matmul(w_hr.t())
    return h, c


_STEPS = {"rnn_tanh": _tanh_step, "rnn_relu": _relu_step, "gru": _gru_step, "lstm": _lstm_step}


# ------------------------------------------------------------------------------------ one direction

def _run_forward(step, w, gis, sizes, state):
    """Steps 0..T-1; rows of sequences that have ended leave the batch and keep their last state."""
    outs = []
    done = []
    for gi, bs in zip(gis, sizes):
        if bs < state[0].shape[0]:
            done.append(tuple(s[bs:] for s in state))
            state = tuple(s[:bs] for s in state)
        state = step(gi, state, *w)
        outs.append(state[0])
    if not done:
        return outs, state
    done.append(state)
    done.reverse()
    return outs, tuple(_fn("cat")([d[k] for d in done]) for k in range(len(state)))


def _run_reverse(step, w, gis, sizes, state0):
    """Steps T-1..0; sequences join the batch (from their initial state) as their last step comes up."""
    state = tuple(s[:sizes[-1]] for s in state0) if sizes[-1] < state0[0].shape[0] else state0
    outs = [None] * len(gis)
    for t in range(len(gis) - 1, -1, -1):
        have = state[0].shape[0]
        if sizes[t] > have:
            state = tuple(_fn("cat")([s, s0[have:sizes[t]]]) for s, s0 in zip(state, state0))
        state = step(gis[t], state, *w)
        outs[t] = state[0]
    return outs, state


# ------------------------------------------------------------------------------------------ layers

def _layer_weights(params, index, stride, has_biases, proj):
    w = params[index * stride:(index + 1) * stride]
    b_hh = w[3] if has_biases else None
    return w[0], w[2] if has_biases else None, (w[1], b_hh, w[-1] if proj else None)


def _rnn(mode, x, sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional, packed):
    """Time-major ``x`` (T, B, F), or packed data (N, F) with per-step ``sizes``; ``hx`` a tuple of
    (layers * directions, B, H) states. Returns the last layer's output and the stacked final states."""
    dirs = 2 if bidirectional else 1
    stride = len(params) // (num_layers * dirs)
    proj = stride == (5 if has_biases else 3)
    step = _STEPS[mode]
    init = [h.unbind(0) for h in hx]
    finals = [[] for _ in hx]
    for layer in range(num_layers):
        if layer:
            x = dropout_train(x, dropout, train)
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, b_ih, w = _layer_weights(params, k, stride, has_biases, proj)
            gi = _linear(x, w_ih, b_ih)
            gis = gi.split(sizes) if packed else gi.unbind(0)
            run = _run_reverse if d else _run_forward
            o, fin = run(step, w, gis, sizes, tuple(h[k] for h in init))
            outs.append(_fn("cat")(o) if packed else _fn("stack")(o))
            for acc, f in zip(finals, fin):
                acc.append(f)
        x = outs[0] if dirs == 1 else _fn("cat")(outs, -1)
    return x, tuple(_fn("stack")(f) for f in finals)


def _check_params(params, has_biases, num_layers, bidirectional):
    n = num_layers * (2 if bidirectional else 1)
    if len(params) % n or len(params) // n not in ((4, 5) if has_biases else (2, 3)):
        raise RuntimeError(f"Expected {n * (4 if has_biases else 2)} parameters, got {len(params)}")


def _padded(mode, input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    _check_params(params, has_biases, num_layers, bidirectional)
    x = input.transpose(0, 1) if batch_first else input
    sizes = [x.shape[1]] * x.shape[0]
    out, hy = _rnn(mode, x, sizes, hx, list(params), has_biases, num_layers, dropout, train, bidirectional,
                   False)
    return (out.transpose(0, 1) if batch_first else out), hy


def _packed(mode, data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional):
    _check_params(params, has_biases, num_layers, bidirectional)
    sizes = [int(s) for s in batch_sizes.tolist()]
    return _rnn(mode, data, sizes, hx, list(params), has_biases, num_layers, dropout, train, bidirectional,
                True)


def _simple(mode):
    def fn(input, second, third, *args):
        if isinstance(third, Tensor):
            out, hy = _packed(mode, input, second, (third,), *args)
        else:
            out, hy = _padded(mode, input, (second,), third, *args)
        return out, hy[0]
    fn.__name__ = fn.__qualname__ = mode
    fn.__doc__ = f"Applies a multi-layer {mode[4:]} Elman RNN over a padded or packed sequence."
    return fn


rnn_tanh = public(_simple("rnn_tanh"), method=False)
rnn_relu = public(_simple("rnn_relu"), method=False)


def gru(input, second, third, *args):
    """Applies a multi-layer gated recurrent unit over a padded or packed sequence."""
    if isinstance(third, Tensor):
        out, hy = _packed("gru", input, second, (third,), *args)
    else:
        out, hy = _padded("gru", input, (second,), third, *args)
    return out, hy[0]


def lstm(input, second, third, *args):
    """Applies a multi-layer long short-term memory RNN over a padded or packed sequence."""
    if isinstance(second, Tensor):
        out, (hy, cy) = _packed("lstm", input, second, tuple(third), *args)
    else:
        out, (hy, cy) = _padded("lstm", input, tuple(second), third, *args)
    return out, hy, cy


public(gru, method=False)
public(lstm, method=False)


# ------------------------------------------------------------------------------------------- cells

def _check_cell(input, state, w_ih, w_hh):
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {w_ih.size(1)}")
    for i, h in enumerate(state):
        if input.size(0) != h.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                               f"{h.size(0)}")
        if h.size(1) != w_hh.size(1):
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                               f"{w_hh.size(1)}")


def _cell(mode, input, state, w_ih, w_hh, b_ih, b_hh):
    _check_cell(input, state[:1], w_ih, w_hh)
    return _STEPS[mode](_linear(input, w_ih, b_ih), state, w_hh, b_hh, None)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN cell with tanh."""
    return _cell("rnn_tanh", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN cell with ReLU."""
    return _cell("rnn_relu", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of a gated recurrent unit cell."""
    return _cell("gru", input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of a long short-term memory cell; ``hx`` is ``(h, c)``; returns ``(h', c')``."""
    if len(hx) != 2:
        raise RuntimeError(f"lstm_cell: Expected hx to have 2 elements, got {len(hx)}")
    return _cell("lstm", input, tuple(hx), w_ih, w_hh, b_ih, b_hh)


for _f in (rnn_tanh_cell, rnn_relu_cell, gru_cell, lstm_cell):
    public(_f, method=False)
