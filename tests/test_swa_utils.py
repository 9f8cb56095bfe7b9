"""swa_utils against torch.optim.swa_utils: averaged weights, buffers, SWALR sequences, update_bn."""
import warnings

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")


def _models(bn=True):
    """The same small model in both libraries (numtorch gets torch's initial weights)."""
    torch.manual_seed(0)
    layers = [torch.nn.Linear(4, 6)] + ([torch.nn.BatchNorm1d(6)] if bn else []) + [torch.nn.Linear(6, 2)]
    tm = torch.nn.Sequential(*layers)
    nn = numtorch.nn
    nm = nn.Sequential(*([nn.Linear(4, 6)] + ([nn.BatchNorm1d(6)] if bn else []) + [nn.Linear(6, 2)]))
    nm.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, nm


BATCHES = [np.random.default_rng(i).standard_normal((8, 4)).astype("float32") for i in range(6)]

AVG = {
    "swa": lambda lib: {},
    "ema_fn": lambda lib: {"avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.9)},
    "swa_fn": lambda lib: {"avg_fn": lib.optim.swa_utils.get_swa_avg_fn()},
    "ema_multi": lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.8)},
    "swa_multi": lambda lib: {"multi_avg_fn": lib.optim.swa_utils.get_swa_multi_avg_fn()},
    "swa_buffers": lambda lib: {"use_buffers": True},
    "ema_buffers": lambda lib: {"use_buffers": True, "avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.5)},
    "ema_multi_buffers": lambda lib: {"use_buffers": True,
                                      "multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.7)},
}


def _train_and_average(lib, model, kw):
    avg = lib.optim.swa_utils.AveragedModel(model, **kw)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x in BATCHES:
        opt.zero_grad()
        model(lib.tensor(x)).pow(2).mean().backward()
        opt.step()
        avg.update_parameters(model)
    return avg


@pytest.mark.parametrize("kind", list(AVG))
def test_averaged_model(kind):
    tm, nm = _models()
    ta = _train_and_average(torch, tm, AVG[kind](torch))
    na = _train_and_average(numtorch, nm, AVG[kind](numtorch))
    tsd, nsd = ta.state_dict(), na.state_dict()
    assert list(nsd) == list(tsd)
    for k, t in tsd.items():
        n = nsd[k]
        assert str(n.dtype) == str(t.dtype), k
        np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-6, atol=1e-7, err_msg=k)
    x = numtorch.tensor(BATCHES[0])
    na.eval()
    ta.eval()
    np.testing.assert_allclose(na(x).detach().numpy(), ta(torch.tensor(BATCHES[0])).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_multi_avg_fns_on_lists(dtype):
    rng = np.random.default_rng(7)
    a0 = [(rng.standard_normal(s) * 10).astype(dtype) for s in ((3, 2), (4,), ())]
    b0 = [(rng.standard_normal(s) * 10).astype(dtype) for s in ((3, 2), (4,), ())]
    res = []
    for lib in (torch, numtorch):
        out = []
        for make, n in ((lib.optim.swa_utils.get_ema_multi_avg_fn(0.25), 3),
                        (lib.optim.swa_utils.get_swa_multi_avg_fn(), 3),
                        (lib.optim.swa_utils.get_swa_multi_avg_fn(), lib.tensor(2))):
            a = [lib.tensor(v) for v in a0]
            try:
                make(a, [lib.tensor(v) for v in b0], n)
                out.append([v.numpy() for v in a])
            except RuntimeError as e:
                out.append(type(e))
        res.append(out)
    for t, n in zip(*res):
        if isinstance(t, type):
            assert n is t
            continue
        for tv, nv in zip(t, n):
            assert tv.dtype == nv.dtype
            np.testing.assert_allclose(nv, tv, rtol=1e-12)


@pytest.mark.parametrize("kw", [{"swa_lr": 0.05}, {"swa_lr": [0.01, 0.3], "anneal_epochs": 4},
                                {"swa_lr": 0.02, "anneal_epochs": 0, "anneal_strategy": "linear"},
                                {"swa_lr": 0.5, "anneal_epochs": 7, "anneal_strategy": "linear"}])
def test_swalr_sequence(kw):
    seqs = []
    for lib in (torch, numtorch):
        groups = [{"params": [lib.ones(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.02)]
        opt = lib.optim.SGD(groups, lr=0.1)
        cos = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30)
        swa = lib.optim.swa_utils.SWALR(opt, **kw)
        seq = [swa.get_last_lr()]
        for epoch in range(100):
            opt.step()
            (swa if epoch >= 40 else cos).step()
            seq.append(opt.param_groups[0]["lr"])
            seq.append(opt.param_groups[1]["lr"])
        sd = {k: v for k, v in swa.state_dict().items()}
        seqs.append((seq, sd))
    assert seqs[0] == seqs[1]


def test_swalr_resume():
    def run(steps, sd=None):
        opt = numtorch.optim.SGD([numtorch.ones(2, requires_grad=True)], lr=0.1)
        sched = numtorch.optim.swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=12)
        if sd is not None:
            opt.load_state_dict(sd[0])
            sched.load_state_dict(sd[1])
        out = []
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        return out, (opt.state_dict(), sched.state_dict())
    full, _ = run(20)
    first, sd = run(8)
    rest, _ = run(12, sd)
    assert first + rest == full


def test_update_bn():
    tm, nm = _models()
    res = []
    for lib, m in ((torch, tm), (numtorch, nm)):
        m.eval()
        loader = [(lib.tensor(x), lib.tensor(0)) for x in BATCHES[:3]] + [lib.tensor(BATCHES[3])]
        lib.optim.swa_utils.update_bn(loader, m)
        bn = m[1]
        res.append((bn.running_mean.numpy(), bn.running_var.numpy(), int(bn.num_batches_tracked), bn.momentum,
                    m.training))
    (tmean, tvar, tn, tmom, ttrain), (nmean, nvar, nn_, nmom, ntrain) = res
    np.testing.assert_allclose(nmean, tmean, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(nvar, tvar, rtol=1e-6, atol=1e-7)
    assert (nn_, nmom, ntrain) == (tn, tmom, ttrain)


def test_update_bn_without_batchnorm_is_a_no_op():
    _, nm = _models(bn=False)
    before = {k: v.clone() for k, v in nm.state_dict().items()}
    nm.eval()
    numtorch.optim.swa_utils.update_bn([numtorch.ones(2, 4)], nm)
    assert not nm.training
    assert all(np.array_equal(before[k].numpy(), v.numpy()) for k, v in nm.state_dict().items())


ERRORS = [
    lambda lib, m: lib.optim.swa_utils.get_ema_avg_fn(1.5),
    lambda lib, m: lib.optim.swa_utils.get_ema_multi_avg_fn(-0.1),
    lambda lib, m: lib.optim.swa_utils.AveragedModel(m, avg_fn=lib.optim.swa_utils.get_swa_avg_fn(),
                                                     multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn()),
    lambda lib, m: lib.optim.swa_utils.SWALR(lib.optim.SGD(m.parameters(), lr=0.1), 0.1,
                                             anneal_strategy="exp"),
    lambda lib, m: lib.optim.swa_utils.SWALR(lib.optim.SGD(m.parameters(), lr=0.1), 0.1, anneal_epochs=-1),
    lambda lib, m: lib.optim.swa_utils.SWALR(lib.optim.SGD(m.parameters(), lr=0.1), [0.1, 0.2]),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    out = []
    for lib, m in zip((torch, numtorch), _models()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ERRORS[i](lib, m)
                out.append(None)
            except Exception as e:  # noqa: BLE001
                out.append((type(e), str(e)[:40]))
    assert out[0] == out[1] and out[0] is not None
