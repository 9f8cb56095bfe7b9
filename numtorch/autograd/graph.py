"""Autograd graph nodes: the base Node, op nodes built by the op registry, and AccumulateGrad."""
import itertools
import os
import re
import traceback
import weakref
from typing import NamedTuple

from ..utils.hooks import RemovableHandle
from . import grad_mode

_seq = itertools.count()
Tensor = None  # set by numtorch._tensor once the class exists (this module is imported first)

FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors after "
             "they have already been freed). Saved intermediate values of the graph are freed when you call "
             ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
             "graph a second time or if you need to access saved tensors after calling backward.")


def _describe(t):
    shape = ", ".join(str(s) for s in t._data.shape)
    return f"[{t.type()} [{shape}]]"


def check_version(t, expected):
    """Raise torch's error if tensor ``t`` was modified in place after being saved at ``expected``."""
    vc = t._vc
    now = vc[0] if vc is not None else 0
    if now == expected:
        return
    fn = t._grad_fn
    where = ""
    if fn is not None:
        op = re.sub(r"Backward\d*$", "", fn.name())
        where = f", which is output {t._output_nr} of {op},"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{_describe(t)}{where} is at version {now}; expected version {expected} instead. Hint: enable "
        "anomaly detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stack():
    """The current Python stack as text, without numtorch's own frames."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PKG_DIR)]
    return "".join(traceback.format_list(frames))


def _traced_new(cls, *args, **kwargs):
    node = object.__new__(cls)
    node._trace = _user_stack()
    return node


def _plain_new(cls, *args, **kwargs):
    return object.__new__(cls)


def set_anomaly_tracing(on):
    """In anomaly mode every new node remembers the forward stack that created it (free otherwise)."""
    if on:
        Node.__new__ = staticmethod(_traced_new)
    elif "__new__" in Node.__dict__:
        # Deleting an assigned __new__ leaves CPython's slot in a state that rejects constructor arguments.
        Node.__new__ = staticmethod(_plain_new)


def anomaly_warning(node):
    import warnings
    trace = node.__dict__.get("_trace")
    if trace is None:
        return
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                  f"{trace} (Triggered internally at "
                  "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)", UserWarning,
                  stacklevel=5)


class InputMeta:
    """What a derivative may need of an input it did not save: shape, dtype, device."""

    __slots__ = ("shape", "dtype", "_dev")

    def __init__(self, shape, dtype, dev=None):
        self.shape, self.dtype, self._dev = shape, dtype, dev

    @property
    def device(self):
        from .._device import CPU
        return self._dev or CPU

    def dim(self):
        return len(self.shape)

    @property
    def ndim(self):
        return len(self.shape)


class Node:
    """A backward function in the autograd graph (``tensor.grad_fn``)."""

    __slots__ = ("next_functions", "_seq", "__dict__", "__weakref__")
    _pre_hooks = None
    _post_hooks = None
    _tensor_hooks = None
    _retained = None
    _freed = False
    n_outputs = 1

    def name(self):
        return type(self).__name__

    def __repr__(self):
        name = self.name().replace("torch::autograd::", "")
        return f"<{name} object at {hex(id(self))}>"

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn):
        """Registers ``fn(grad_inputs, grad_outputs)`` to run after this node computes its gradients."""
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        """Registers ``fn(grad_outputs)`` to run before this node; it may return replacement grads."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h

    def _add_tensor_hook(self, nr, fn):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(nr, {})
        h = RemovableHandle(hooks)
        hooks[h.id] = fn
        return h

    def _retain(self, nr, tensor):
        if self._retained is None:
            self._retained = {}
        self._retained[nr] = weakref.ref(tensor)

    def _release(self):
        self._freed = True

    def __call__(self, *grads):
        return self.apply(*grads)

    def apply(self, *grads):
        out = self._apply(list(grads))
        return out[0] if len(out) == 1 else tuple(out)


class OpNode(Node):
    """Backward of a registered op: calls the op's derivative (written in tensor ops)."""

    __slots__ = ("_op", "_saved", "_args", "_kwargs", "_in_meta", "_out")

    def name(self):
        return self._op.node_name

    def _release(self):
        self._freed = True
        self._saved = self._out = None

    def _unpack(self):
        if self._freed:
            raise RuntimeError(FREED_MSG)
        saved = self._saved
        args = []
        for i, m in enumerate(self._in_meta):
            s = saved[i] if saved else None
            if s is None:
                args.append(InputMeta(*m) if m.__class__ is tuple else m)
                continue
            t, version = s
            vc = t._vc
            if (vc[0] if vc is not None else 0) != version:
                check_version(t, version)
            args.append(t)
        out = None
        if self._out is not None:
            data, vc, version = self._out
            out = Tensor._from_saved(data, vc, self)
            if vc[0] != version:
                check_version(out, version)
        return args, out

    def _apply(self, grads):
        op = self._op
        if op.saves:
            saved, out = self._unpack()
        else:
            saved = [InputMeta(*m) if m.__class__ is tuple else m for m in self._in_meta]
            out = None
        if op.n_out == 1:
            g = grads[0]
        else:
            g = [gi if gi is not None else _zeros_for(m) for gi, m in zip(grads, self._out_meta)]
        res = op.bwd(g, *saved, out, *self._args, **self._kwargs)
        if not isinstance(res, (tuple, list)):
            res = (res,)
        if op.tied and grad_mode.state.enabled:
            res = _tied(res, saved, out)
        # Tensor inputs have (shape, dtype, device) metadata; Python-scalar positions get no gradient.
        return [_fit(r, m) if r is not None and m.__class__ is tuple else None
                for r, m in zip(res, self._in_meta)]


def _tied(res, saved, out):
    """A higher derivative's gradients tied to the tensors the op saved, with a zero derivative: torch's
    relu-like formulas name the saved tensor even where they use it only through a mask, so that
    differentiating again reaches it with zeros rather than with no gradient (and the first derivative
    requires grad)."""
    links = [t for t in saved if t.__class__ is Tensor and t._requires_grad]
    if out is not None and out._requires_grad:
        links.append(out)
    if not links:
        return res
    from .._ops import FUNCTIONS
    return [r if r is None or r.__class__ is not Tensor else FUNCTIONS["_zero_link"](r, *links) for r in res]


def _zeros_for(meta):
    from .. import _ops
    return _ops.creation.zeros(meta.shape, dtype=meta.dtype, device=meta.device)


def _fit(g, meta):
    """Reduce a broadcast gradient to its input's shape and cast it to the input's dtype."""
    shape, dt = meta[0], meta[1]
    d = g._data
    if d.shape != shape:
        g = g.sum_to_size(shape)
    if d.dtype is not dt._np and d.dtype != dt._np:
        if g.dtype.is_complex and not dt.is_complex:
            g = g.real
        g = g.to(dt)
    return g


class AccumulateGrad(Node):
    """Accumulates incoming gradients into a leaf tensor's ``.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self._seq = next(_seq)

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def _apply(self, grads):
        accumulate(self.variable, grads[0])
        return []


def call_grad_hooks(hooks, g):
    """Run tensor hooks in registration order; each may return a replacement gradient."""
    if hooks:
        for fn in list(hooks.values()):
            r = fn(g)
            if r is not None:
                g = r
    return g


def run_leaf_hooks(t, g):
    return call_grad_hooks(t._hooks, g)


def accumulate(t, g):
    """Add ``g`` into ``t.grad`` the way torch's AccumulateGrad does."""
    g = run_leaf_hooks(t, g)
    if g is None:
        return
    if t._grad_dtype and g.dtype is not t._grad_dtype:
        # A leaf with an explicit grad_dtype receives its gradients cast to it.
        g = g.to(t._grad_dtype)
    old = t._grad
    if old is None:
        if grad_mode.state.enabled:
            # torch clones through copy_ here, so the new .grad has a CopyBackwards node.
            from .._ops.conversion import copy_into_new
            t._grad = copy_into_new(g, t)
        else:
            # The incoming gradient may alias a user tensor or a broadcast view: own a fresh copy, laid out
            # as torch's .grad (the leaf's strides)
            from .._ops.layouts import grad_copy
            t._grad = Tensor._wrap(grad_copy(g._xp, g._data, t._data))
    elif grad_mode.state.enabled:
        t._grad = old + g
    elif old._data.shape == g._data.shape:
        old._data += g._data
        old._bump()
    else:
        t._grad = Tensor._wrap(old._data + g._data)
    post = t.__dict__.get("_post_acc_hooks")
    if post:
        for fn in list(post.values()):
            fn(t)


def grad_accumulator(t):
    """The (cached) AccumulateGrad node of leaf ``t``."""
    ref = t._accum
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accum = weakref.ref(node)
    return node


def edge(t):
    """The graph edge ``(node, output_nr)`` that gradients for tensor ``t`` flow into."""
    fn = t._grad_fn if t._base is None else t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return (None, 0)


# ----------------------------------------------------------------------------- saved tensor hooks
# Stack of (pack, unpack) pairs; the innermost applies. _record only looks at it when non-empty, so
# graphs built without hooks pay nothing.
_saved_hooks = []
_hooks_disabled = [None]  # the error message while hooks are disabled


class saved_tensors_hooks:
    """Context-manager that sets a pair of pack / unpack hooks for saved tensors."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _hooks_disabled[0] is not None:
            raise RuntimeError(_hooks_disabled[0])
        _saved_hooks.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *args):
        _saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):
    """Context manager under which tensors saved by the forward pass are stored on the CPU."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            # A pinned copy is still a copy: never hand back the caller's own buffer.
            return t.device, (t.cpu().clone() if pin_memory else t.cpu())

        def unpack(packed):
            dev, t = packed
            return t.to(dev)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Context-manager that makes registering saved-tensor hooks raise ``error_message``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._prev = _hooks_disabled[0]
        _hooks_disabled[0] = self.error_message

    def __exit__(self, *args):
        _hooks_disabled[0] = self._prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


_PACK_INPLACE = ("A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
                 "pack hook cannot be modified by in-place operations as this can lead to unexpected "
                 "side-effects. Please open an issue if you need to perform in-place operations on the input "
                 "to a pack hook.")


def pack_saved(t):
    """Run the innermost pack hook on saved tensor ``t``; returns (packed, unpack_hook)."""
    if _hooks_disabled[0] is not None:
        # Hooks set before disable_saved_tensors_hooks was entered may not be used inside it either.
        raise RuntimeError(_hooks_disabled[0])
    pack, unpack = _saved_hooks[-1]
    vc = t._vc
    before = vc[0] if vc is not None else 0
    prev = grad_mode.state.grad
    grad_mode._set(False, grad_mode.state.inference)
    try:
        packed = pack(t)
    finally:
        grad_mode._set(prev, grad_mode.state.inference)
    vc = t._vc
    if (vc[0] if vc is not None else 0) != before:
        raise RuntimeError(_PACK_INPLACE)
    return packed, unpack


def unpack_saved(packed, unpack):
    r = unpack(packed)
    if not isinstance(r, Tensor):
        raise TypeError(f"Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                        f"{type(r).__name__}")
    return r


class _PackedInput:
    """An op input saved through hooks, with the graph edge the original tensor had."""

    __slots__ = ("packed", "unpack", "edge", "requires_grad")

    def restore(self):
        r = unpack_saved(self.packed, self.unpack)
        # The unpacked tensor stands for the original one: give it the original's place in the graph.
        t = Tensor._wrap(r._data)
        t._vc = r._vc
        if self.requires_grad:
            t._requires_grad = True
            fn, nr = self.edge
            if isinstance(fn, AccumulateGrad):
                t._accum = weakref.ref(fn)
            else:
                t._grad_fn, t._output_nr = fn, nr
        return t


class HookedOpNode(OpNode):
    """An OpNode whose saved tensors went through saved-tensor hooks (its class is swapped in)."""

    __slots__ = ()

    def _unpack(self):
        if self._freed:
            raise RuntimeError(FREED_MSG)
        metas = self._in_meta
        # Inputs saved through hooks come back from their unpack hook; the rest are metadata only.
        args = [(InputMeta(*m) if m.__class__ is tuple else m) if p is None else p.restore()
                for p, m in zip(self._saved or [None] * len(metas), metas)]
        out = None
        if self._out is not None:
            r = unpack_saved(*self._out)
            out = Tensor._from_saved(r._data, r._vc, self)
        return args, out


def pack_node(node, outs):
    """Pass the tensors an op node just saved through the active pack hook."""
    saved = node._saved
    if saved:
        for i, s in enumerate(saved):
            if s is not None:
                p = _PackedInput()
                p.packed, p.unpack = pack_saved(s[0])
                p.edge, p.requires_grad = node.next_functions[i], s[0]._requires_grad
                saved[i] = p
    if node._out is not None:
        node._out = pack_saved(outs[0])
    node.__class__ = HookedOpNode


class PackedCtxSaved(list):
    """A custom Function's saved tensors, each passed through the pack hook active when it was saved."""

    def restore(self, node):
        res = []
        for p, nr in self:
            if p is None:
                res.append(None)
            elif nr is None:
                res.append(p.restore())
            else:
                r = unpack_saved(*p)
                t = Tensor._from_saved(r._data, r._vc, node)
                t._output_nr = nr
                res.append(t)
        return tuple(res)


def pack_ctx_saved(entries):
    """Pack the (tensor, version, output_nr) entries a custom Function saved (see function._record)."""
    out = PackedCtxSaved()
    for t, _, nr in entries:
        if t is None:
            out.append((None, None))
        elif nr is not None:
            out.append((pack_saved(t), nr))
        else:
            p = _PackedInput()
            p.packed, p.unpack = pack_saved(t)
            p.edge, p.requires_grad = edge(t), t._requires_grad
            out.append((p, None))
    return out


# ----------------------------------------------------------------------------- edges, versions
class GradientEdge(NamedTuple):
    """A (node, output_nr) pair naming where gradients for a tensor enter the graph."""

    node: object
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor):
    """Returns the GradientEdge through which gradients for ``tensor`` flow."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    fn, nr = edge(tensor)
    token = None
    if not isinstance(fn, (OpNode, AccumulateGrad)):
        # Custom Function nodes are not kept alive by the edge alone: a view's node holds on to them.
        with grad_mode.enable_grad():
            token = tensor.view_as(tensor).grad_fn
    return GradientEdge(fn, tensor.output_nr, token)


def increment_version(tensor):
    """Updates the version counter of ``tensor`` (or each tensor of an iterable) as an in-place op would."""
    from .._tensor import bump
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        bump(t)


# ----------------------------------------------------------------------------- multi grad hooks
class _MultiHandle(RemovableHandle):
    """Removes the per-tensor hooks of one register_multi_grad_hook call together."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __getstate__(self):
        return self.handles

    def __setstate__(self, state):
        self.handles = state


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Registers ``fn`` to run once the gradients of ``tensors`` are computed (all of them, or the first)."""
    from . import engine
    modes = ("all", "any")
    if mode not in modes:
        raise ValueError(f"Expects mode to be one of {modes} but got {mode}")
    tensors = list(tensors)
    if mode == "all":
        nodes = [edge(t)[0] for t in tensors]
        pending = {}

        def make(i):
            def hook(g):
                task = engine.current_task()
                state = pending.get(task)
                if state is None:
                    # Only the tensors this backward pass will reach are waited for.
                    state = pending[task] = [sum(map(task.will_execute, nodes)), [None] * len(tensors)]
                state[0] -= 1
                state[1][i] = g
                if state[0] == 0:
                    del pending[task]
                    fn(state[1])
            return hook
        handles = tuple(t.register_hook(make(i)) for i, t in enumerate(tensors))
    else:
        fired = weakref.WeakSet()

        def once(g):
            task = engine.current_task()
            if task in fired:
                return
            fired.add(task)
            fn(g)
        handles = tuple(t.register_hook(once) for t in tensors if t.requires_grad)
    return _MultiHandle(handles)
