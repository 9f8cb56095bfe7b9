"""torch.amp / torch.autocast / GradScaler against real torch on CPU."""
import copy
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch, rand, to_np


def _both(fn, *data, dtypes=None):
    """fn(lib, *tensors) for torch and numtorch on the same NumPy data."""
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        ts = [lib.tensor(d) if isinstance(d, np.ndarray) else d for d in data]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = fn(lib, *ts)
        out[lib.__name__] = res, [(x.category, str(x.message)) for x in w]
    return out["torch"], out["numtorch"]


X, Y = rand(4, 6), rand(6, 5, seed=1)
B3 = rand(2, 4, 4, seed=2)
IMG, W2 = rand(1, 2, 6, 6, seed=3), rand(3, 2, 3, 3, seed=4)
V = rand(4, seed=5)
TGT = np.array([0, 2, 1, 4])
P = rand(4, 5, seed=6, low=0.05, high=0.95)

OPS = {
    "matmul": (lambda m, a, b: m.matmul(a, b), (X, Y)),
    "operator@": (lambda m, a, b: a @ b, (X, Y)),
    "mm": (lambda m, a, b: m.mm(a, b), (X, Y)),
    "Tensor.mm": (lambda m, a, b: a.mm(b), (X, Y)),
    "bmm": (lambda m, a: m.bmm(a, a), (B3,)),
    "addmm": (lambda m, a, b: m.addmm(a @ b, a, b), (X, Y)),
    "baddbmm": (lambda m, a: m.baddbmm(a, a, a), (B3,)),
    "linear": (lambda m, a, b: m.nn.functional.linear(a, b.T), (X, Y)),
    "linear_bias": (lambda m, a, b: m.nn.functional.linear(a, b.T, b[0]), (X, Y)),
    "conv2d": (lambda m, a, w: m.nn.functional.conv2d(a, w), (IMG, W2)),
    "conv1d": (lambda m, a, w: m.nn.functional.conv1d(a[:, :, 0], w[:, :, 0]), (IMG, W2)),
    "conv_transpose2d": (lambda m, a, w: m.nn.functional.conv_transpose2d(a, w.transpose(0, 1)), (IMG, W2)),
    "prelu": (lambda m, a: m.nn.functional.prelu(a, m.tensor([0.25])), (X,)),
    "einsum": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), (X, Y)),
    "mse_loss_bf16": (lambda m, a: m.nn.functional.mse_loss(a.bfloat16(), a.bfloat16() * 2), (X,)),
    "cross_entropy_bf16": (lambda m, a, t: m.nn.functional.cross_entropy(a.bfloat16(), t), (X[:, :5], TGT)),
    "nll_loss_bf16": (lambda m, a, t: m.nn.functional.nll_loss(a.bfloat16(), t), (X[:, :5], TGT)),
    "bce_bf16": (lambda m, p: m.nn.functional.binary_cross_entropy(p.bfloat16(), p.bfloat16()), (P,)),
    "bce_logits_bf16": (lambda m, a, p: m.nn.functional.binary_cross_entropy_with_logits(a.bfloat16(), p),
                        (X[:, :5], P)),
    "l1_loss_mixed": (lambda m, a: m.nn.functional.l1_loss(a.bfloat16(), a), (X,)),
    "prod_bf16": (lambda m, a: m.prod(a.bfloat16()), (V,)),
    "relu_stays_bf16": (lambda m, a: m.relu(a.bfloat16()), (X,)),
    "softmax_stays": (lambda m, a: m.softmax(a.bfloat16(), 0), (X,)),
    "add_promotes": (lambda m, a: a.bfloat16() + a, (X,)),
    "mv_not_cast": (lambda m, a, v: m.mv(a[:, :4], v), (X, V)),
    "float64_not_cast": (lambda m, a, b: m.mm(a.double(), b.double()), (X, Y)),
    "int_untouched": (lambda m, t: m.mm(t[None], t[:, None]), (TGT,)),
    "linear_module": (lambda m, a: _seeded_linear(m)(a), (X,)),
    "conv_module": (lambda m, a: _seeded_conv(m)(a), (IMG,)),
}


def _seeded_linear(lib):
    lib.manual_seed(0)
    return lib.nn.Linear(6, 3)


def _seeded_conv(lib):
    lib.manual_seed(0)
    return lib.nn.Conv2d(2, 4, 3, padding=1)


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_cpu_autocast_op_policy(name, dtype):
    fn, data = OPS[name]

    def run(lib, *xs):
        with lib.autocast("cpu", dtype=getattr(lib, dtype)):
            return fn(lib, *xs)
    (t, tw), (n, nw) = _both(run, *data)
    assert str(n.dtype) == str(t.dtype), f"{name}: {n.dtype} vs {t.dtype}"
    assert tuple(n.shape) == tuple(t.shape)
    np.testing.assert_allclose(to_np(n).astype(np.float64), to_np(t).astype(np.float64), rtol=2e-2, atol=5e-2)


def test_mixed_double_and_float_fails_like_torch():
    def run(lib, a, b):
        with lib.autocast("cpu"):
            try:
                return lib.mm(a.double(), b)
            except RuntimeError as e:
                return type(e)
    (t, _), (n, _) = _both(run, X, Y)
    assert t is RuntimeError and n is RuntimeError


def test_autocast_backward_grads_in_parameter_dtype():
    def run(lib, a):
        model = _seeded_linear(lib)
        x = a.clone().requires_grad_(True)
        with lib.autocast("cpu"):
            out = model(x)
            loss = lib.nn.functional.mse_loss(out, lib.zeros(4, 3))
        loss.backward()
        return out, loss, x.grad, model.weight.grad, model.bias.grad
    (t, _), (n, _) = _both(run, X)
    for a, b in zip(n, t):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=2e-2, atol=2e-2)


def test_nested_and_disabled_state():
    def run(lib):
        seen = [lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled()]
        with lib.autocast("cpu", dtype=lib.float16):
            seen += [lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")]
            with lib.autocast("cpu", enabled=False):
                seen += [lib.is_autocast_enabled("cpu"), lib.mm(lib.ones(2, 2), lib.ones(2, 2)).dtype]
            with lib.amp.autocast("cpu"):
                seen += [lib.get_autocast_dtype("cpu"), lib.mm(lib.ones(2, 2), lib.ones(2, 2)).dtype]
            seen += [lib.get_autocast_dtype("cpu"), lib.mm(lib.ones(2, 2), lib.ones(2, 2)).dtype]
        seen += [lib.is_autocast_enabled("cpu"), lib.get_autocast_dtype("cpu")]
        seen += [lib.get_autocast_dtype("cuda")]
        return [str(s) for s in seen]
    (t, _), (n, _) = _both(run)
    assert n == t


def test_autocast_as_decorator_and_alias():
    torch = need_torch()
    assert numtorch.autocast is numtorch.amp.autocast and torch.autocast is torch.amp.autocast

    def run(lib):
        @lib.autocast("cpu")
        def f(a, b):
            return lib.mm(a, b)
        return str(f(lib.ones(2, 2), lib.ones(2, 2)).dtype), lib.is_autocast_enabled("cpu")
    (t, _), (n, _) = _both(run)
    assert n == t


@pytest.mark.parametrize("expr", [
    "lib.autocast('cuda')", "lib.amp.autocast('cuda', dtype=lib.bfloat16)",
    "lib.autocast('cpu', dtype=lib.float32)", "lib.autocast('cpu', dtype=lib.float64)",
    "lib.cuda.amp.autocast()", "lib.cuda.amp.autocast(enabled=False)",
    "lib.autocast('xyz')", "lib.autocast(3)", "lib.autocast('cpu', enabled=1)",
])
def test_autocast_construction_warnings_and_errors(expr):
    def run(lib):
        try:
            ctx = eval(expr, {"lib": lib})
            with ctx:
                return lib.is_autocast_enabled(ctx.device), str(ctx.fast_dtype)
        except Exception as e:  # compared below
            return type(e), str(e)
    (t, tw), (n, nw) = _both(run)
    assert n[0] == t[0]
    if isinstance(t[0], type):
        assert n[1] == t[1] or t[0] is ValueError
    else:
        assert n == t
    assert [(c, m) for c, m in nw] == [(c, m) for c, m in tw]


def test_cuda_autocast_is_a_disabled_noop_here():
    def run(lib, a, b):
        with lib.autocast("cuda"):
            return lib.mm(a, b)
    (t, _), (n, _) = _both(run, X, Y)
    assert str(n.dtype) == str(t.dtype) == "torch.float32"


def test_custom_fwd_bwd_cast_inputs():
    def run(lib, a):
        class Square(lib.autograd.Function):
            @staticmethod
            @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.mm(x.T)

            @staticmethod
            @lib.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return (g + g.T).mm(x)
        x = a.bfloat16().requires_grad_(True)
        with lib.autocast("cpu"):
            out = Square.apply(x)
        out.sum().backward()
        return out, x.grad
    (t, _), (n, _) = _both(run, X)
    for a, b in zip(n, t):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=2e-2, atol=2e-2)


# ---- GradScaler ----

def _train(lib, scaler_kwargs, inject, steps=6, opt="SGD", unscale_first=False):
    """A small model trained with GradScaler; ``inject`` maps step -> value put into one gradient."""
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
    optim = getattr(lib.optim, opt)(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu", **scaler_kwargs)
    x = lib.tensor(rand(5, 3, seed=7))
    log = []
    for i in range(steps):
        optim.zero_grad()
        loss = model(x).pow(2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i in inject:
            model[0].weight.grad[0, 0] = inject[i]
        if unscale_first:
            scaler.unscale_(optim)
            log.append([to_np(p.grad).copy() for p in model.parameters()])
        ret = scaler.step(optim)
        scaler.update()
        log.append((scaled.item(), ret, scaler.get_scale(), scaler._get_growth_tracker(),
                    [to_np(p).copy() for p in model.parameters()]))
    return log, scaler.state_dict()


@pytest.mark.parametrize("kwargs,inject,unscale_first", [
    ({}, {}, False),
    ({"init_scale": 4.0, "growth_interval": 2}, {}, False),
    ({"init_scale": 8.0, "growth_interval": 2}, {1: float("inf"), 2: float("nan")}, False),
    ({"init_scale": 2.0 ** 20, "growth_factor": 3.0, "backoff_factor": 0.25, "growth_interval": 3},
     {0: float("-inf"), 4: float("inf")}, True),
    ({"enabled": False}, {}, False),
    ({"init_scale": 3.4e38, "growth_interval": 1}, {}, False),
])
def test_grad_scaler_matches_torch(kwargs, inject, unscale_first):
    (t, _), (n, _) = _both(lambda lib: _train(lib, kwargs, inject, unscale_first=unscale_first))
    (tlog, tsd), (nlog, nsd) = t, n
    assert nsd == tsd
    for a, b in zip(nlog, tlog):
        if isinstance(b, list):
            for x, y in zip(a, b):
                np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
            continue
        assert a[1:4] == b[1:4]
        np.testing.assert_allclose(a[0], b[0], rtol=1e-6)
        for x, y in zip(a[4], b[4]):
            np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


def test_grad_scaler_scale_iterables_and_state_dict_roundtrip():
    def run(lib):
        s = lib.amp.GradScaler("cpu", init_scale=16.0)
        before = s.get_scale(), s.state_dict()
        outs = s.scale([lib.ones(2), (lib.ones(1) * 2, lib.ones(3))])
        other = lib.amp.GradScaler("cpu")
        other.load_state_dict({**s.state_dict(), "_growth_tracker": 5})
        scaled = [[to_np(o).tolist() for o in outs[1]], to_np(outs[0]).tolist()]
        return before, scaled, type(outs[1]).__name__, other.state_dict(), other.get_scale()
    (t, _), (n, _) = _both(run)
    assert n == t


@pytest.mark.parametrize("case", ["unscale_twice", "unscale_after_step", "step_twice", "update_unscaled",
                                  "step_unscaled", "closure", "fp16_grads", "growth_factor", "backoff_factor",
                                  "load_empty", "bad_outputs", "new_scale_bad", "update_no_inf_checks"])
def test_grad_scaler_errors(case):
    def run(lib):
        p = lib.nn.Parameter(lib.ones(2, dtype=lib.float16 if case == "fp16_grads" else lib.float32))
        opt = lib.optim.SGD([p], lr=0.1)
        s = lib.amp.GradScaler("cpu")
        try:
            if case == "growth_factor":
                lib.amp.GradScaler("cpu", growth_factor=1.0)
            elif case == "backoff_factor":
                lib.amp.GradScaler("cpu", backoff_factor=1.0)
            elif case in ("update_unscaled", "step_unscaled"):
                getattr(s, case.split("_")[0])(*(() if case.startswith("update") else (opt,)))
            elif case == "load_empty":
                s.load_state_dict({})
            elif case == "bad_outputs":
                s.scale([lib.ones(1), 3])
            else:
                s.scale(p.sum()).backward()
                if case == "unscale_twice":
                    s.unscale_(opt)
                    s.unscale_(opt)
                elif case == "unscale_after_step":
                    s.step(opt)
                    s.unscale_(opt)
                elif case == "step_twice":
                    s.step(opt)
                    s.step(opt)
                elif case == "closure":
                    s.step(opt, closure=lambda: None)
                elif case == "fp16_grads":
                    s.unscale_(opt)
                elif case == "new_scale_bad":
                    s.update(lib.ones(2))
                elif case == "update_no_inf_checks":
                    s.update()
        except Exception as e:  # compared below
            return type(e), str(e)
        return None
    (t, _), (n, _) = _both(run)
    assert t is not None and n == t


def test_disabled_and_cuda_scalers():
    def run(lib):
        seen = []
        for args, kw in (((), {}), (("cuda",), {"enabled": False}), (("cpu",), {"enabled": False})):
            s = lib.amp.GradScaler(*args, **kw)
            p = lib.nn.Parameter(lib.ones(2))
            opt = lib.optim.SGD([p], lr=0.5)
            out = s.scale(p.sum() * 3)
            out.backward()
            s.unscale_(opt)
            ret = s.step(opt)
            s.update()
            seen.append((s.is_enabled(), s.get_scale(), s.state_dict(), out.item(), ret, to_np(p).tolist()))
        return seen
    (t, tw), (n, nw) = _both(run)
    assert n == t
    assert nw == tw


def test_cuda_amp_grad_scaler_deprecated():
    def run(lib):
        s = lib.cuda.amp.GradScaler(init_scale=4.0)
        return isinstance(s, lib.amp.GradScaler), s.is_enabled()
    (t, tw), (n, nw) = _both(run)
    assert n == t and nw == tw and tw[0][0] is FutureWarning


def test_grad_scaler_pickles_between_iterations():
    import pickle
    s = numtorch.amp.GradScaler("cpu", init_scale=32.0)
    s.scale(numtorch.ones(1))
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.get_scale() == 32.0 and s2._scale is None
    c = copy.deepcopy(s)
    assert c.state_dict() == s.state_dict()


def test_backward_inside_autocast_block():
    def run(lib, a):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))
        x = a.clone().requires_grad_(True)
        with lib.autocast("cpu"):
            out = m(x)
            loss = lib.nn.functional.cross_entropy(out, lib.tensor([0, 1, 2, 0]))
            loss.backward()
        return out, loss, x.grad, m[0].weight.grad, m[2].bias.grad
    (t, _), (n, _) = _both(run, X)
    for a, b in zip(n, t):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=2e-2, atol=2e-2)


SEQ, IMG3 = rand(3, 2, 4, seed=8), rand(2, 3, 8, 8, seed=9)
MODULES = {
    "gru": (lambda lib: lib.nn.GRU(4, 5), lambda m, a: m(a)[0], SEQ),
    "mha": (lambda lib: lib.nn.MultiheadAttention(4, 2), lambda m, a: m(a, a, a)[0], SEQ),
    "encoder_layer": (lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0),
                      lambda m, a: m(a), SEQ),
    "conv_bn_pool": (lambda lib: _conv_bn_pool(lib), lambda m, a: m(a), IMG3),
}


def _conv_bn_pool(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1))


@pytest.mark.parametrize("name", list(MODULES))
def test_modules_under_autocast(name):
    make, call, data = MODULES[name]

    def run(lib, a):
        lib.manual_seed(0)
        m = make(lib)
        with lib.autocast("cpu"):
            return call(m, a)
    (t, _), (n, _) = _both(run, data)
    assert str(n.dtype) == str(t.dtype)
    np.testing.assert_allclose(to_np(n), to_np(t), rtol=2e-2, atol=2e-2)


def _flat(o):
    if isinstance(o, (tuple, list)):
        return [y for v in o for y in _flat(v)]
    return [o]


def _packed_run(lib, m, a):
    out, state = m(lib.nn.utils.rnn.pack_padded_sequence(a, [3, 2]))
    return out.data, state


RNNS = {
    "lstm_2_layers": (lambda lib: lib.nn.LSTM(4, 5, num_layers=2), lambda lib, m, a: m(a)),
    "lstm_hx": (lambda lib: lib.nn.LSTM(4, 5),
                lambda lib, m, a: m(a, (lib.zeros(1, 2, 5), lib.zeros(1, 2, 5)))),
    "lstm_bidirectional": (lambda lib: lib.nn.LSTM(4, 5, batch_first=True, bidirectional=True),
                           lambda lib, m, a: m(a)),
    "lstm_no_bias": (lambda lib: lib.nn.LSTM(4, 5, bias=False), lambda lib, m, a: m(a)),
    "lstm_proj": (lambda lib: lib.nn.LSTM(4, 5, proj_size=2), lambda lib, m, a: m(a)),
    "lstm_packed": (lambda lib: lib.nn.LSTM(4, 5), _packed_run),
    "lstm_cell": (lambda lib: lib.nn.LSTMCell(4, 5), lambda lib, m, a: m(a[0])),
    "gru": (lambda lib: lib.nn.GRU(4, 5), lambda lib, m, a: m(a)),
}


@pytest.mark.parametrize("name", list(RNNS))
def test_recurrent_layers_under_autocast(name):
    make, call = RNNS[name]

    def run(lib, a):
        lib.manual_seed(0)
        m = make(lib)
        with lib.autocast("cpu"):
            return _flat(call(lib, m, a))
    (t, _), (n, _) = _both(run, SEQ)
    assert [str(a.dtype) for a in n] == [str(b.dtype) for b in t]
    for a, b in zip(n, t):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=2e-2, atol=2e-2)
