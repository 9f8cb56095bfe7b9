"""Optimizers against torch.optim: same parameters and gradients, compare parameters and state."""
import warnings

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """torch's thread pool only adds contention for these tiny models on a shared machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)

OPT_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"betas": (0.3, 0.7), "maximize": True, "eps": 1e-3}),
    ("Adam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5}),
    ("Adamax", {}),
    ("Adamax", {"weight_decay": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"weight_decay": 0.1, "lr": 0.1}),
    ("RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"centered": True, "momentum": 0.9, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.1}),
    ("Adadelta", {}),
    ("Adadelta", {"rho": 0.5, "weight_decay": 0.1, "lr": 0.5, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"t0": 5, "lambd": 0.1, "weight_decay": 0.1}),
    ("Rprop", {}),
    ("Rprop", {"etas": (0.3, 1.5), "step_sizes": (0.001, 0.1), "maximize": True}),
    ("Adafactor", {}),
    ("Adafactor", {"lr": 0.1, "weight_decay": 0.1, "maximize": True, "beta2_decay": -0.5}),
    ("Adafactor", {"eps": (1e-3, 1e-2), "d": 2.0, "foreach": True}),
]

SHAPES = [(7, 5), (3,), (), (2, 4, 3)]


def _data(dtype, steps, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    return params, grads


def _run(lib, name, kw, params, grads, sd=None):
    ps = [lib.tensor(p, requires_grad=True) for p in params]
    opt = getattr(lib.optim, name)(ps, **kw)
    if sd is not None:
        opt.load_state_dict(sd)
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = lib.tensor(g)
        opt.step()
    return ps, opt


def _assert_state(nopt, topt, nps, tps, rtol):
    for n, t in zip(nps, tps):
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol)
        ns, ts = nopt.state[n], topt.state[t]
        assert list(ns) == list(ts)
        for k, tv in ts.items():
            nv = ns[k]
            if isinstance(tv, torch.Tensor):
                assert str(nv.dtype) == str(tv.dtype) and tuple(nv.shape) == tuple(tv.shape), k
                np.testing.assert_allclose(nv.numpy(), tv.numpy(), rtol=1e-4, atol=1e-6)
            else:
                assert nv == tv


@pytest.mark.parametrize("name,kw", OPT_CASES)
def test_trajectory_float32(name, kw):
    params, grads = _data("float32", 20)
    tps, topt = _run(torch, name, kw, params, grads)
    nps, nopt = _run(numtorch, name, kw, params, grads)
    _assert_state(nopt, topt, nps, tps, rtol=1e-6)
    assert nopt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]


# Parameters big enough for the BLAS-fused update path (see optim/_functional.py).
LARGE = [(48, 64), (2500,)]
# torch's float32 sqrt on long arrays (MKL) is sometimes 1 ulp below the correctly rounded value, so only
# the optimizers without an elementwise sqrt can match bit for bit there.
NO_SQRT = ("SGD", "Adamax", "ASGD", "Rprop")


@pytest.mark.parametrize("name,kw", OPT_CASES)
def test_trajectory_large_params(name, kw):
    params, grads = _data("float32", 10, seed=4, shapes=LARGE)
    tps, topt = _run(torch, name, kw, params, grads)
    nps, nopt = _run(numtorch, name, kw, params, grads)
    _assert_state(nopt, topt, nps, tps, rtol=1e-6)
    if name in NO_SQRT:
        for n, t in zip(nps, tps):
            np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize("path", ["axpy", "axpy_blocks", "gemv", "float64"])
def test_fused_paths_agree(path, monkeypatch):
    """BLAS's axpy (whole or in blocks), the matrix-vector fallback and the float64 fallback all give
    torch's bits for the fused multiply-adds of add(alpha=) and lerp."""
    from numtorch.optim import _functional
    if path.startswith("axpy") and _functional.axpy_for(np.dtype(np.float32)) is None:
        pytest.skip("no fused BLAS axpy here")
    if path == "gemv":
        if not _functional._blas_fuses():
            pytest.skip("this BLAS's matrix-vector product does not fuse the multiply-add")
        monkeypatch.setitem(_functional._axpy, np.dtype(np.float32), None)
    if path == "float64":
        monkeypatch.setitem(_functional._axpy, np.dtype(np.float32), None)
        monkeypatch.setattr(_functional, "_blas_fma", False)
    if path == "axpy_blocks":
        monkeypatch.setattr(_functional, "_BLOCK", 1000)
    kw = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}
    params, grads = _data("float32", 5, seed=5, shapes=LARGE)
    for name, args in (("SGD", kw), ("Adamax", {})):
        tps, _ = _run(torch, name, args, params, grads)
        nps, _ = _run(numtorch, name, args, params, grads)
        for n, t in zip(nps, tps):
            np.testing.assert_array_equal(n.detach().numpy(), t.detach().numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight", [0.1, 0.7, -0.3])
def test_lerp_kernel_rounds_like_torch(dtype, weight):
    """lerp_ anchors on the nearer end with one rounding (float64 through BLAS's daxpy when present)."""
    from numtorch.optim import _functional
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((2, 5001)).astype(dtype)
    want = torch.from_numpy(a.copy()).lerp_(torch.from_numpy(b), weight).numpy()
    got = _functional.lerp_(a.copy(), b, weight)
    np.testing.assert_array_equal(got, want)
    # a strided view takes the plain NumPy path
    got = _functional.lerp_(a.copy()[::2], b[::2], weight)
    np.testing.assert_array_equal(got, torch.from_numpy(a[::2].copy()).lerp_(torch.from_numpy(b[::2].copy()),
                                                                            weight).numpy())


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_blockwise_kernel_matches_its_fallback(amsgrad, monkeypatch):
    """The block-by-block Adam update and the operation-by-operation one (non-contiguous parameters)
    compute the same bits, and stay within float32 rounding of torch's."""
    from numtorch.optim import _functional
    monkeypatch.setattr(_functional, "_BLOCK", 1000)
    params, grads = _data("float32", 5, seed=6, shapes=[(60, 70)])
    tps, _ = _run(torch, "Adam", {"amsgrad": amsgrad}, params, grads)
    nps, nopt = _run(numtorch, "Adam", {"amsgrad": amsgrad}, params, grads)
    # the same update on a transposed (non-contiguous) parameter takes the fallback path
    p = numtorch.tensor(params[0].T.copy()).t().detach().requires_grad_()
    opt = numtorch.optim.Adam([p], amsgrad=amsgrad)
    for gs in grads:
        p.grad = numtorch.tensor(gs[0].T.copy()).t()
        opt.step()
    assert not p.is_contiguous()
    np.testing.assert_array_equal(p.detach().numpy(), nps[0].detach().numpy())
    for k in nopt.state[nps[0]]:
        np.testing.assert_array_equal(opt.state[p][k].numpy(), nopt.state[nps[0]][k].numpy())
    np.testing.assert_allclose(nps[0].detach().numpy(), tps[0].detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kw", OPT_CASES[::3])
def test_trajectory_float64(name, kw):
    params, grads = _data("float64", 10, seed=1)
    tps, topt = _run(torch, name, kw, params, grads)
    nps, nopt = _run(numtorch, name, kw, params, grads)
    _assert_state(nopt, topt, nps, tps, rtol=1e-12)


@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {}), ("RMSprop", {})])
def test_complex_params(name, kw):
    rng = np.random.default_rng(2)
    p0 = (rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))).astype("complex64")
    gs = [[(rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))).astype("complex64")]
          for _ in range(5)]
    tps, _ = _run(torch, name, kw, [p0], gs)
    nps, _ = _run(numtorch, name, kw, [p0], gs)
    np.testing.assert_allclose(nps[0].detach().numpy(), tps[0].detach().numpy(), rtol=1e-5, atol=1e-6)


def _to_lib(lib, obj):
    if isinstance(obj, (torch.Tensor, numtorch.Tensor)):
        return lib.tensor(obj.numpy())
    if isinstance(obj, dict):
        return {k: _to_lib(lib, v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_lib(lib, v) for v in obj]
    return obj


def _params_np(ps):
    return [p.detach().numpy().copy() for p in ps]


def _assert_sd_layout(nsd, tsd):
    """Two optimizer state dicts in the same layout: ids, keys, dtypes, shapes and param_groups."""
    assert nsd["param_groups"] == tsd["param_groups"]
    assert list(nsd["state"]) == list(tsd["state"])
    for i, ts in tsd["state"].items():
        ns = nsd["state"][i]
        assert list(ns) == list(ts)
        for k, tv in ts.items():
            if isinstance(tv, torch.Tensor):
                assert str(ns[k].dtype) == str(tv.dtype) and tuple(ns[k].shape) == tuple(tv.shape), k


@pytest.mark.parametrize("name,kw", OPT_CASES)
def test_state_dict_round_trip_and_resume(name, kw):
    params, grads = _data("float32", 12)
    full_n, _ = _run(numtorch, name, kw, params, grads)
    full_t, topt_full = _run(torch, name, kw, params, grads)
    # numtorch -> torch -> numtorch, resumed half way: the same trajectory as never stopping.
    half_n, nopt = _run(numtorch, name, kw, params, grads[:6])
    in_torch = getattr(torch.optim, name)([torch.tensor(p, requires_grad=True) for p in _params_np(half_n)],
                                          **kw)
    in_torch.load_state_dict(_to_lib(torch, nopt.state_dict()))
    _assert_sd_layout(nopt.state_dict(), in_torch.state_dict())
    back = _to_lib(numtorch, in_torch.state_dict())
    resumed, ropt = _run(numtorch, name, kw, _params_np(half_n), grads[6:], sd=back)
    for r, f in zip(resumed, full_n):
        np.testing.assert_array_equal(r.detach().numpy(), f.detach().numpy())
    # torch carries on from the state numtorch wrote, and numtorch from the state torch wrote.
    cont_t, _ = _run(torch, name, kw, _params_np(half_n), grads[6:], sd=_to_lib(torch, nopt.state_dict()))
    half_t, topt = _run(torch, name, kw, params, grads[:6])
    cont_n, copt = _run(numtorch, name, kw, _params_np(half_t), grads[6:],
                        sd=_to_lib(numtorch, topt.state_dict()))
    for a, b in [*zip(cont_t, full_t), *zip(cont_n, full_t)]:
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)
    _assert_sd_layout(copt.state_dict(), topt_full.state_dict())


def _lbfgs(lib, x0, kw, steps):
    rng = np.random.default_rng(3)
    a = lib.tensor(rng.standard_normal((8, 5)))
    b = lib.tensor(rng.standard_normal(8))
    x = lib.tensor(x0, requires_grad=True)
    opt = lib.optim.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        loss = ((a @ x - b) ** 2).sum() + (x ** 4).sum()
        loss.backward()
        return loss
    losses = [opt.step(closure).item() for _ in range(steps)]
    return x, opt, losses


@pytest.mark.parametrize("kw", [
    {"lr": 0.5, "max_iter": 4, "history_size": 3},
    {"lr": 1, "max_iter": 4, "max_eval": 40, "line_search_fn": "strong_wolfe"},
    {"lr": 0.2, "max_iter": 3, "history_size": 2, "line_search_fn": "strong_wolfe"}])
def test_lbfgs(kw):
    x0 = np.random.default_rng(4).standard_normal(5)
    tx, topt, tl = _lbfgs(torch, x0, kw, 4)
    nx, nopt, nl = _lbfgs(numtorch, x0, kw, 4)
    np.testing.assert_allclose(nx.detach().numpy(), tx.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nl, tl, rtol=1e-9)
    ts, ns = topt.state[tx], nopt.state[nx]
    assert sorted(ts) == sorted(ns)
    assert (ts["func_evals"], ts["n_iter"]) == (ns["func_evals"], ns["n_iter"])


def test_param_groups_and_zero_grad():
    for lib in (torch, numtorch):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
        assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
        a.grad = lib.ones(2)
        opt.zero_grad(set_to_none=False)
        assert a.grad.tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert a.grad is None
    names = [("w", numtorch.ones(2, requires_grad=True))]
    opt = numtorch.optim.Adam(names)
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w"]


def test_repr():
    for make in (lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1),
                 lambda lib: lib.optim.Adam([lib.ones(2, requires_grad=True)])):
        assert repr(make(numtorch)) == repr(make(torch))


def test_step_hooks_and_version():
    p = numtorch.ones(2, requires_grad=True)
    opt = numtorch.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    p.grad = numtorch.ones(2)
    v = p._version
    opt.step()
    assert calls == ["pre", "post"] and p._version == v + 1
    h1.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]


ERRORS = [
    lambda lib, p: lib.optim.SGD([p], lr=-1),
    lambda lib, p: lib.optim.SGD([p], momentum=-1),
    lambda lib, p: lib.optim.SGD([p], lr=0.1, nesterov=True),
    lambda lib, p: lib.optim.Adam([p], betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam([p], betas=(0.9, 1)),
    lambda lib, p: lib.optim.Adam([p], eps=-1),
    lambda lib, p: lib.optim.RMSprop([p], alpha=-1),
    lambda lib, p: lib.optim.Rprop([p], etas=(1.5, 1.2)),
    lambda lib, p: lib.optim.Adadelta([p], rho=2),
    lambda lib, p: lib.optim.SGD([], lr=0.1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1),
    lambda lib, p: lib.optim.SGD([p * 2], lr=0.1),
    lambda lib, p: lib.optim.SGD([1.0], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": {p}}], lr=0.1),
    lambda lib, p: lib.optim.LBFGS([{"params": [p]}, {"params": [p * 1]}]),
    lambda lib, p: lib.optim.SGD([p], lr=0.1).load_state_dict({"state": {}, "param_groups": []}),
    lambda lib, p: lib.optim.Adafactor([p], lr=-0.1),
    lambda lib, p: lib.optim.Adafactor([p], beta2_decay=0.5),
    lambda lib, p: lib.optim.Adafactor([p], eps=(-1.0, 1e-3)),
    lambda lib, p: lib.optim.Adafactor([p], eps=(None, -1e-3)),
    lambda lib, p: lib.optim.Adafactor([p], d=0.5),
    lambda lib, p: lib.optim.Adafactor([p], weight_decay=-1),
    lambda lib, p: lib.optim.Adafactor([p], lr=lib.tensor([0.1, 0.2])),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    types = []
    for lib in (torch, numtorch):
        p = lib.ones(2, requires_grad=True)
        try:
            ERRORS[i](lib, p)
            types.append(None)
        except Exception as e:  # noqa: BLE001
            types.append((type(e), str(e)[:40]))
    assert types[0] == types[1] and types[0] is not None


def test_duplicate_param_warns():
    for lib in (torch, numtorch):
        p = lib.ones(2, requires_grad=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.optim.SGD([p, p], lr=0.1)
        assert len(w) == 1


def test_nn_linear_training():
    if not hasattr(numtorch.nn, "Linear"):
        pytest.skip("nn.Linear not available yet")
    torch.manual_seed(0)
    tm = torch.nn.Linear(4, 3)
    nm = numtorch.nn.Linear(4, 3)
    nm.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((6, 4)).astype("float32")
    for lib, m in ((torch, tm), (numtorch, nm)):
        opt = lib.optim.Adam(m.parameters(), lr=0.01)
        for _ in range(20):
            opt.zero_grad()
            (m(lib.tensor(x)) ** 2).mean().backward()
            opt.step()
    np.testing.assert_allclose(nm.weight.detach().numpy(), tm.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))


def _twin_models(make, seed=0):
    """``make(torch)`` and ``make(numtorch)`` holding the same weights (torch's, copied by state_dict)."""
    torch.manual_seed(seed)
    tm = make(torch)
    nm = make(numtorch)
    nm.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, nm


MLP_BATCHES = [(np.random.default_rng(10 + i).standard_normal((6, 5)).astype("float32"),
                np.random.default_rng(40 + i).standard_normal((6, 3)).astype("float32")) for i in range(20)]


def _train(lib, model, opt, batches, loss="mse"):
    # With maximize=True the model climbs -loss, so both runs stay on a stable (comparable) path.
    sign = -1 if opt.param_groups[0].get("maximize") else 1
    for x, y in batches:
        opt.zero_grad()
        out = model(lib.tensor(x))
        if loss == "mse":
            err = lib.nn.functional.mse_loss(out, lib.tensor(y))
        else:
            err = lib.nn.functional.cross_entropy(out, lib.tensor(y))
        (sign * err).backward()
        opt.step()


def _assert_params(nm, tm, rtol=1e-6):
    for (name, n), (_, t) in zip(nm.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=rtol, err_msg=name)


@pytest.mark.parametrize("name,kw", OPT_CASES)
def test_model_training_20_steps(name, kw):
    tm, nm = _twin_models(_mlp)
    topt = getattr(torch.optim, name)(tm.parameters(), **kw)
    nopt = getattr(numtorch.optim, name)(nm.parameters(), **kw)
    _train(torch, tm, topt, MLP_BATCHES)
    _train(numtorch, nm, nopt, MLP_BATCHES)
    _assert_params(nm, tm)


def _lenet(lib):
    # LeCun's original smooth LeNet (tanh, average pooling): ReLU/max-pool ties would let float rounding in
    # the convolutions pick different branches, and the runs would part for reasons unrelated to optim.
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(),
                         nn.AvgPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84),
                         nn.Tanh(), nn.Linear(84, 10))


@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.05, "momentum": 0.9}), ("Adam", {"lr": 1e-3}),
                                     ("AdamW", {"lr": 1e-3, "amsgrad": True})])
def test_lenet_training(name, kw):
    tm, nm = _twin_models(_lenet, seed=1)
    rng = np.random.default_rng(3)
    batches = [(rng.standard_normal((2, 3, 32, 32)).astype("float32"), rng.integers(0, 10, 2))
               for _ in range(20)]
    _train(torch, tm, getattr(torch.optim, name)(tm.parameters(), **kw), batches, loss="ce")
    _train(numtorch, nm, getattr(numtorch.optim, name)(nm.parameters(), **kw), batches, loss="ce")
    _assert_params(nm, tm, rtol=1e-5)


@pytest.mark.parametrize("kw", [{"lr": 0.5, "max_iter": 5},
                                {"lr": 1, "max_iter": 5, "line_search_fn": "strong_wolfe"},
                                {"lr": 0.5, "max_iter": 4, "history_size": 3, "tolerance_change": 1e-12}])
def test_lbfgs_model_training(kw):
    # LBFGS's curvature pairs amplify float32 reduction-order noise within a few steps: train in float64.
    tm, nm = _twin_models(_mlp)
    tm.double()
    nm.double()
    x, y = (v.astype("float64") for v in MLP_BATCHES[0])
    for lib, m in ((torch, tm), (numtorch, nm)):
        opt = lib.optim.LBFGS(m.parameters(), **kw)

        def closure():
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(m(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            return loss
        for _ in range(4):
            opt.step(closure)
    _assert_params(nm, tm, rtol=1e-9)


@pytest.mark.parametrize("name,kw", [("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
                                     ("Adam", {"lr": 0.01, "amsgrad": True}), ("ASGD", {"t0": 2}),
                                     ("Rprop", {}), ("Adafactor", {})])
def test_checkpoint_file_round_trip(name, kw, tmp_path):
    if not hasattr(numtorch, "save"):
        pytest.skip("numtorch.save is not available yet")
    params, grads = _data("float32", 12)
    full_n, _ = _run(numtorch, name, kw, params, grads)
    full_t, _ = _run(torch, name, kw, params, grads)
    half_n, nopt = _run(numtorch, name, kw, params, grads[:6])
    numtorch.save({"params": half_n, "optim": nopt.state_dict()}, tmp_path / "n.pt")
    ck = torch.load(tmp_path / "n.pt")
    cont_t, topt = _run(torch, name, kw, _params_np(ck["params"]), grads[6:], sd=ck["optim"])
    torch.save({"params": cont_t, "optim": topt.state_dict()}, tmp_path / "t.pt")
    back = numtorch.load(tmp_path / "t.pt")
    _assert_sd_layout(back["optim"], topt.state_dict())
    for a, b in zip(cont_t, full_t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)
    # numtorch resumed from its own file: bit for bit the run that never stopped.
    numtorch.save({"params": half_n, "optim": nopt.state_dict()}, tmp_path / "n2.pt")
    again = numtorch.load(tmp_path / "n2.pt")
    resumed, _ = _run(numtorch, name, kw, _params_np(again["params"]), grads[6:], sd=again["optim"])
    for a, b in zip(resumed, full_n):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _muon_run(lib, groups_fn, steps=5, **kw):
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((6, 4)).astype("float32"), requires_grad=True)
    v = lib.tensor(rng.standard_normal((3, 5)).astype("float32"), requires_grad=True)
    x = lib.tensor(rng.standard_normal((8, 4)).astype("float32"))
    opt = lib.optim.Muon(groups_fn(w, v), **kw)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        ((x @ w.T).pow(2).sum() + (v ** 3).sum()).backward()
        opt.step()
        seen.append((w.detach().numpy().copy(), v.detach().numpy().copy()))
    state = opt.state_dict()
    return seen, state["param_groups"], [s["momentum_buffer"].numpy() for s in state["state"].values()]


@pytest.mark.parametrize("groups,kw", [
    (lambda w, v: [w, v], {}),
    (lambda w, v: [{"params": [w]}, {"params": [v], "nesterov": False, "adjust_lr_fn": "match_rms_adamw",
                                     "lr": 0.01}], {"lr": 0.02}),
    (lambda w, v: [w, v], {"momentum": 0.0, "weight_decay": 0.0, "ns_steps": 3, "adjust_lr_fn": "original"}),
    (lambda w, v: [w], {"ns_coefficients": (2.0, -1.5, 0.5), "eps": 1e-3}),
])
def test_muon_matches_torch(groups, kw):
    t = _muon_run(torch, groups, **kw)
    n = _muon_run(numtorch, groups, **kw)
    for (tw, tv), (nw, nv) in zip(t[0], n[0]):
        np.testing.assert_allclose(nw, tw, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(nv, tv, rtol=1e-6, atol=1e-7)
    assert n[1] == t[1]
    for a, b in zip(n[2], t[2]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("args", [{"lr": -1.0}, {"momentum": -0.1}, {"weight_decay": -1}, {"adjust_lr_fn": "x"},
                                  {"params3d": True}, {"ns_steps": 100}])
def test_muon_errors(args):
    msgs = []
    for lib in (torch, numtorch):
        shape = (2, 2, 2) if args.get("params3d") else (2, 3)
        p = lib.ones(shape, requires_grad=True)
        kw = {k: v for k, v in args.items() if k != "params3d"}
        with pytest.raises(ValueError) as info:
            opt = lib.optim.Muon([p], **kw)
            p.sum().backward()
            opt.step()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
