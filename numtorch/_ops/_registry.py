"""The op registry: wires a forward (on arrays) and a derivative (in tensor ops) into numtorch.

``register`` creates the ``numtorch.<name>`` function, the ``Tensor.<name>`` method and the in-place
``Tensor.<name>_`` variant, handling dtype promotion, device checks, views and autograd nodes.
"""
import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from .._tensor import SAVE_INFERENCE, Tensor, bump, make_view, needs_grad_any, uses_new
from ..autograd import grad_mode
from .._device import device_of
from ..autograd.graph import InputMeta, OpNode, _saved_hooks, _seq, edge, grad_accumulator, pack_node
from . import float8, limited
from .layouts import c_order, elementwise_result

# Promotion kinds, decided per op (as torch's elementwise_type_promotion_wrapper does).
NONE = 0          # inputs are used as they are
DEFAULT = 1       # common dtype of all operands
INT_TO_FLOAT = 2  # common dtype, integers and bool become the default float dtype
ALWAYS_BOOL = 3   # compare in the common dtype, return bool
NO_OPMATH = 4     # common dtype of tensor operands only (scalars are ignored)

OPS = {}
uses_new(globals())  # binds _new
FUNCTIONS = {}
# Set (to _torch_function.dispatch) once a Tensor subclass overrides __torch_function__.
tf_hook = None
_MISS = object()  # tf_hook's answer when no subclass takes the call
_state = grad_mode.state


class Op:
    __slots__ = ("name", "fwd", "bwd", "node_name", "promote", "save", "save_out", "nin", "listin", "view",
                 "n_out", "nondiff", "scalars", "saves", "fast", "tied", "contiguous",
                 "elementwise", "kernel")

    def __init__(self, name, fwd, bwd, node_name, promote, save, save_out, nin, listin, view, n_out, nondiff,
                 scalars):
        self.name, self.fwd, self.bwd, self.node_name = name, fwd, bwd, node_name
        self.promote, self.save, self.save_out, self.nin = promote, save, save_out, nin
        self.listin, self.view, self.n_out, self.nondiff = listin, view, n_out, nondiff
        self.scalars = scalars
        self.saves = bool(save or save_out)
        self.fast = None
        self.tied = False
        self.contiguous = False
        self.elementwise = False
        # torch's kernel, checked against the limited dtypes (uint16/32/64, float8) only
        self.kernel = limited.KERNELS.get(name)


def _camel(name):
    return "".join(p.capitalize() for p in name.strip("_").split("_"))


def register(name, fwd, bwd=None, *, nin=1, promote=NONE, save=(), save_out=False, node=None, view=False,
             n_out=1, nondiff=(), listin=False, method=True, function=True, inplace=False, scalars=False,
             fast=None, tied=False, contiguous=False, elementwise=False):
    """Register an op. ``fwd(xp, *arrays, *args, **kw)``; ``bwd(grad, *saved_inputs, out, *args, **kw)``
    returns one gradient per tensor input (None where there is none).

    save: indices of inputs the derivative needs (others arrive as None); save_out: it needs the output.
    view: the output is a view of input 0 (True) or may be one ("maybe").
    scalars: Python numbers are accepted in tensor positions (they get no graph edge).
    fast: a ufunc that computes the op exactly for one float32/float64 array; calls that need no graph
    then skip promotion and recording entirely (what a backward pass mostly does).
    tied: the derivative uses what it saved only through masks or indices; differentiating it again
    reaches the saved tensors with zeros, as torch's formulas do (autograd.graph._tied).
    contiguous: torch allocates the result contiguous whatever the input's layout (reductions, scans,
    softmax), where NumPy's result may follow a strided input.
    elementwise: an elementwise op of several tensors, whose result torch lays out by its operands' strides
    (the first one deciding where they conflict; NumPy falls back to row-major there).
    """
    op = Op(name, fwd, bwd, node or f"{_camel(name)}Backward0", promote, tuple(save), save_out, nin, listin,
            view, n_out, frozenset(nondiff), scalars)
    op.fast = fast
    op.tied = tied
    op.contiguous = contiguous
    op.elementwise = elementwise
    OPS[name] = op

    def entry(*args, **kwargs):
        return call(op, args, kwargs)

    entry.__name__ = entry.__qualname__ = name
    if function:
        FUNCTIONS[name] = entry
    if method:
        setattr(Tensor, name, entry)
    if inplace:
        def method_(self, *args, **kwargs):
            return call_inplace(op, self, args, kwargs)
        method_.__name__ = name + "_"
        setattr(Tensor, name + "_", method_)
    return op


def tensor_method(fn):
    """Decorator: attach ``fn`` to Tensor under its own name (methods that are not registry ops)."""
    setattr(Tensor, fn.__name__, fn)
    return fn


def to_tensor_arg(x, name="other"):
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"expected Tensor as argument, but got {type(x).__name__}")


def broadcast_error(shapes):
    # Reproduce torch's message naming the first mismatching dimension (from the right).
    a, b = shapes[0], shapes[1]
    n = max(len(a), len(b))
    for i in range(1, n + 1):
        sa = a[-i] if i <= len(a) else 1
        sb = b[-i] if i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                               f"non-singleton dimension {n - i}") from None
    raise RuntimeError(f"shapes {a} and {b} cannot be broadcast") from None


def _xp_of(arrays):
    for a in arrays:
        if type(a) is not np.ndarray and hasattr(a, "__cuda_array_interface__"):
            import cupy
            return cupy
    return np


def check_devices(tensors):
    kind = tensors[0]._data.__class__
    for t in tensors:
        if t._data.__class__ is not kind:
            break
    else:
        return
    # torch lets 0-d cpu tensors take part in cuda ops, like Python scalars.
    devs = {t._data.__class__ for t in tensors if t._data.ndim or len(tensors) == 1}
    if len(devs) > 1:
        names = sorted({str(t.device) for t in tensors})
        raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                           f"{names[0]} and {names[1]}!")


def _scalar_array(v, dt, op=None):
    # Python ints that overflow the target integer type wrap around, as in torch.
    if isinstance(v, int) and dt._cat == _dtype.INT:
        info = np.iinfo(dt._np)
        if not info.min <= v <= info.max:
            return np.array(v & ((1 << (8 * dt.itemsize)) - 1)).astype(dt._np)
    if dt is _dtype.bfloat16 and op is not None and op.name not in _UNROUNDED:
        return bf16_number(v)
    return v


_UNROUNDED = ("mul", "div")


def bf16_number(v):
    """A Python float rounded to bfloat16, as torch rounds numbers before a bfloat16 op (mul and div
    excepted: pointwise._mul); some ml_dtypes versions would compute with the unrounded number."""
    return _dtype.bfloat16._np.type(v) if type(v) is float or type(v) is int else v


def _slow_dtype(p, ins):
    if p == NO_OPMATH:
        dt = _dtype.result_type_of([x for x in ins if isinstance(x, Tensor)])
    else:
        dt = _dtype.result_type_of(ins)
    if p == INT_TO_FLOAT and dt._cat < _dtype.FLOAT:
        dt = _dtype.get_default_dtype()
    return dt


def _promotion(op, key, ins):
    """The computation dtype on a cache miss. A limited dtype is never cached: each call checks that torch's
    kernel for the op accepts it (so the common dtypes pay nothing for the check)."""
    dt = _slow_dtype(op.promote, ins)
    if dt._limited:
        if op.kernel is not None:
            limited.check_op(op.kernel, dt, ins)
    else:
        _PROMOTIONS[key] = dt
    return dt


def _check_limited(op, ins, tensors):
    # ops without promotion: the first tensor's dtype is the one torch's kernel dispatches on
    if tensors:
        dt = NP2DT[tensors[0]._data.dtype]
        if dt._limited:
            limited.check_op(op.kernel, dt, ins)


def _promo_key(x):
    if isinstance(x, Tensor):
        d = x._data
        return d.dtype, d.ndim == 0
    return x.__class__


_PROMOTIONS = {}


def compute_dtype(op, ins):
    """The dtype an op computes in, from its promotion kind; memoised on the operands' dtype signature."""
    p = op.promote
    if p == NONE:
        return None
    if len(ins) == 1:
        key = (p, ins[0]._data.dtype, _dtype._default[0])
    else:
        key = (p, _dtype._default[0], *[_promo_key(x) for x in ins])
    dt = _PROMOTIONS.get(key)
    if dt is None:
        dt = _promotion(op, key, ins)
    return dt


def _arrays(ins, dt, op=None):
    npdt = dt._np
    arrs = []
    for x in ins:
        if isinstance(x, Tensor):
            a = x._data
            if a.dtype is not npdt and a.dtype != npdt:
                a = a.astype(npdt)
            arrs.append(a)
        else:
            arrs.append(_scalar_array(x, dt, op))
    return arrs


def _split(op, args):
    if op.listin:
        return list(args[0]), args[1:]
    n = op.nin
    if len(args) < n:
        raise TypeError(f"{op.name}() missing required positional argument")
    return args[:n], args[n:]


def _check_inputs(op, ins):
    tensors = []
    for i, x in enumerate(ins):
        if isinstance(x, Tensor):
            tensors.append(x)
        elif not (op.scalars and isinstance(x, (int, float, complex, bool, np.generic))) and not (
                x is None and i > 0):
            raise TypeError(f"{op.name}(): argument '{'input' if i == 0 else 'other'}' (position {i + 1}) "
                            f"must be Tensor, not {type(x).__name__}")
    return tensors


def _forward(op, ins, rest, kwargs):
    tensors = [x for x in ins if isinstance(x, Tensor)]
    if len(tensors) != len(ins):
        _check_inputs(op, ins)
    if len(tensors) > 1:
        check_devices(tensors)
    p = op.promote
    if not p:
        dt = None
        arrs = [x._data if isinstance(x, Tensor) else x for x in ins]
        if op.kernel is not None:
            _check_limited(op, ins, tensors)
    elif len(ins) <= 2 and len(tensors) == len(ins) and tensors[-1]._data.dtype is tensors[0]._data.dtype:
        # Tensors of one dtype: promotion depends on that dtype alone.
        d0 = tensors[0]._data.dtype
        key = (p, d0, _dtype._default[0])
        dt = _PROMOTIONS.get(key)
        if dt is None:
            dt = _promotion(op, key, ins)
        arrs = [t._data for t in tensors] if dt._np is d0 else _arrays(ins, dt, op)
    else:
        dt = compute_dtype(op, ins)
        arrs = _arrays(ins, dt, op)
    xp = np if not tensors or type(tensors[0]._data) is np.ndarray else _xp_of(arrs)
    try:
        r = op.fwd(xp, *arrs, *rest, **kwargs)
    except ValueError as e:
        if "broadcast" in str(e):
            broadcast_error([a.shape for a in arrs if hasattr(a, "shape")])
        raise
    if op.n_out == 1:
        if type(r) is not np.ndarray:
            r = xp.asarray(r)
        # The forward may compute in a wider type (NumPy's rules); the result takes torch's dtype.
        if dt is not None and r.dtype is not dt._np and r.dtype != dt._np and op.promote != ALWAYS_BOOL:
            r = r.astype(dt._np)
        if op.contiguous:
            r = c_order(xp, r)
        elif op.elementwise and len(tensors) > 1 and r.ndim > 1 and r.size:
            first = tensors[0]._data
            if not first.flags.c_contiguous and first.shape == r.shape:
                r = elementwise_result(xp, r, arrs)
    elif op.contiguous:
        r = tuple(c_order(xp, a) for a in r)
    return tensors, r, dt


def no_complex_autograd(name, *tensors):
    """torch's error for an op whose derivative is not defined for complex outputs, raised when grad
    mode is on and one of ``tensors`` (complex) requires grad."""
    if _state.enabled and any(t is not None and t._requires_grad and t.dtype.is_complex for t in tensors):
        raise RuntimeError(f"{name} does not support automatic differentiation for outputs with complex "
                           "dtype.")


def call(op, args, kwargs):
    fast = op.fast
    if fast is not None and not kwargs and len(args) == 1:
        x = args[0]
        if x.__class__ is Tensor:
            a = x._data
            c = a.dtype.char
            if (c == "f" or c == "d") and not (x._requires_grad and _state.enabled):
                r = fast(a)
                if r.__class__ is np.ndarray:
                    t = _new(Tensor)
                    t._data = r
                    return t
    if tf_hook is not None:
        r = tf_hook(op, args, kwargs)
        if r is not _MISS:
            return r
    out_t = kwargs.pop("out", None) if kwargs else None
    if op.listin:
        ins, rest = _split(op, args)
    else:
        n = op.nin
        ins, rest = args[:n], args[n:]
        if len(ins) < n:
            _split(op, args)
    tensors, r, _ = _forward(op, ins, rest, kwargs)
    if op.n_out == 1:
        out = _new(Tensor)
        out._data = r
        outs = (out,)
    else:
        outs = tuple(Tensor._wrap(a if type(a) is np.ndarray else np.asarray(a)) for a in r)
        out = outs
    if op.view:
        src = tensors[0]
        for o in outs:
            if op.view is True or np.may_share_memory(o._data, src._data):
                make_view(o, src, op, rest, kwargs)
    if _state.enabled and op.bwd is not None:
        for t in tensors:
            if t._requires_grad:
                _record(op, ins, tensors, outs, rest, kwargs)
                break
    if out_t is not None:
        return _write_out(op, out_t, out, tensors)
    return out


_NO_EDGE = (None, 0)


def _record(op, ins, tensors, outs, rest, kwargs):
    node = OpNode.__new__(OpNode)
    node._op = op
    node._seq = next(_seq)
    node._args = rest
    node._kwargs = kwargs
    save = op.save
    edges, meta = [], []
    saved = [] if save else None
    for i, x in enumerate(ins):
        if isinstance(x, Tensor):
            fn = x._grad_fn if x._base is None else x.grad_fn
            if fn is not None:
                edges.append((fn, x._output_nr))
            elif x._requires_grad:
                edges.append((grad_accumulator(x), 0))
            else:
                edges.append(_NO_EDGE)
            d = x._data
            meta.append((d.shape, NP2DT[d.dtype], None if d.__class__ is np.ndarray else device_of(d)))
            if save:
                if i in save:
                    vc = x._vc
                    if vc is not None and vc.__class__ is not list:
                        raise RuntimeError(SAVE_INFERENCE)
                    saved.append((x, vc[0] if vc is not None else 0))
                else:
                    saved.append(None)
        else:
            # Python scalars are handed to the derivative as they are.
            edges.append(_NO_EDGE)
            meta.append(x)
            if save:
                saved.append(None)
    node.next_functions = tuple(edges)
    node._in_meta = meta
    node._saved = saved
    node._out = None
    if op.n_out > 1:
        node.n_outputs = op.n_out
        node._out_meta = [InputMeta(o._data.shape, o.dtype, o.device) for o in outs]
        for i, o in enumerate(outs):
            if i not in op.nondiff and o._data.dtype.kind in "fcV":
                o._requires_grad = True
                o._grad_fn = node
                o._output_nr = i
    else:
        o = outs[0]
        if o._data.dtype.kind in "fcV":
            o._requires_grad = True
            o._grad_fn = node
    if op.save_out:
        o = outs[0]
        if o._vc is None:
            o._vc = [0]
        node._out = (o._data, o._vc, o._vc[0])
    if _saved_hooks:
        pack_node(node, outs)
    return node


def _write_out(op, out_t, res, tensors):
    if _state.enabled and (needs_grad_any(tensors) or out_t._requires_grad):
        raise RuntimeError(f"{op.name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if isinstance(res, tuple):
        for o, r in zip(out_t, res):
            _copy_into_out(o, r)
        return out_t
    _copy_into_out(out_t, res)
    return out_t


def _copy_into_out(o, r):
    src, dst = NP2DT[r._data.dtype], NP2DT[o._data.dtype]
    if not _dtype.can_cast(src, dst):
        raise RuntimeError(f"result type {src._legacy} can't be cast to the desired output type "
                           f"{dst._legacy}")
    if o._data.shape != r._data.shape:
        if o._data.size:
            import warnings
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(o._data.shape)}, which does not match the required output shape "
                          f"{list(r._data.shape)}. This behavior is deprecated, and in a future PyTorch "
                          "release outputs will not be resized unless they have zero elements. You can "
                          "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                          "t.resize_(0).", UserWarning, stacklevel=4)
        o._data = r._data.astype(o._data.dtype, copy=True)
    else:
        o._data[...] = r._data
    bump(o)


# ---------------------------------------------------------------------------------------------- in-place

def check_inplace(t):
    """torch's checks before writing into ``t`` in place under grad mode."""
    if _state.enabled and t._requires_grad and t._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if _state.enabled and base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def check_overlap(a):
    if a.size > 1 and 0 in a.strides:
        for n, s in zip(a.shape, a.strides):
            if s == 0 and n > 1:
                raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                                   "refers to a single memory location. Please clone() the tensor before "
                                   "performing the operation.")


def legacy_name(dt):
    return dt._legacy


def call_inplace(op, self, args, kwargs):
    if tf_hook is not None:
        r = tf_hook(op, (self,) + tuple(args), kwargs, inplace=True)
        if r is not _MISS:
            return r
    ins, rest = _split(op, (self,) + args)
    check_inplace(self)
    tensors = _check_inputs(op, ins)
    if op.promote != NONE:
        dt = compute_dtype(op, ins)
        res_dt = _dtype.bool if op.promote == ALWAYS_BOOL else dt
        if not _dtype.can_cast(res_dt, self.dtype):
            raise RuntimeError(f"result type {legacy_name(res_dt)} can't be cast to the desired output "
                               f"type {legacy_name(self.dtype)}")
    grad = _state.enabled and op.bwd is not None and needs_grad_any(tensors)
    check_overlap(self._data)
    if not grad:
        _, r, _ = _forward(op, ins, rest, kwargs)
        _assign(self, r)
        return self
    # an op that does not save its input for the backward never reads it again: no copy needed
    return inplace_with_grad(self, lambda s: call(op, (s,) + tuple(ins[1:]) + tuple(rest), dict(kwargs)),
                             copy=0 in op.save)


def _assign(self, r):
    d = self._data
    if r.dtype is not d.dtype and (float8.is_float8(d.dtype) or float8.is_float8(r.dtype)):
        r = float8.convert(r, d.dtype)
    if r.shape != d.shape:
        try:
            np.broadcast_shapes(r.shape, d.shape)
        except ValueError:
            broadcast_error([d.shape, r.shape])
        if np.broadcast_shapes(r.shape, d.shape) != d.shape:
            raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(r.shape, d.shape))}")
    if d.ndim == 0 and type(d) is np.ndarray:
        d[()] = r
    else:
        _copyto(d, r)
    bump(self)


def _copyto(d, r):
    if type(d) is np.ndarray:
        np.copyto(d, r, casting="unsafe")
    else:
        d[...] = r


def inplace_with_grad(self, fn, copy=True):
    """Apply out-of-place ``fn`` and write its result into ``self`` in place, rewiring autograd.

    ``self`` keeps its memory (views and NumPy arrays sharing it see the new values); its graph is
    replaced by the out-of-place result's, and when ``self`` is a view, its base's graph gets a
    CopySlices node so gradients flow through the base as in torch.
    """
    base = self._base
    if base is None:
        snap = self._snapshot(copy)
        res = fn(snap)
        _assign(self, res._data)
        self._grad_fn = res._grad_fn
        self._output_nr = res._output_nr
        self._requires_grad = res._requires_grad
        return self
    from .views import check_view_inplace, copy_slices
    check_view_inplace(self)
    current = self._regenerate_view()
    res = fn(current._snapshot(copy))
    _assign(self, res._data)
    copy_slices(base, self, res)
    return self
