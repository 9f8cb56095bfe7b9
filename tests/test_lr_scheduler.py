"""Learning-rate schedulers against torch: get_last_lr() sequences, warnings and state dicts."""
import warnings

import pytest

import numtorch

torch = pytest.importorskip("torch")

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
    assert _strip_fns(nsd) == _strip_fns(tsd)


def _resumed(first, opt, sched, steps, read=lambda sched, opt: sched.get_last_lr()):
    """Load ``first``'s optimizer and scheduler states into a fresh (opt, sched) and step it on."""
    # As with torch: build the scheduler, then load the optimizer's and the scheduler's states.
    opt.load_state_dict(first.optimizer.state_dict())
    sched.load_state_dict(first.state_dict())
    rest = []
    for _ in range(steps):
        opt.step()
        sched.step()
        rest.append(read(sched, opt))
    return rest


@pytest.mark.parametrize("name,kwargs", CASES)
def test_resume_from_state_dict(name, kwargs):
    full, _ = _sequence(numtorch, name, kwargs, steps=40)
    _, first = _sequence(numtorch, name, kwargs, steps=20)
    opt = _opt(numtorch)
    sched = getattr(numtorch.optim.lr_scheduler, name)(opt, **kwargs(numtorch))
    assert _resumed(first, opt, sched, 20) == full[21:]


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if c[0] not in ("LambdaLR", "MultiplicativeLR")])
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
                                {"threshold_mode": "abs", "threshold": 0.1, "patience": 1,
                                 "min_lr": [0.05, 0.001]}])
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



class _Halving:
    """A callable scale policy whose state the scheduler saves."""

    def __init__(self):
        self.base = 0.5

    def __call__(self, x):
        return self.base ** x


CYCLIC = [
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 7}),
    ("CyclicLR", {"base_lr": [0.01, 0.002], "max_lr": 0.1, "step_size_up": 5, "step_size_down": 9,
                  "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.2, 0.05], "step_size_up": 6, "mode": "exp_range",
                  "gamma": 0.97, "base_momentum": [0.7, 0.6], "max_momentum": 0.95}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": _Halving()}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": lambda x: 1 / (1 + x),
                  "scale_mode": "iterations", "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 100}),
    ("OneCycleLR", {"max_lr": [0.1, 0.3], "epochs": 10, "steps_per_epoch": 11, "pct_start": 0.25,
                    "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 120, "three_phase": True, "base_momentum": 0.8,
                    "max_momentum": [0.99, 0.9]}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 100, "cycle_momentum": False}),
]


def _cyclic_run(lib, name, kw, opt_name, steps=100):
    params = [{"params": [lib.ones(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.02)]
    opt = (lib.optim.SGD(params, lr=0.1, momentum=0.9) if opt_name == "SGD"
           else getattr(lib.optim, opt_name)(params, lr=0.1))
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    key = "momentum" if opt_name == "SGD" else "betas"
    out = [(sched.get_last_lr(), [g[key] for g in opt.param_groups])]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append((sched.get_last_lr(), [g[key] for g in opt.param_groups]))
    return out, sched, opt


def _plain(sd):
    """A state dict without the entries that hold Python callables."""
    return {k: v for k, v in sd.items() if k not in ("_scale_fn_custom",)}


@pytest.mark.parametrize("name,kw", CYCLIC)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_cyclic_sequences(name, kw, opt_name):
    t, ts, topt = _cyclic_run(torch, name, kw, opt_name)
    n, ns, nopt = _cyclic_run(numtorch, name, kw, opt_name)
    assert n == t
    tsd, nsd = ts.state_dict(), ns.state_dict()
    assert list(nsd) == list(tsd)
    assert _plain(nsd) == _plain(tsd)
    assert (nsd.get("_scale_fn_custom") is None) == (tsd.get("_scale_fn_custom") is None)
    strip = [{k: v for k, v in g.items() if k != "params"} for g in topt.param_groups]
    assert [{k: v for k, v in g.items() if k != "params"} for g in nopt.param_groups] == strip


@pytest.mark.parametrize("name,kw", CYCLIC[::2])
def test_cyclic_resume(name, kw):
    full, _, _ = _cyclic_run(numtorch, name, kw, "SGD", steps=60)
    _, first, _ = _cyclic_run(numtorch, name, kw, "SGD", steps=30)
    opt = _opt(numtorch)
    sched = getattr(numtorch.optim.lr_scheduler, name)(opt, **kw)
    read = lambda sched, opt: (sched.get_last_lr(), [g["momentum"] for g in opt.param_groups])  # noqa: E731
    assert _resumed(first, opt, sched, 30, read) == full[31:]


def test_one_cycle_past_the_end():
    errs = []
    for lib in (torch, numtorch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        with pytest.raises(ValueError) as e:
            for _ in range(4):
                opt.step()
                sched.step()
        errs.append(str(e.value))
    assert errs[0] == errs[1]


def _composite(lib, kind, opt):
    ls = lib.optim.lr_scheduler
    if kind == "sequential":
        a = ls.ConstantLR(opt, factor=0.1, total_iters=8)
        b = ls.ExponentialLR(opt, gamma=0.95)
        c = ls.CosineAnnealingLR(opt, T_max=20)
        return ls.SequentialLR(opt, schedulers=[a, b, c], milestones=[10, 40])
    if kind == "sequential_warm":
        a = ls.LinearLR(opt, start_factor=0.2, total_iters=5)
        b = ls.CosineAnnealingWarmRestarts(opt, T_0=7, T_mult=2)
        return ls.SequentialLR(opt, [a, b], milestones=[5])
    if kind == "chained":
        parts = [ls.ConstantLR(opt, factor=0.1, total_iters=20), ls.ExponentialLR(opt, 0.9)]
        return ls.ChainedScheduler(parts, optimizer=opt)
    inner = ls.SequentialLR(opt, [ls.ConstantLR(opt, 0.5, 4), ls.StepLR(opt, 3, 0.7)], milestones=[6])
    return ls.ChainedScheduler([inner, ls.MultiStepLR(opt, [15, 50], 0.5)])


COMPOSITES = ["sequential", "sequential_warm", "chained", "chained_nested"]


def _composite_run(lib, kind, steps=100):
    opt = _opt(lib)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sched = _composite(lib, kind, opt)
        out = [sched.get_last_lr()]
        for _ in range(steps):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
    return out, sched, [str(x.message)[:50] for x in w]


def _strip_fns(sd):
    if isinstance(sd, dict):
        return {k: _strip_fns(v) for k, v in sd.items() if k not in ("lr_lambdas", "_scale_fn_custom")}
    if isinstance(sd, list):
        return [_strip_fns(v) for v in sd]
    return sd


@pytest.mark.parametrize("kind", COMPOSITES)
def test_composite_sequences(kind):
    t, ts, tw = _composite_run(torch, kind)
    n, ns, nw = _composite_run(numtorch, kind)
    assert n == t
    assert nw == tw
    assert _strip_fns(ns.state_dict()) == _strip_fns(ts.state_dict())


@pytest.mark.parametrize("kind", COMPOSITES)
def test_composite_resume(kind):
    full, _, _ = _composite_run(numtorch, kind, steps=50)
    _, first, _ = _composite_run(numtorch, kind, steps=25)
    opt = _opt(numtorch)
    sched = _composite(numtorch, kind, opt)
    assert _resumed(first, opt, sched, 25) == full[26:]


def _other_opt(lib):
    return lib.optim.SGD([lib.ones(1, requires_grad=True)], lr=0.1)


MORE_ERRORS = [
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sawtooth"),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, [0.01], 0.1),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(lib.optim.Adagrad(o.param_groups[0]["params"]), 0.01, 0.1),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(object(), 0.01, 0.1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=0),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1, epochs=2.0, steps_per_epoch=3),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=-3),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(lib.optim.Adagrad(o.param_groups[0]["params"]), 0.1, 10),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [], []),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.StepLR(o, 2)], [3]),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.ReduceLROnPlateau(o)], []),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.StepLR(_other_opt(lib), 2)],
                                                       []),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [object()], []),
    lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([]),
    lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([lib.optim.lr_scheduler.ReduceLROnPlateau(o)]),
    lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([lib.optim.lr_scheduler.StepLR(o, 2)],
                                                           optimizer=_other_opt(lib)),
]


@pytest.mark.parametrize("i", range(len(ERRORS + MORE_ERRORS)))
def test_errors(i):
    out = []
    for lib in (torch, numtorch):
        try:
            (ERRORS + MORE_ERRORS)[i](lib, _opt(lib))
            out.append(None)
        except Exception as e:  # noqa: BLE001
            out.append((type(e), str(e)[:40]))
    assert out[0] == out[1] and out[0] is not None
