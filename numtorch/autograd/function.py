"""Custom autograd Functions: ``Function`` with ``ctx`` (a graph node), and ``once_differentiable``."""
import functools
import warnings

from .. import _tensor
from . import grad_mode
from .graph import (FREED_MSG, InputMeta, Node, PackedCtxSaved, _saved_hooks, _seq, check_version, edge,
                    pack_ctx_saved)

__all__ = ["BackwardCFunction", "Function", "FunctionCtx", "InplaceFunction", "once_differentiable"]

_NO_BACKWARD = ("You must implement either the backward or vjp method for your custom autograd.Function to "
                "use it with backward mode AD.")
_LEGACY = ("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
           "autograd function with static forward method. (Example: "
           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")


def _is_tensor(x):
    return isinstance(x, _tensor.Tensor)


class FunctionCtx:
    """The ``ctx`` handed to ``forward``/``setup_context``/``backward`` of a custom Function."""

    # Per call, a tuple of booleans: whether each argument of ``apply`` requires grad; the node of a
    # call (BackwardCFunction) overrides saved_tensors with the unpacked saved tensors.
    needs_input_grad = ()
    saved_tensors = ()
    # Whether gradients of outputs that got none reach backward as zeros (set_materialize_grads changes it).
    materialize_grads = True

    def save_for_backward(self, *tensors):
        """Saves given tensors for a future call to ``backward``."""
        for i, t in enumerate(tensors):
            if t is not None and not _is_tensor(t):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        """Saves given tensors for a future call to ``jvp``."""
        for i, t in enumerate(tensors):
            if t is not None and not _is_tensor(t):
                raise TypeError(f"save_for_forward expects all arguments to be tensors or None, but argument "
                                f"{i} is of type {type(t)}.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args):
        """Marks given tensors as modified in an in-place operation."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        """Marks outputs as non-differentiable."""
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        """Sets whether to materialize grad tensors (as zeros) for outputs without a gradient."""
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of one call of a custom Function; it is also that call's ``ctx``."""

    materialize_grads = True
    _saved = None

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_MSG)
        if self._saved is None:
            return getattr(self, "to_save", ())
        if self._saved.__class__ is PackedCtxSaved:
            return self._saved.restore(self)
        for t, version, nr in self._saved:
            if nr is not None:
                # A saved output is checked as an output of this node, whatever happened to it since.
                t = _tensor.Tensor._from_saved(t._data, t._vc, self)
                t._output_nr = nr
            if t is not None:
                check_version(t, version)
        return tuple(t for t, _, _ in self._saved)

    saved_variables = saved_tensors

    def _release(self):
        self._freed = True
        self._saved = None

    def _apply(self, grads):
        cls = self._forward_cls
        if not _overrides(cls, "backward") and not _overrides(cls, "vjp"):
            raise NotImplementedError(_NO_BACKWARD)
        if self.materialize_grads:
            grads = [_zeros(m) if g is None and m is not None else g for g, m in zip(grads, self._out_meta)]
        backward = cls.backward if _overrides(cls, "backward") else cls.vjp
        res = backward(self, *grads)
        return self._check_grads(res if isinstance(res, tuple) else (res,))

    def _check_grads(self, res):
        kinds = self._in_meta
        n = len(kinds)
        if len(res) < n or any(r is not None for r in res[n:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(res)})")
        out = []
        for i, (r, m) in enumerate(zip(res, kinds)):
            if m is None:
                if r is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                                       f"position {i + 1}, but the corresponding forward input was not a "
                                       "Variable")
                continue
            out.append(self._fit(r, m, len(out)))
        return out

    def _fit(self, g, meta, index):
        if g is None or meta is False:
            return None
        if not _is_tensor(g):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        shape = tuple(meta.shape)
        if g._data.shape != shape:
            if not _expandable(shape, g._data.shape):
                raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {index} - "
                                   f"got {list(g._data.shape)} but expected shape compatible with "
                                   f"{list(shape)}")
            g = g.sum_to_size(shape)
        if g.dtype is not meta.dtype:
            g = g.to(meta.dtype)
        return g


def _expandable(shape, target):
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], target[::-1]))


def _zeros(meta):
    from .._ops.creation import zeros
    return zeros(meta.shape, dtype=meta.dtype, device=meta.device)


def _overrides(cls, name):
    """Whether a user class below Function defines ``name``."""
    for k in cls.__mro__:
        if k is Function or k is FunctionCtx:
            return False
        if name in k.__dict__:
            return True
    return False


class FunctionMeta(type):
    """Gives every Function subclass its own backward node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        attrs = {"_forward_cls": cls, "__module__": __name__}
        node_cls = type(name + "Backward", (BackwardCFunction,), attrs)
        cls._backward_cls = node_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class for custom autograd operations: override static ``forward`` and ``backward``."""

    is_traceable = False
    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself. Instantiating an autograd "
                      "function will raise an error in a future version of PyTorch.", DeprecationWarning,
                      stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs ``forward`` and, when an input requires grad, records a ``<Name>Backward`` node."""
        ctx = cls._backward_cls()
        ctx._seq = next(_seq)
        ctx.needs_input_grad = tuple(_is_tensor(a) and a._requires_grad for a in args)
        tensors = [a for a in args if _is_tensor(a)]
        record = grad_mode.state.enabled and any(t._requires_grad for t in tensors)
        ctx.next_functions = tuple(edge(t) for t in tensors) if record else ()
        with grad_mode.no_grad():
            if _overrides(cls, "setup_context"):
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        return _finish(ctx, args, out, record)


class InplaceFunction(Function):
    """A Function that may modify its input in place when ``inplace`` is set."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


def _finish(ctx, args, out, record):
    multi = isinstance(out, tuple)
    outs = list(out) if multi else [out]
    dirty = getattr(ctx, "dirty_tensors", ())
    nondiff = getattr(ctx, "non_differentiable", ())
    if dirty:
        _bump_dirty(dirty, record)
    inputs = {id(a) for a in args if _is_tensor(a)}
    for i, o in enumerate(outs):
        if _is_tensor(o) and id(o) in inputs and not _contains(dirty, o):
            outs[i] = _alias(o)
    if record:
        _record(ctx, args, outs, dirty, nondiff)
    return tuple(outs) if multi else outs[0]


def _contains(seq, t):
    return any(x is t for x in seq)


def _bump_dirty(dirty, record):
    for t in dirty:
        if record and t._requires_grad and t._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
        base = t._base
        if record and base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        t._bump()


def _alias(t):
    """A new view of ``t`` (torch never hands back an input object unless it was marked dirty)."""
    from .._ops._registry import OPS, call
    with grad_mode.no_grad():
        return call(OPS["view"], (t, tuple(t._data.shape)), {})


def _record(ctx, args, outs, dirty, nondiff):
    ctx.n_outputs = len(outs)
    ctx._in_meta = [_meta(a) for a in args]
    ctx._out_meta = [InputMeta(o._data.shape, o.dtype, o.device) if _is_tensor(o) else None for o in outs]
    for i, o in enumerate(outs):
        if not _is_tensor(o) or _contains(nondiff, o):
            continue
        if not (o.dtype.is_floating_point or o.dtype.is_complex):
            continue
        if _contains(dirty, o) and o._base is not None:
            _wire_dirty_view(ctx, o, i)
        else:
            _wire(o, ctx, i)
    for o in outs:
        if _is_tensor(o) and _contains(nondiff, o):
            o._requires_grad = False
    saved = getattr(ctx, "to_save", None)
    if saved is not None:
        ctx._saved = [_saved_entry(t, outs) for t in saved]
        if _saved_hooks:
            ctx._saved = pack_ctx_saved(ctx._saved)
        del ctx.to_save


def _saved_entry(t, outs):
    if t is None:
        return None, 0, None
    if t.is_inference():
        raise RuntimeError(_tensor.SAVE_INFERENCE)
    nr = next((i for i, o in enumerate(outs) if o is t and t._grad_fn is not None), None)
    return t, t._version, nr


def _meta(x):
    if not _is_tensor(x):
        return None
    if not x._requires_grad:
        return False
    return InputMeta(x._data.shape, x.dtype, x.device)


def _wire(t, node, nr):
    t._grad_fn = node
    t._output_nr = nr
    t._requires_grad = True
    if t._base is not None:
        t._view_ver = t._version


def _wire_dirty_view(ctx, view, nr):
    # The view now holds the Function's result: route its base's gradient through CopySlices, as torch.
    from .._ops.views import copy_slices
    value = _tensor.Tensor._wrap(view._data)
    _wire(value, ctx, nr)
    copy_slices(view._base, view, value)


class DelayedError(Node):
    """Raises when differentiated: the gradient of a ``once_differentiable`` backward."""

    def __init__(self, msg, edges):
        self.msg = msg
        self.next_functions = edges
        self._seq = next(_seq)

    def name(self):
        return "torch::autograd::Error"

    def _apply(self, grads):
        raise RuntimeError(self.msg)


def once_differentiable(fn):
    """Decorator for ``backward``: it runs without recording, and differentiating its result raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.state.enabled:
            return outputs
        needing = [a for a in args if _is_tensor(a) and a._requires_grad]
        if not needing:
            return outputs
        node = DelayedError("trying to differentiate twice a function that was marked with "
                            "@once_differentiable", tuple(edge(a) for a in needing))
        multi = isinstance(outputs, tuple)
        res = [_delayed(o, node) for o in (outputs if multi else (outputs,))]
        return tuple(res) if multi else res[0]

    return wrapper


def _delayed(o, node):
    if not _is_tensor(o):
        return o
    t = _tensor.Tensor._wrap(o._data)
    _wire(t, node, 0)
    return t
