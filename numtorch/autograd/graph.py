"""Autograd graph nodes: the base Node, op nodes built by the op registry, and AccumulateGrad."""
import itertools
import os
import re
import traceback
import weakref

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
        # Tensor inputs have (shape, dtype, device) metadata; Python-scalar positions get no gradient.
        return [_fit(r, m) if r is not None and m.__class__ is tuple else None
                for r, m in zip(res, self._in_meta)]


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
    old = t._grad
    if old is None:
        if grad_mode.state.enabled:
            # torch clones through copy_ here, so the new .grad has a CopyBackwards node.
            from .._ops.conversion import copy_into_new
            t._grad = copy_into_new(g)
        else:
            # The incoming gradient may alias a user tensor or a broadcast view: own a fresh copy.
            t._grad = Tensor._wrap(g._data.copy())
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
