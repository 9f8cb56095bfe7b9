"""The backward engine: dependency counting, topological execution, gradient accumulation."""
import heapq

from . import grad_mode
from .graph import AccumulateGrad, edge, run_leaf_hooks


def _run_tensor_hooks(node, nr, g):
    hooks = node._tensor_hooks.get(nr) if node._tensor_hooks else None
    if hooks:
        for fn in list(hooks.values()):
            r = fn(g)
            if r is not None:
                g = r
    return g


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
    """Nodes from which some target node can be reached (only these must execute)."""
    needed = {}

    def visit(node):
        if node in needed:
            return needed[node]
        needed[node] = False
        stack = [(node, iter(node.next_functions))]
        while stack:
            cur, it = stack[-1]
            for nxt, _ in it:
                if nxt is None:
                    continue
                if nxt not in needed:
                    needed[nxt] = nxt in targets
                    stack.append((nxt, iter(nxt.next_functions)))
                    break
            else:
                stack.pop()
                res = needed[cur] or cur in targets or any(
                    needed.get(n, False) for n, _ in cur.next_functions if n is not None)
                needed[cur] = res
        return needed[node]

    for n in seen:
        visit(n)
    return needed


def execute(roots, grads, keep_graph, create_graph, capture=None, accumulate=True):
    """Run backward from ``roots`` (edges) seeded with ``grads``.

    ``capture`` maps edges to slots: the gradient flowing into each such edge is recorded and returned.
    With ``accumulate=False`` (autograd.grad) leaves' ``.grad`` are left untouched.
    """
    root_nodes = [n for n, _ in roots]
    deps, seen = _discover(root_nodes)
    targets = None
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
    prev = grad_mode.state.enabled
    grad_mode.state.enabled = create_graph
    try:
        while heap:
            _, _, node = heapq.heappop(heap)
            buf = buffers.pop(node, None) or [None] * node.n_outputs
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
                for fn in list(node._pre_hooks.values()):
                    r = fn(tuple(buf))
                    if r is not None:
                        buf = list(r)
            run = all(g is not None for g in buf) if node.n_outputs == 1 else any(
                g is not None for g in buf)
            if targets is not None and not needed.get(node, False):
                run = False
            if isinstance(node, AccumulateGrad) and not accumulate:
                run = False
            outs = node._apply(buf) if run else [None] * len(node.next_functions)
            if run and node._post_hooks:
                for fn in list(node._post_hooks.values()):
                    r = fn(tuple(outs), tuple(buf))
                    if r is not None:
                        outs = list(r)
            if run and not keep_graph:
                node._release()
            for (nxt, nr), g in zip(node.next_functions, outs):
                if nxt is None:
                    continue
                if g is not None:
                    nbuf = buffers.setdefault(nxt, [None] * nxt.n_outputs)
                    nbuf[nr] = g if nbuf[nr] is None else nbuf[nr] + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    heapq.heappush(heap, (-nxt._seq, id(nxt), nxt))
    finally:
        grad_mode.state.enabled = prev
    return results


def _tensors(x):
    from .._tensor import Tensor
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grad_outputs, is_grads_batched=False):
    from .. import _ops
    from .._tensor import Tensor
    res = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out.dtype.is_floating_point:
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs but "
                                       f"got {out.dtype}")
                g = _ops.creation.ones_like(out)
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g.shape != out.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output"
                               f"[{i}] has a shape of {out.shape}.")
        res.append(g)
    return res


def _check_roots(outputs):
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Computes the sum of gradients of ``tensors`` w.r.t. graph leaves, accumulating into ``.grad``."""
    import warnings
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is None:
            grad_tensors = grad_variables
        else:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed "
                               "to `backward()`. Please only use `grad_tensors`.")
    if inputs is not None and len(_tensors(inputs)) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _tensors(tensors)
    grads = _tensors(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} tensors and {len(outputs)} gradients")
    grads = _make_grads(outputs, grads)
    _check_roots(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = [edge(t) for t in outputs]
    if inputs is None:
        execute(roots, grads, retain_graph, create_graph)
        return
    ins = _tensors(inputs)
    capture = {}
    for i, t in enumerate(ins):
        if t._grad_fn is None and not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture[edge(t)] = i
    found = execute(roots, grads, retain_graph, create_graph, capture, accumulate=False)
    from .graph import accumulate as acc
    for i, t in enumerate(ins):
        g = found.get(i)
        if g is None:
            continue
        if t._grad_fn is None:
            # Leaf hooks already ran when the gradient was captured.
            hooks, t.__dict__["_hooks"] = t._hooks, None
            try:
                acc(t, g)
            finally:
                t.__dict__["_hooks"] = hooks
        else:
            g = g if create_graph else g.detach()
            t._grad = g if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Computes and returns the sum of gradients of ``outputs`` w.r.t. ``inputs``."""
    from .. import _ops
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    gouts = _tensors(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(gouts) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(gouts)} and {len(outs)}")
    for t in ins:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outs, gouts)
    _check_roots(outs)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {}
    slots = []
    for i, t in enumerate(ins):
        e = edge(t)
        slots.append(capture.setdefault(e, i))
    found = execute([edge(t) for t in outs], grads, retain_graph, create_graph, capture, accumulate=False)
    res = []
    for i, t in enumerate(ins):
        g = found.get(slots[i])
        if g is None:
            if materialize_grads:
                g = _ops.creation.zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
        elif not create_graph:
            g = g.detach()
        res.append(g)
    return tuple(res)
