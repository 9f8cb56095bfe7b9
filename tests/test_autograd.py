"""Engine semantics against torch: backward/grad arguments and errors, hooks, retain_grad, graph structure,
detach/.data, Variable, higher-order derivatives, anomaly detection."""
import pytest

from test_function import both


def _x(lib, rg=True):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=rg)


ERRORS = [
    ("non_scalar", lambda lib, x: (x * 2).backward()),
    ("shape_mismatch", lambda lib, x: (x * 2).backward(lib.ones(2))),
    ("scalar_given_vector", lambda lib, x: (x * 2).sum().backward(lib.ones(3))),
    ("no_grad_fn", lambda lib, x: lib.tensor([1.0, 2.0]).sum().backward()),
    ("detached", lambda lib, x: (x.detach() * 2).sum().backward()),
    ("unused", lambda lib, x: lib.autograd.grad((x * 2).sum(), [x, lib.ones(2, requires_grad=True)])),
    ("allow_unused", lambda lib, x: lib.autograd.grad((x * 2).sum(), [x, lib.ones(2, requires_grad=True)],
                                                      allow_unused=True)),
    ("materialize", lambda lib, x: lib.autograd.grad((x * 2).sum(), [x, lib.ones(2, requires_grad=True)],
                                                     materialize_grads=True)),
    ("materialize_graph", lambda lib, x: lib.autograd.grad(
        (x * 2).sum(), [x, lib.ones(2, requires_grad=True)], materialize_grads=True, create_graph=True)[1]
        .requires_grad),
    ("materialize_unused_false", lambda lib, x: lib.autograd.grad((x * 2).sum(), x, allow_unused=False,
                                                                  materialize_grads=True)),
    ("input_no_grad", lambda lib, x: lib.autograd.grad((x * 2).sum(), [lib.ones(2)])),
    ("retain_variables", lambda lib, x: (x * 2).sum().backward(retain_variables=True)),
    ("tensor_grad_variables", lambda lib, x: (x * 2).sum().backward(grad_variables=lib.tensor(1.0))),
    ("grad_variables", lambda lib, x: lib.autograd.backward((x * 2).sum(), grad_variables=lib.tensor(1.0))
     or x.grad),
    ("both_grad_args", lambda lib, x: lib.autograd.backward((x * 2).sum(), lib.tensor(1.0),
                                                            grad_variables=lib.tensor(1.0))),
    ("fewer_grads", lambda lib, x: lib.autograd.grad([(x * 2).sum(), (x * 3).sum()], x, [lib.ones(())])),
    ("fewer_grads_backward", lambda lib, x: lib.autograd.backward([(x * 2).sum(), (x * 3).sum()],
                                                                  [lib.ones(())])),
    ("extra_grads", lambda lib, x: lib.autograd.grad([(x * 2).sum()], x, [lib.ones(()), lib.ones(())])),
    ("dict_inputs", lambda lib, x: lib.autograd.grad((x * 2).sum(), {"a": x})),
    ("empty_inputs", lambda lib, x: lib.autograd.grad((x * 2).sum(), [])),
    ("empty_backward_inputs", lambda lib, x: (x * 2).sum().backward(inputs=[])),
    ("only_inputs", lambda lib, x: lib.autograd.grad((x * 2).sum(), x, only_inputs=False)),
    ("grad_not_tensor", lambda lib, x: lib.autograd.grad((x * 2).sum(), x, [3])),
    ("complex_grad_real_out", lambda lib, x: lib.autograd.grad((x * 2).sum(), x, lib.ones(()) * 1j)),
    ("complex_implicit", lambda lib, x: lib.autograd.grad((x * 1j).sum(), x)),
    ("grad_dtype_cast", lambda lib, x: lib.autograd.grad(x * 2, x, lib.ones(3, dtype=lib.float64))),
    ("int_seed", lambda lib, x: (x * 2).backward(lib.ones(3, dtype=lib.int64)) or x.grad),
    ("leaf_as_output", lambda lib, x: lib.autograd.grad(x, x, lib.ones(3))),
    ("unrelated_nonleaf", lambda lib, x: lib.autograd.grad(x * 1, x * 1, lib.ones(3))),
    ("leaf_backward", lambda lib, x: x.backward(lib.ones(3)) or x.grad),
    ("same_input_twice", lambda lib, x: lib.autograd.grad((x * 2).sum(), [x, x])),
    ("batched", lambda lib, x: lib.autograd.grad(x * 2, x, lib.ones(2, 3), is_grads_batched=True)),
    ("batched_bad_shape", lambda lib, x: lib.autograd.grad(x * 2, x, lib.ones(2, 2), is_grads_batched=True)),
    ("int_requires_grad_", lambda lib, x: lib.tensor([1, 2]).requires_grad_()),
    ("int_requires_grad_false", lambda lib, x: lib.tensor([1, 2]).requires_grad_(False)),
    ("nonleaf_requires_grad_false", lambda lib, x: (x * 2).requires_grad_(False)),
    ("nonleaf_requires_grad_true", lambda lib, x: (x * 2).requires_grad_(True).grad_fn.name()),
    ("leaf_inplace", lambda lib, x: x.add_(1)),
    ("hook_no_grad", lambda lib, x: lib.ones(2).register_hook(lambda g: g)),
    ("post_acc_nonleaf", lambda lib, x: (x * 2).register_post_accumulate_grad_hook(lambda t: None)),
    ("retain_no_grad", lambda lib, x: lib.ones(2).retain_grad()),
    ("backward_inputs_no_grad", lambda lib, x: (x * 2).sum().backward(inputs=[lib.ones(2)])),
    ("backward_inputs_unrelated", lambda lib, x: (x * 2).sum().backward(
        inputs=[lib.ones(2, requires_grad=True)])),
    ("backward_inputs_leaf", lambda lib, x: (x * 2).sum().backward(inputs=x) or x.grad),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_engine_arguments(name, fn):
    both(lambda lib, rec: rec.append(fn(lib, _x(lib))))


def test_freed_graph():
    def s(lib, rec):
        x = _x(lib)
        z = (x * x).sum()
        rec.append(lib.autograd.grad(z, x, retain_graph=True))
        rec.append(lib.autograd.grad(z, x))
        z.backward()
    both(s)


def test_modified_saved_tensor():
    def s(lib, rec):
        x = _x(lib)
        y = x * 1
        z = (y * y).sum()
        y.add_(1)
        rec.append(y._version)
        z.backward()
    both(s)


def test_accumulation_and_nonleaf_grad_warning():
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        rec.append(y.grad)
        (y * y).sum().backward()
        (x * 3).sum().backward()
        rec.append(x.grad)
        rec.append((y.is_leaf, x.is_leaf, y.retains_grad))
    both(s)


def test_leaf_grad_accumulation_keeps_tensors_apart():
    # a gradient a leaf hook keeps is not the .grad later passes add into; backward(inputs=...) and plain
    # backward accumulate into the existing .grad in place
    def s(lib, rec):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        x = lib.arange(12.0).reshape(4, 3)
        kept = []
        handle = lin.weight.register_hook(lambda g: kept.append(g))
        for _ in range(2):
            lin(x).sum().backward()
        handle.remove()
        rec += [kept[0].clone(), lin.weight.grad.clone(), lin.bias.grad.clone()]
        kept[0].zero_()
        rec.append(lin.weight.grad)
        lin.zero_grad()
        lin(x).sum().backward(inputs=[lin.weight])
        w1 = lin.weight.grad
        lin(x).sum().backward(inputs=[lin.weight])
        rec += [w1, lin.weight.grad is w1]
        lin.zero_grad()
        lin(x).sum().backward()
        first = lin.weight.grad
        lin(x).sum().backward()
        rec += [first, lin.weight.grad is first]
    both(s)


def test_backward_inputs_nonleaf():
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        (y * 2).sum().backward(inputs=[y])
        rec += [y.grad, x.grad, y.retains_grad]
        z = x * 2
        z.retain_grad()
        (z * 2).sum().backward(inputs=[x])
        rec += [z.grad, x.grad]
    both(s)


def test_leaf_hooks_order_and_removal():
    def s(lib, rec):
        x = _x(lib)
        h1 = x.register_hook(lambda g: rec.append(("h1", g)) or g * 2)
        x.register_hook(lambda g: rec.append(("h2", g)))
        (x * 3).sum().backward()
        rec.append(x.grad)
        h1.remove()
        x.grad = None
        (x * 3).sum().backward()
        rec.append(x.grad)
    both(s)


def test_nonleaf_hooks_and_retain_grad():
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        y.register_hook(lambda g: g + 1)
        y.retain_grad()
        (y * y).sum().backward()
        rec += [y.grad, x.grad]
        x.grad = None
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        (y * 1).sum().backward()
        rec += [y.grad, x.grad]
    both(s)


def test_post_accumulate_grad_hook():
    def s(lib, rec):
        x = _x(lib)
        h = x.register_post_accumulate_grad_hook(lambda t: rec.append(t.grad * 1))
        (x * 2).sum().backward()
        h.remove()
        (x * 2).sum().backward()
        rec.append(x.grad)
    both(s)


def test_next_functions_structure():
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        s_ = y.sum()
        nf = s_.grad_fn.next_functions
        rec += [len(nf), nf[0][0].name(), nf[0][1]]
        acc = y.grad_fn.next_functions[0][0]
        rec += [type(acc).__name__, acc.name(), acc.variable is x, acc.next_functions]
        rec += [y.grad_fn.next_functions[1], repr(acc).split(" ")[0]]
        rec.append([(n.name() if n else None, i) for n, i in (x * lib.ones(3)).grad_fn.next_functions])
        rec.append(acc is (x + 1).grad_fn.next_functions[0][0])
    both(s)


def test_node_hooks():
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: rec.append(("post", gi, go)))
        y.grad_fn.register_prehook(lambda go: rec.append(("pre", go)) or (go[0] * 2,))
        y.sum().backward()
        rec.append(x.grad)
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, None))
        x.grad = None
        y.sum().backward()
        rec.append(x.grad)
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: (go[0] * 5,))
        x.grad = None
        (x * 2).sum().backward()
        rec.append(x.grad)
    both(s)


@pytest.mark.parametrize("hook", ["post", "pre"])
def test_node_hook_wrong_count(hook):
    def s(lib, rec):
        x = _x(lib)
        y = x * 2
        if hook == "post":
            y.grad_fn.register_hook(lambda gi, go: (gi[0],))
        else:
            y.grad_fn.register_prehook(lambda go: (go[0], None))
        y.sum().backward()
    both(s)


def test_detach_shares_version():
    def s(lib, rec):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * a
        d = b.detach()
        rec += [d.requires_grad, d.is_leaf, d._version, d.data_ptr() == b.data_ptr()]
        d.add_(1)
        rec += [b._version, d._version]
        b.sum().backward()
    both(s)


def test_data_is_untracked():
    def s(lib, rec):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * a
        e = b.data
        e.add_(1)
        rec += [b._version, e._version, e.requires_grad]
        b.sum().backward()
        rec.append(a.grad)
        f = lib.tensor([1.0, 2.0], requires_grad=True)
        f.data = lib.tensor([5.0, 6.0, 7.0])
        rec += [f, f.requires_grad]
        f.data = 3
    both(s)


def test_detach_inplace():
    def s(lib, rec):
        f = lib.tensor([1.0, 2.0], requires_grad=True)
        g = f * 2
        g.detach_()
        rec += [g.requires_grad, g.grad_fn, g.is_leaf]
        v = (f * 1).narrow(0, 0, 1)
        v.detach_()
    both(s)


def test_variable():
    def s(lib, rec):
        V = lib.autograd.Variable(lib.ones(2), requires_grad=True)
        rec += [type(V).__name__, V.requires_grad, V.is_leaf, isinstance(lib.ones(1), lib.autograd.Variable)]
        rec.append(lib.autograd.Variable(lib.ones(2), volatile=True))
        lib.autograd.Variable(3)
    both(s)


def test_seed_second_derivatives():
    def s(lib, rec):
        x = lib.tensor(2.0).requires_grad_()
        y = lib.tensor(3.0).requires_grad_()
        z = x * x * y
        grad_x = lib.autograd.grad(outputs=z, inputs=x, create_graph=True)
        rec.append(lib.autograd.grad(outputs=grad_x, inputs=x))
        z = x * x * y
        z.backward(create_graph=True)
        rec += [x.grad, x.grad.grad_fn.name(), repr(x.grad)]
        x.grad.data.zero_()
        x.grad.backward()
        rec += [x.grad, repr(x.grad)]
    both(s)


def test_seed_second_derivative_run_through():
    def s(lib, rec):
        x = lib.tensor(2.0).requires_grad_()
        y = lib.tensor(3.0).requires_grad_()
        z = x * x * y
        grad_x = lib.autograd.grad(outputs=z, inputs=x, create_graph=True)
        grad_x[0].backward()
        rec.append(x.grad)
        z.backward(create_graph=True)
        rec.append(lib.autograd.grad(outputs=x.grad, inputs=x))
        z.backward(create_graph=True)
    both(s)


def test_third_derivative_and_hvp():
    def s(lib, rec):
        x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        f = (x ** 4).sum()
        g, = lib.autograd.grad(f, x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), x, create_graph=True)
        t, = lib.autograd.grad(h.sum(), x)
        rec += [g, h, t]
        v = lib.tensor([1.0, 0.0, 2.0])
        g, = lib.autograd.grad((x.sin() * x).sum(), x, create_graph=True)
        rec.append(lib.autograd.grad((g * v).sum(), x))
    both(s)


def test_create_graph_warning_once():
    def s(lib, rec):
        x = _x(lib)
        (x * x).sum().backward(create_graph=True)
        (x * x).sum().backward(create_graph=True)
        rec += [x.grad, x.grad.grad_fn.name()]
    # torch warns once per process: make sure both libraries are past their first warning.
    both(s)


def test_anomaly_nan():
    def s(lib, rec):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        rec.append(lib.autograd.grad((x / x).sum(), x))
        with lib.autograd.set_detect_anomaly(True):
            rec.append(lib.is_anomaly_enabled() if hasattr(lib, "is_anomaly_enabled") else True)
            (x / x).sum().backward()
    both(s)


def test_anomaly_check_nan_off():
    def s(lib, rec):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            (x / x).sum().backward()
        rec.append(x.grad)
    both(s)


def test_no_grad_results_are_leaves():
    def s(lib, rec):
        x = _x(lib)
        with lib.no_grad():
            z = x * 2
            x.mul_(1)
        rec += [z.is_leaf, z.requires_grad, z.grad_fn, x._version]
    both(s)


def test_volatile_attribute():
    def s(lib, rec):
        x = lib.ones(2)
        rec.append(x.volatile)
        x.volatile = True
        rec.append(x.volatile)
    both(s)
