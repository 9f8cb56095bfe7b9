"""nn.Module, Parameter and containers against torch: registration rules, iteration, state_dict, hooks, reprs."""
import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from conftest import need_torch, to_np


def both(fn):
    """Run ``fn(lib)`` under torch and numtorch (exceptions become (type name, message)); compare results."""
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                out = fn(lib)
            except Exception as e:
                out = ("raised", type(e).__name__, str(e).replace("numtorch", "torch"))
        res.append((_plain(out), [(x.category.__name__, str(x.message)) for x in w]))
    assert res[1] == res[0]
    return res[0][0]


def _plain(x):
    if hasattr(x, "detach") and hasattr(x, "dtype"):
        values = to_np(x)
        if values.dtype.kind in "fc":
            values = np.round(values.astype(np.float64), 5)  # summation order may differ in the last bits
        return ("tensor", str(x.dtype), tuple(x.shape), values.tolist())
    if type(x).__name__ in ("dtype", "device", "Size"):
        return str(x)
    if isinstance(x, dict):
        return [(k, _plain(v)) for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.seq = nn.Sequential(nn.Linear(3, 3), nn.Identity(), nn.Linear(3, 2, bias=False))
            self.register_buffer("steps", lib.zeros(1))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.tensor(2.0))

        def forward(self, x):
            return self.seq(self.fc1(x)) * self.scale

    lib.manual_seed(0)
    return Net()


def test_repr_and_iteration():
    def fn(lib):
        m = net(lib)
        return [repr(m), [n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
                [n for n, _ in m.named_modules()], [n for n, _ in m.named_children()],
                [n for n, _ in m.named_parameters(prefix="p", recurse=False)],
                [n for n, _ in m.seq.named_modules(prefix="s")], len(list(m.parameters())),
                len(list(m.modules())), list(m.state_dict()), [p for p in m.parameters()]]
    both(fn)


def test_shared_modules_and_remove_duplicate():
    def fn(lib):
        shared = lib.nn.Linear(2, 2)
        m = lib.nn.Sequential(shared, shared, lib.nn.ReLU() if hasattr(lib.nn, "ReLU") else lib.nn.Identity())
        m.extra = shared.weight if False else None
        return [[n for n, _ in m.named_modules()], [n for n, _ in m.named_modules(remove_duplicate=False)],
                [n for n, _ in m.named_parameters()], [n for n, _ in m.named_parameters(remove_duplicate=False)],
                list(m.state_dict()), len(list(m.children()))]
    both(fn)


SETATTR_ERRORS = [
    lambda lib, m: setattr(m, "fc1", 3),
    lambda lib, m: setattr(m, "scale", lib.ones(1)),
    lambda lib, m: setattr(m, "steps", 3),
    lambda lib, m: m.register_parameter("a.b", None),
    lambda lib, m: m.register_parameter("", None),
    lambda lib, m: m.register_parameter(3, None),
    lambda lib, m: m.register_parameter("x", lib.ones(1)),
    lambda lib, m: m.register_parameter("training", None),
    lambda lib, m: m.register_parameter("y", lib.nn.Parameter(lib.ones(1)) * 2),
    lambda lib, m: m.register_buffer("b.c", lib.ones(1)),
    lambda lib, m: m.register_buffer("fc1", lib.ones(1)),
    lambda lib, m: m.register_buffer("z", [1]),
    lambda lib, m: m.add_module("a.b", lib.nn.Identity()),
    lambda lib, m: m.add_module("", lib.nn.Identity()),
    lambda lib, m: m.add_module("q", 3),
    lambda lib, m: m.add_module(1, lib.nn.Identity()),
    lambda lib, m: m.add_module("steps", lib.nn.Identity()),
    lambda lib, m: m.missing,
    lambda lib, m: m.get_submodule("seq.5"),
    lambda lib, m: m.get_submodule("seq.0.weight"),
    lambda lib, m: m.get_parameter("seq.0.nothing"),
    lambda lib, m: m.get_parameter("steps"),
    lambda lib, m: m.get_buffer("scale"),
    lambda lib, m: m.train("yes"),
    lambda lib, m: m.to(lib.int32),
    lambda lib, m: lib.nn.Module(3),
    lambda lib, m: lib.nn.Module(x=3),
    lambda lib, m: m.set_submodule("", lib.nn.Identity()),
    lambda lib, m: m.set_submodule("seq.0.weight", lib.nn.Identity()),
    lambda lib, m: lib.nn.Module().forward(1),
]


@pytest.mark.parametrize("i", range(len(SETATTR_ERRORS)))
def test_registration_errors(i):
    both(lambda lib: SETATTR_ERRORS[i](lib, net(lib)))


def test_assign_before_init():
    def fn(lib):
        out = []
        for value in (lib.nn.Parameter(lib.ones(1)), lib.nn.Identity()):
            class Bad(lib.nn.Module):
                def __init__(self):
                    self.x = value
            try:
                Bad()
            except AttributeError as e:
                out.append(str(e))
        class BadBuf(lib.nn.Module):
            def __init__(self):
                self.register_buffer("b", lib.ones(1))
        try:
            BadBuf()
        except AttributeError as e:
            out.append(str(e))
        return out
    both(fn)


def test_setattr_moves_between_tables():
    def fn(lib):
        m = net(lib)
        m.steps = lib.full((1,), 5.0)
        m.scratch = None
        m.fc1 = None
        m.scale = None
        m.newp = lib.nn.Parameter(lib.ones(2))
        m.newp = lib.nn.Identity()
        m.buf = lib.nn.Buffer(lib.ones(1), persistent=False)
        m.plain = 3
        del m.seq
        del m.plain
        return [m._parameters, list(m._buffers), sorted(m._non_persistent_buffers_set), list(m._modules),
                list(m.state_dict()), repr(m), m.get_submodule(""), "fc1" in dir(m), "newp" in dir(m)]
    both(fn)


def test_get_submodule_parameter_buffer():
    def fn(lib):
        m = net(lib)
        return [m.get_submodule("seq.2") is m.seq[2], m.get_parameter("seq.0.bias") is m.seq[0].bias,
                m.get_buffer("steps") is m.steps, m.get_parameter("scale").shape]
    both(fn)


def test_train_eval_requires_grad_zero_grad():
    def fn(lib):
        m = net(lib)
        m.eval()
        out = [[x.training for x in m.modules()]]
        m.train()
        m.seq.train(False)
        out.append([x.training for x in m.modules()])
        m(lib.ones(2, 4)).sum().backward()
        out.append([p.grad for p in m.parameters()])
        m.zero_grad(set_to_none=False)
        out.append([p.grad for p in m.parameters()])
        m.zero_grad()
        out.append([p.grad for p in m.parameters()])
        m.requires_grad_(False)
        out.append([p.requires_grad for p in m.parameters()])
        return out
    both(fn)


def test_apply_and_conversions():
    def fn(lib):
        m = net(lib)
        seen = []
        m.apply(lambda mod: seen.append(type(mod).__name__))
        w = m.fc1.weight
        m(lib.ones(1, 4)).sum().backward()
        m.double()
        out = [seen, m.fc1.weight is w, m.fc1.weight.dtype, m.fc1.weight.grad.dtype, m.steps.dtype]
        m.half().float()
        out.append([p.dtype for p in m.parameters()])
        m.to(lib.float64).to("cpu").cpu()
        m.type(lib.float32)
        out.append([(b.dtype, b.device.type) for b in m.buffers()])
        m.to(lib.ones(1, dtype=lib.float64))
        out.append(m.scale.dtype)
        m.bfloat16()
        out.append(m.fc1.bias.dtype)
        return out
    both(fn)


def test_state_dict_roundtrip_and_metadata():
    def fn(lib):
        m = net(lib)
        sd = m.state_dict()
        out = [list(sd), dict(sd._metadata), sd["fc1.weight"].requires_grad, sd["fc1.weight"].grad_fn is None]
        kv = m.state_dict(keep_vars=True)
        out.append(kv["fc1.weight"] is m.fc1.weight)
        out.append(list(m.state_dict(prefix="model.")))
        other = net(lib)
        with lib.no_grad():
            for p in other.parameters():
                p.add_(1)
        res = m.load_state_dict(other.state_dict())
        out += [repr(res), str(res), res.missing_keys, m.fc1.weight]
        return out
    both(fn)


LOAD_CASES = [
    lambda lib, sd: sd.pop("fc1.bias"),
    lambda lib, sd: sd.__setitem__("extra.weight", lib.ones(1)),
    lambda lib, sd: sd.__setitem__("seq.7.weight", lib.ones(1)),
    lambda lib, sd: sd.__setitem__("fc1.weight", lib.ones(2, 2)),
    lambda lib, sd: sd.__setitem__("fc1.bias", [1, 2, 3]),
    lambda lib, sd: sd.__setitem__("scale", lib.ones(1)),
    lambda lib, sd: sd.__setitem__("scratch", lib.ones(2)),
    lambda lib, sd: (sd.pop("steps"), sd.__setitem__("bogus", lib.ones(1))),
]


@pytest.mark.parametrize("i", range(len(LOAD_CASES)))
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors(i, strict):
    def fn(lib):
        m = net(lib)
        sd = m.state_dict()
        LOAD_CASES[i](lib, sd)
        return repr(m.load_state_dict(sd, strict=strict))
    both(fn)


def test_load_state_dict_assign_and_type_error():
    def fn(lib):
        m = net(lib)
        sd = {k: v.clone() + 1 for k, v in m.state_dict().items()}
        m.load_state_dict(sd, assign=True)
        out = [type(m.fc1.weight).__name__, m.fc1.weight.requires_grad, m.fc1.weight is sd["fc1.weight"],
               m.steps is sd["steps"], m.fc1.weight]
        try:
            m.load_state_dict([1, 2])
        except TypeError as e:
            out.append(str(e))
        return out
    both(fn)


def test_state_dict_hooks_and_load_overrides():
    def fn(lib):
        calls = []

        class Versioned(lib.nn.Linear):
            _version = 3

            def _load_from_state_dict(self, sd, prefix, meta, *args):
                calls.append((prefix, dict(meta)))
                super()._load_from_state_dict(sd, prefix, meta, *args)

            def get_extra_state(self):
                return {"note": 1}

            def set_extra_state(self, state):
                calls.append(state)

        lib.manual_seed(0)
        m = lib.nn.Sequential(Versioned(2, 2))
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: calls.append(("pre", prefix, keep)))
        m[0].register_state_dict_post_hook(lambda mod, sd, prefix, meta: calls.append(("post", prefix, list(sd))))
        m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(("loaded", repr(keys))))
        m[0].register_load_state_dict_pre_hook(lambda mod, sd, prefix, *a: calls.append(("lpre", prefix)))
        sd = m.state_dict()
        m.load_state_dict(sd)
        return calls + [list(sd), dict(sd._metadata)]
    both(fn)


def test_parameter():
    def fn(lib):
        P = lib.nn.Parameter
        t = lib.zeros(3)
        p = P(t)
        t.add_(1)
        out = [repr(p), p._version, repr(P()), repr(P(lib.zeros(2, dtype=lib.int64), requires_grad=False)),
               isinstance(p, lib.Tensor), type(p * 2).__name__, type(p.detach()).__name__, type(p.data).__name__]
        q = copy.deepcopy(p)
        out += [type(q).__name__, q.requires_grad, q is p, repr(q)]
        r = pickle.loads(pickle.dumps(P(lib.ones(2), requires_grad=False)))
        out += [type(r).__name__, r.requires_grad, repr(r)]
        x = lib.ones(2, requires_grad=True)
        y = P(x * 2)
        out += [y.is_leaf, y.grad_fn, isinstance(lib.nn.Buffer(lib.ones(1)), lib.nn.Buffer),
                isinstance(lib.ones(1), lib.nn.Buffer), isinstance(lib.ones(1), P)]
        try:
            P(lib.zeros(2, dtype=lib.int64))
        except RuntimeError as e:
            out.append("raised")
        return out
    both(fn)


def test_deepcopy_and_pickle_module():
    def fn(lib):
        m = net(lib)
        m.register_forward_hook(_hook_for_pickle)
        c = copy.deepcopy(m)
        p = pickle.loads(pickle.dumps(m))
        x = lib.ones(2, 4)
        return [repr(c), repr(p), c(x), p(x), c.fc1.weight is m.fc1.weight, list(p.state_dict()),
                type(c.fc1.weight).__name__]
    both(fn)


def _hook_for_pickle(module, args, out):
    return None


def test_forward_hooks_order_and_arguments():
    def fn(lib):
        log = []
        m = net(lib)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
        m.register_forward_pre_hook(lambda mod, args, kw: log.append(("prekw", sorted(kw))) or (args, kw),
                                    with_kwargs=True)
        m.register_forward_pre_hook(lambda mod, args: log.append("first"), prepend=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("fwd", tuple(out.shape))))
        m.register_forward_hook(lambda mod, args, kw, out: out * 0 + 1, with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: log.append("fwd-first"), prepend=True)
        m.fc1.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        y = m(lib.ones(2, 4))
        h1.remove()
        m(lib.ones(1, 4))
        return [log, y]
    both(fn)


def test_forward_pre_hook_bad_return_and_always_call():
    def fn(lib):
        log = []
        m = lib.nn.Linear(2, 2)
        m.register_forward_hook(lambda mod, args, out: log.append("always"), always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append("normal"))
        try:
            m(lib.ones(3, 3))
        except RuntimeError:
            log.append("raised")
        m2 = lib.nn.Identity()
        m2.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        try:
            m2(lib.ones(1))
        except RuntimeError as e:
            log.append(str(e))
        return log
    both(fn)


def test_full_backward_hooks():
    def fn(lib):
        log = []
        m = net(lib)

        def pre(mod, gout):
            log.append(("bpre", [g.shape for g in gout]))
            return (gout[0] * 2,)

        def post(mod, gin, gout):
            log.append(("bwd", [None if g is None else g for g in gin], [g for g in gout]))

        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(post)
        m.fc1.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 3,))
        x = lib.ones(2, 4, requires_grad=True)
        y = m(x)
        y.sum().backward()
        log.append(("xgrad", x.grad))
        log.append(y.grad_fn.name())
        try:
            m.register_backward_hook(post)
        except RuntimeError as e:
            log.append(str(e))
        return log
    both(fn)


def test_full_backward_hook_without_input_grad():
    def fn(lib):
        log = []
        m = lib.nn.Linear(3, 2)
        m.register_full_backward_hook(lambda mod, gin, gout: log.append((gin, [g.shape for g in gout])))
        m(lib.ones(1, 3)).sum().backward()
        return log
    both(fn)


def test_legacy_backward_hook():
    def fn(lib):
        log = []
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        m.register_backward_hook(lambda mod, gin, gout: log.append(([g is None for g in gin], len(gout))))
        x = lib.ones(4, 3, requires_grad=True)
        m(x).sum().backward()
        try:
            m.register_full_backward_hook(lambda *a: None)
        except RuntimeError as e:
            log.append(str(e))
        return log
    both(fn)


def test_global_hooks():
    def fn(lib):
        mm = lib.nn.modules.module
        log = []
        handles = [mm.register_module_forward_pre_hook(lambda mod, a: log.append(("gpre", type(mod).__name__))),
                   mm.register_module_forward_hook(lambda mod, a, o: log.append(("gfwd", type(mod).__name__))),
                   mm.register_module_full_backward_hook(lambda mod, gi, go: log.append(("gbwd", type(mod).__name__))),
                   mm.register_module_module_registration_hook(lambda mod, n, v: log.append(("reg", n)))]
        try:
            lib.manual_seed(0)
            m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Identity())
            m(lib.ones(1, 2, requires_grad=True)).sum().backward()
            try:
                mm.register_module_backward_hook(lambda *a: None)
            except RuntimeError as e:
                log.append(str(e))
        finally:
            for h in handles:
                h.remove()
            mm._global_is_full_backward_hook = None
        return log
    both(fn)


def test_seed_examples_verbose_and_feature_extractor():
    def fn(lib):
        nn = lib.nn
        lib.manual_seed(0)
        model = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 3)), ("mid", nn.Identity()), ("fc2", nn.Linear(3, 2))]))
        log = []
        for name, layer in model.named_children():
            layer.__name__ = name
            layer.register_forward_hook(lambda layer, _, output: log.append(f"{layer.__name__}: {output.shape}"))
        feats = {}
        model.fc1.register_forward_hook(lambda mod, i, o: feats.__setitem__("fc1", o))
        x = lib.ones(5, 4)
        model(x)
        # gradient clipping through tensor hooks on every parameter
        for p in model.parameters():
            p.register_hook(lambda grad: lib.clamp(grad, -0.1, 0.1))
        model(x).sum().backward()
        return [log, feats["fc1"], [p.grad for p in model.parameters()], repr(model), model.fc2 is model[2]]
    both(fn)


def test_sequential_api():
    def fn(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(1, 2), nn.Identity(), nn.Linear(2, 1))
        out = [len(s), type(s[-1]).__name__, repr(s[::2]), type(s[1:]).__name__]
        s.append(nn.Identity()).insert(1, nn.Flatten()).extend([nn.Identity()])
        out.append(repr(s))
        popped = s.pop(1)
        del s[0]
        out += [type(popped).__name__, list(s._modules), repr(s + s), repr(s * 2), repr(2 * s)]
        s[0] = nn.Linear(5, 5)
        s += nn.Sequential(nn.Identity())
        out.append(repr(s))
        del s[1:3]
        out.append(list(s._modules))
        for bad in (lambda: s[10], lambda: s + 1, lambda: s * 0, lambda: s * 1.5, lambda: s.insert(10, nn.Identity()),
                    lambda: s.insert(0, 3)):
            try:
                bad()
            except Exception as e:
                out.append((type(e).__name__, str(e).replace("numtorch", "torch")))
        out.append([k for k in dir(s) if k.isdigit()])
        return out
    both(fn)


def test_module_list_and_dict():
    def fn(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Identity(), nn.Identity(), nn.Flatten()])
        ml.append(nn.Linear(1, 1)).extend([nn.Identity()])
        ml.insert(0, nn.Flatten())
        out = [repr(ml), len(ml), type(ml[-1]).__name__, repr(ml[1:3]), repr(ml + ml)]
        ml.pop(0)
        del ml[::2]
        ml[0] = nn.Identity()
        out.append(repr(ml))
        md = nn.ModuleDict({"b": nn.Identity(), "a": nn.Flatten()})
        md["c"] = nn.Linear(1, 2)
        md.update([("d", nn.Identity())])
        md.update(nn.ModuleDict({"e": nn.Identity()}))
        out += [repr(md), list(md), list(md.keys()), "c" in md, len(md)]
        md.pop("a")
        del md["b"]
        out.append(repr(md))
        md.clear()
        out.append(repr(md))
        for bad in (lambda: ml[9], lambda: ml.extend(3), lambda: md.update(3), lambda: md.update([("a",)]),
                    lambda: md.update([3])):
            try:
                bad()
            except Exception as e:
                out.append((type(e).__name__, str(e)))
        return out
    both(fn)


def test_parameter_list_and_dict():
    def fn(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(4, dtype=lib.float64), 3, "x"])
        pl.append(lib.ones(1))
        out = [repr(pl), len(pl), type(pl[-1]).__name__, repr(pl[1:3]), [n for n, _ in pl.named_parameters()]]
        pd = nn.ParameterDict({"b": nn.Parameter(lib.ones(2)), "a": lib.zeros(1, 2), "c": 5})
        pd["d"] = lib.ones(3)
        out += [repr(pd), list(pd), list(pd.keys()), [n for n, _ in pd.named_parameters()], "a" in pd,
                pd.get("zz", 7), type(pd.setdefault("e", lib.ones(1))).__name__]
        out.append(pd.popitem()[0])
        pd.pop("a")
        out.append(repr(pd | nn.ParameterDict({"z": lib.ones(1)})))
        pd.clear()
        out.append(len(pd))
        for bad in (lambda: pl[10], lambda: pl.extend(lib.ones(2)), lambda: pd[3], lambda: pl(1), lambda: pd(1)):
            try:
                bad()
            except Exception as e:
                out.append((type(e).__name__, str(e)))
        return out
    both(fn)


def test_dir_and_getattr():
    def fn(lib):
        m = net(lib)
        d = dir(m)
        return [all(k in d for k in ("fc1", "seq", "steps", "scale", "forward", "training")), d == sorted(d)]
    both(fn)


def test_container_is_a_deprecated_module_holder():
    import warnings
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c = lib.nn.Container(b=lib.nn.ReLU(), a=lib.nn.Linear(2, 3))
        res.append((repr(c), list(c.state_dict()), [(w.category.__name__, str(w.message)) for w in caught]))
    assert res[0] == res[1]
