"""The backward engine: dependency counting, topological execution, gradient accumulation."""
import heapq
import warnings

from . import grad_mode
from .graph import (AccumulateGrad, GradientEdge, anomaly_warning, call_grad_hooks, edge, run_leaf_hooks,
                    set_anomaly_tracing)

grad_mode._anomaly_listeners.append(set_anomaly_tracing)


def _run_tensor_hooks(node, nr, g):
    return call_grad_hooks(node._tensor_hooks.get(nr), g)


def _run_node_hooks(hooks, grads, args):
    """Call node hooks in order; each may return replacement grads (same count) for what it was given."""
    for fn in list(hooks.values()):
        r = fn(*args)
        if r is None:
            continue
        if len(r) != len(grads):
            name = getattr(fn, "__name__", type(fn).__name__)
            raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got {len(r)}, but "
                               f"expected {len(grads)})")
        grads = list(r)
        args = (tuple(grads),) + args[1:]
    return grads


def _apply_anomaly(node, buf):
    """Run a node under anomaly detection: NaN outputs raise, and errors point at the forward call."""
    try:
        outs = node._apply(buf)
        if grad_mode._anomaly["check_nan"]:
            _check_nan(node, outs)
    except Exception:
        anomaly_warning(node)
        raise
    return outs


def _check_nan(node, outs):
    for i, g in enumerate(outs):
        if g is not None and (g.dtype.is_floating_point or g.dtype.is_complex) and g._xp.isnan(g._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _discover(roots):
    """Count, for each node reachable from ``roots``, how many edges point into it."""
    deps = {}
    # Several roots may share a node (outputs of split/unbind): count its edges once.
    seen = {n for n in roots if n is not None}
    stack = list(seen)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps, seen


def _needed(seen, targets):
    """Nodes that lead, through at least one edge, to a captured node: only these must execute."""
    needed = {}
    for root in seen:
        if root in needed:
            continue
        needed[root] = False
        stack = [(root, iter(root.next_functions))]
        while stack:
            cur, it = stack[-1]
            for nxt, _ in it:
                if nxt is not None and nxt not in needed:
                    needed[nxt] = False
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                nexts = [n for n, _ in cur.next_functions if n is not None]
                needed[cur] = any(n in targets or needed[n] for n in nexts)
    return needed


class _GraphTask:
    """What one backward pass will run, for hooks that must know (register_multi_grad_hook)."""

    __slots__ = ("seen", "targets", "needed", "__weakref__")

    def __init__(self, seen, targets, needed):
        self.seen, self.targets, self.needed = seen, targets, needed

    def will_execute(self, node):
        if node not in self.seen:
            return False
        return self.targets is None or node in self.targets or self.needed.get(node, False)


_tasks = []


def current_task():
    """The backward pass now running (innermost, for reentrant backward)."""
    if not _tasks:
        raise AssertionError("expected this hook to be called inside a backward call")
    return _tasks[-1]


def execute(roots, grads, keep_graph, create_graph, capture=None, accumulate=True):
    """Run backward from ``roots`` (edges) seeded with ``grads``.

    ``capture`` maps edges to slots: the gradient flowing into each such edge is recorded and returned.
    With ``accumulate=False`` (autograd.grad) leaves' ``.grad`` are left untouched.
    """
    root_nodes = [n for n, _ in roots]
    deps, seen = _discover(root_nodes)
    targets = needed = None
    if capture is not None:
        targets = {n for n, _ in capture}
        needed = _needed(seen, targets)
    results = {}
    buffers = {}
    for (node, nr), g in zip(roots, grads):
        if node is None:
            continue
        buf = buffers.setdefault(node, [None] * node.n_outputs)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    heap = [(-n._seq, id(n), n) for n in buffers if deps.get(n, 0) == 0]
    heapq.heapify(heap)
    prev = grad_mode.state.grad
    grad_mode._set(create_graph, grad_mode.state.inference)
    # Nodes with an empty instance dict have no hooks, retained grads or extra outputs: they take the
    # short path below. Capture (autograd.grad) and anomaly mode always take the full one.
    simple = capture is None and not grad_mode._anomaly["enabled"]
    pop, push = heapq.heappop, heapq.heappush
    _tasks.append(_GraphTask(seen, targets, needed))
    try:
        while heap:
            node = pop(heap)[2]
            buf = buffers.pop(node, None) or [None] * node.n_outputs
            if simple and not node.__dict__:
                if buf[0] is None:
                    outs = [None] * len(node.next_functions)
                else:
                    outs = node._apply(buf)
                    if not keep_graph:
                        node._release()
            else:
                outs = _run_node(node, buf, capture, results, targets, needed, accumulate, keep_graph,
                                 create_graph)
            for (nxt, nr), g in zip(node.next_functions, outs):
                if nxt is None:
                    continue
                if g is not None:
                    nbuf = buffers.get(nxt)
                    if nbuf is None:
                        nbuf = buffers[nxt] = [None] * nxt.n_outputs
                    nbuf[nr] = g if nbuf[nr] is None else nbuf[nr] + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    push(heap, (-nxt._seq, id(nxt), nxt))
    finally:
        _tasks.pop()
        grad_mode._set(prev, grad_mode.state.inference)
    return results


def _run_node(node, buf, capture, results, targets, needed, accumulate, keep_graph, create_graph):
    """One node of the backward pass, with hooks, retained grads, capture and anomaly checks."""
    if targets is not None and node not in targets and not needed.get(node, False):
        # autograd.grad never runs this node, so none of its hooks fire either (as torch's engine).
        return [None] * len(node.next_functions)
    if node._tensor_hooks:
        buf = [g if g is None else _run_tensor_hooks(node, i, g) for i, g in enumerate(buf)]
    if node._retained:
        for i, ref in node._retained.items():
            t = ref()
            if t is not None and buf[i] is not None:
                g = buf[i] if create_graph else buf[i].detach()
                t._grad = g if t._grad is None else t._grad + g
    if capture is not None:
        for i, g in enumerate(buf):
            slot = capture.get((node, i))
            if slot is not None and g is not None:
                if isinstance(node, AccumulateGrad):
                    g = run_leaf_hooks(node.variable, g)
                results[slot] = g
    if node._pre_hooks:
        buf = _run_node_hooks(node._pre_hooks, buf, (tuple(buf),))
    if node.n_outputs == 1:
        run = buf[0] is not None
    else:
        run = any(g is not None for g in buf)
    if targets is not None and not needed.get(node, False):
        run = False
    if not accumulate and isinstance(node, AccumulateGrad):
        run = False
    if not run:
        return [None] * len(node.next_functions)
    if grad_mode._anomaly["enabled"]:
        outs = _apply_anomaly(node, buf)
    else:
        outs = node._apply(buf)
    if node._post_hooks:
        outs = _run_node_hooks(node._post_hooks, outs, (tuple(outs), tuple(buf)))
    if not keep_graph:
        node._release()
    return outs


_CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters to "
    "None after use to break the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")
_warned = []


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


def _outputs_tuple(x):
    return (x,) if _is_tensor(x) else tuple(x)


def _inputs_tuple(inputs, fn):
    from collections.abc import Mapping
    if _is_tensor(inputs) or isinstance(inputs, GradientEdge):
        return (inputs,)
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{fn}()` must be a dict, not {type(inputs).__name__}. Other "
                        "Mapping types are not supported.")
    return tuple(inputs)


def _grads_tuple(grads, n):
    if grads is None:
        return (None,) * n
    if _is_tensor(grads):
        return (grads,)
    return tuple(grads)


def _make_grads(outputs, grad_outputs, batched=False):
    from .. import _ops
    res = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            res.append(_implicit_grad(out, _ops))
        elif not _is_tensor(g):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        else:
            _check_grad_output(out, g, i, batched)
            res.append(g)
    return res


def _implicit_grad(out, _ops):
    if not out._requires_grad:
        return None
    if out._data.size != 1:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    if not out.dtype.is_floating_point:
        raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {out.dtype}")
    return _ops.creation.ones_like(out)


def _check_grad_output(out, g, i, batched):
    shape = g.shape[1:] if batched else g.shape
    if shape != out.shape:
        if batched:
            # torch reports the shape of the first batch entry without its own first dimension.
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the "
                "batch dimension. The sizes of the remaining dimensions are expected to match the shape of "
                f"corresponding output, but a mismatch was detected: grad_output[{i}] has a shape of "
                f"{g.shape[2:]} and output[{i}] has a shape of {out.shape}. If you only want some tensors in "
                "`grad_output` to be considered batched, consider using vmap.")
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                           f"has a shape of {out.shape}.")
    if out.dtype.is_complex != g.dtype.is_complex:
        raise RuntimeError("For complex Tensors, both grad_output and output are required to have the same "
                           f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                           f"output[{i}] has a dtype of {out.dtype}.")


def _check_roots(outputs, grads):
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def _cast_roots(outputs, grads):
    # The seed gradient takes its output's dtype, as torch's engine validates it.
    return [g if g is None or g.dtype is o.dtype else g.to(o.dtype) for o, g in zip(outputs, grads)]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Computes the sum of gradients of given tensors with respect to graph leaves."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    ins = () if inputs is None else _inputs_tuple(inputs, "backward")
    if inputs is not None and not ins:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _outputs_tuple(tensors)
    grads = _make_grads(outputs, _grads_tuple(grad_tensors, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outputs, grads)
    if create_graph and not _warned:
        _warned.append(True)
        warnings.warn(_CYCLE_WARNING, UserWarning, stacklevel=3)
    roots = [edge(t) for t in outputs]
    grads = _cast_roots(outputs, grads)
    if not ins:
        execute(roots, grads, retain_graph, create_graph)
        return
    _backward_to(roots, grads, ins, retain_graph, create_graph)


def _backward_to(roots, grads, ins, retain_graph, create_graph):
    """backward(inputs=...): accumulate only into the given tensors' ``.grad``."""
    from .graph import accumulate
    capture = {}
    for i, t in enumerate(ins):
        # As torch: non-leaf inputs get their .grad through retain_grad (which rejects tensors without grad).
        t.retain_grad()
        capture.setdefault(edge(t), i)
    found = execute(roots, grads, retain_graph, create_graph, capture, accumulate=False)
    prev = grad_mode.state.grad
    # the leaves accumulate as inside the backward pass: in place, building a graph only for create_graph
    grad_mode._set(create_graph, grad_mode.state.inference)
    try:
        for i, t in enumerate(ins):
            g = found.pop(i, None)
            if g is None or t._grad_fn is not None:
                continue
            # Leaf hooks already ran when the gradient was captured.
            hooks, t.__dict__["_hooks"] = t._hooks, None
            try:
                accumulate(t, g)
            finally:
                t.__dict__["_hooks"] = hooks
    finally:
        grad_mode._set(prev, grad_mode.state.inference)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Computes and returns the sum of gradients of outputs with respect to the inputs."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but "
                         "got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _outputs_tuple(outputs)
    ins = _inputs_tuple(inputs, "grad")
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use torch.autograd.backward.",
                      FutureWarning, stacklevel=2)
    gouts = _make_grads(outs, _grads_tuple(grad_outputs, len(outs)), is_grads_batched)
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outs, gouts)
    for t in ins:
        if not isinstance(t, GradientEdge) and not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if is_grads_batched:
        res = _batched_grad(outs, ins, gouts, retain_graph, create_graph, allow_unused)
    else:
        res = _grad_once(outs, ins, _cast_roots(outs, gouts), retain_graph, create_graph, allow_unused)
    if materialize_grads:
        from .._ops.creation import zeros_like
        res = tuple(zeros_like(t, requires_grad=create_graph) if g is None else g for g, t in zip(res, ins))
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), res))
    return res


def _grad_once(outs, ins, gouts, retain_graph, create_graph, allow_unused):
    capture = {}
    # An input may be a GradientEdge (autograd.graph.get_gradient_edge) instead of a tensor.
    slots = [capture.setdefault((t[0], t[1]) if isinstance(t, GradientEdge) else edge(t), i)
             for i, t in enumerate(ins)]
    found = execute([edge(t) for t in outs], gouts, retain_graph, create_graph, capture, accumulate=False)
    res = []
    for i, slot in enumerate(slots):
        g = found.get(slot)
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                               "graph. Set allow_unused=True if this is the desired behavior.")
        if g is not None and not create_graph:
            g = g.detach()
        res.append(g)
    return tuple(res)


def _batched_grad(outs, ins, gouts, retain_graph, create_graph, allow_unused):
    """One backward per slice of the leading (batch) dimension of the grad_outputs, stacked."""
    from .._ops.shape import stack
    n = next(g.shape[0] for g in gouts if g is not None)
    rows = []
    for b in range(n):
        seeds = _cast_roots(outs, [None if g is None else g.select(0, b) for g in gouts])
        keep = retain_graph or b < n - 1
        rows.append(_grad_once(outs, ins, seeds, keep, create_graph, allow_unused))
    return tuple(None if col[0] is None else stack(col) for col in zip(*rows))
