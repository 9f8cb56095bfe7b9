"""Learning-rate schedulers against torch: get_last_lr() sequences, warnings and state dicts."""
import warnings

import pytest
import torch

import numtorch

LS = "lr_scheduler"

CASES = [
    ("LambdaLR", lambda m: {"lr_lambda": lambda e: 0.95 ** e}),
    ("MultiplicativeLR", lambda m: {"lr_lambda": lambda e: 0.97}),
    ("StepLR", lambda m: {"step_size": 7, "gamma": 0.5}),
    ("MultiStepLR", lambda m: {"milestones": [10, 30, 30, 80], "gamma": 0.3}),
    ("ConstantLR", lambda m: {"factor": 0.25, "total_iters": 13}),
    ("LinearLR", lambda m: {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 37}),
    ("ExponentialLR", lambda m: {"gamma": 0.97}),
    ("PolynomialLR", lambda m: {"total_iters": 60, "power": 2.0}),
    ("CosineAnnealingLR", lambda m: {"T_max": 17, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", lambda m: {"T_0": 5, "T_mult": 2, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", lambda m: {"T_0": 9}),
]


def _opt(lib, lrs=(0.1, 0.02)):
    groups = [{"params": [lib.ones(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _sequence(lib, name, kwargs, steps=100):
    opt = _opt(lib)
    sched = getattr(getattr(lib.optim, LS), name)(opt, **kwargs(lib))
    out = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(sched.get_last_lr())
    return out, sched


@pytest.mark.parametrize("name,kwargs", CASES)
def test_sequence(name, kwargs):
    t, ts = _sequence(torch, name, kwargs)
    n, ns = _sequence(numtorch, name, kwargs)
    assert n == t
    tsd, nsd = ts.state_dict(), ns.state_dict()
    assert list(nsd) == list(tsd)
    assert {k: v for k, v in nsd.items() if k != "lr_lambdas"} == {k: v for k, v in tsd.items() if k != "lr_lambdas"}


@pytest.mark.parametrize("name,kwargs", CASES)
def test_resume_from_state_dict(name, kwargs):
    full, _ = _sequence(numtorch, name, kwargs, steps=40)
    _, first = _sequence(numtorch, name, kwargs, steps=20)
    opt = _opt(numtorch)
    sched = getattr(numtorch.optim.lr_scheduler, name)(opt, **kwargs(numtorch))
    # As with torch: build the scheduler, then load the optimizer's and the scheduler's states.
    opt.load_state_dict(first.optimizer.state_dict())
    sched.load_state_dict(first.state_dict())
    rest = []
    for _ in range(20):
        opt.step()
        sched.step()
        rest.append(sched.get_last_lr())
    assert rest == full[21:]


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if "Lambda" not in c[0] and "Multiplicative" not in c[0]])
def test_epoch_argument(name, kwargs):
    res = []
    for lib in (torch, numtorch):
        opt = _opt(lib)
        sched = getattr(getattr(lib.optim, LS), name)(opt, **kwargs(lib))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            opt.step()
            seq = []
            for e in (3, 10, 7, 25):
                sched.step(e)
                seq.append(sched.get_last_lr())
        res.append((seq, len(w)))
    assert res[0] == res[1]


@pytest.mark.parametrize("order", ["opt_first", "sched_first"])
def test_order_warning(order):
    counts = []
    for lib in (torch, numtorch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            if order == "opt_first":
                opt.step()
            sched.step()
        counts.append([str(x.message)[:40] for x in w])
    assert counts[0] == counts[1]


def test_get_lr_outside_step_warns():
    msgs = []
    for lib in (torch, numtorch):
        sched = lib.optim.lr_scheduler.ExponentialLR(_opt(lib), 0.9)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sched.get_lr()
        msgs.append([str(x.message) for x in w])
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("kw", [{}, {"mode": "max", "patience": 2, "factor": 0.5, "cooldown": 1},
                                {"threshold_mode": "abs", "threshold": 0.1, "patience": 1, "min_lr": [0.05, 0.001]}])
def test_reduce_on_plateau(kw):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.8, 0.85, 0.85, 0.85] * 5
    res = []
    for lib in (torch, numtorch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        seq = []
        for m in metrics:
            opt.step()
            sched.step(m)
            seq.append(sched.get_last_lr())
        res.append((seq, sched.state_dict()))
    assert res[0] == res[1]


ERRORS = [
    lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 3, last_epoch=4),
    lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=2.0),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, end_factor=1.5),
    lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0]),
    lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, [1.0, 2.0]),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 0),
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 3, T_mult=0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode="up"),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda lib, o: lib.optim.lr_scheduler.StepLR(object(), 3),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    out = []
    for lib in (torch, numtorch):
        try:
            ERRORS[i](lib, _opt(lib))
            out.append(None)
        except Exception as e:  # noqa: BLE001
            out.append((type(e), str(e)[:40]))
    assert out[0] == out[1]
