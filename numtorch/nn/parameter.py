"""nn.Parameter and nn.Buffer: tensors that a Module registers as its state."""
import sys

from .._ops.creation import _AUTOGRAD_KEYS
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "UninitializedTensorMixin"]

_new = object.__new__


def _empty():
    from .._ops.creation import empty
    return empty(0)


class _ParameterMeta(type):
    # A plain tensor flagged ``_is_param`` (as some tensor subclasses do in torch) is a Parameter too.
    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and instance.__dict__.get("_is_param", False):
            return True
        return super().__instancecheck__(instance)


def _alias(cls, data, requires_grad):
    """A ``cls`` object sharing ``data``'s array and version counter, a leaf of the graph."""
    if not isinstance(data, Tensor):
        raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
    p = _new(cls)
    p._data = data._data
    vc = data._vc
    if vc is None:
        vc = data._vc = [0]
    p._vc = vc
    if requires_grad:
        p.requires_grad_(True)
    return p


def _rebuild_parameter(data, requires_grad, extra):
    p = _alias(Parameter, data, requires_grad)
    p.__dict__.update(extra)
    return p


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A kind of Tensor that is to be considered a module parameter."""

    __module__ = "numtorch.nn.parameter"

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        return _alias(cls, data, requires_grad)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __reduce_ex__(self, proto):
        t = Tensor._wrap(self._data)
        extra = {k: v for k, v in self.__dict__.items() if k not in _AUTOGRAD_KEYS}
        return (_rebuild_parameter, (t, self.requires_grad, extra))


class _BufferMeta(type):
    # nn.Buffer(t) returns a plain tensor flagged ``_is_buffer``; isinstance recognises the flag.
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.__dict__.get("_is_buffer", False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A kind of Tensor that should not be considered a model parameter (e.g. a running mean)."""

    __module__ = "numtorch.nn.parameter"

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach()
        t.requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


# Methods an uninitialized tensor may still run (casts and moves keep a lazy module convertible).
_ALLOWED = frozenset(("size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
                      "short", "int", "long", "cuda", "cpu", "to", "get_device"))
_get = object.__getattribute__


def _use_error(obj, what):
    return ValueError(
        f"Attempted to use an uninitialized parameter in {what}. This error happens when you are using a "
        f"`LazyModule` or explicitly manipulating `torch.nn.parameter.{type(obj).__name__}` objects. When "
        "using LazyModules Call `forward` with a dummy batch to initialize the parameters before calling "
        "torch functions")


def _caller_op():
    # Only reached on the error path: name the op whose machinery touched the missing data.
    f = sys._getframe(2)
    first = f.f_code.co_name
    for _ in range(6):
        if f is None:
            break
        op = f.f_locals.get("op")
        if op is not None and hasattr(op, "name"):
            return f"<method '{op.name}' of 'numtorch.Tensor' objects>"
        f = f.f_back
    return f"<function '{first}'>"


class _Open:
    """Lets an allowed attribute read the (empty) array while it runs."""

    __slots__ = ("d",)

    def __init__(self, obj):
        self.d = _get(obj, "__dict__")

    def __enter__(self):
        self.d["_uninit_open"] = self.d.get("_uninit_open", 0) + 1

    def __exit__(self, *exc):
        n = self.d.pop("_uninit_open") - 1
        if n:
            self.d["_uninit_open"] = n


class UninitializedTensorMixin:
    """Behaviour shared by tensors whose shape is not known yet: any use but a cast raises."""

    def __getattribute__(self, name):
        d = _get(self, "__dict__")
        if d.get("_uninit_open"):
            return _get(self, name)
        if name == "_data":
            raise _use_error(self, _caller_op())
        if name.startswith("_") or name in d:
            return _get(self, name)
        if name == "shape":
            raise RuntimeError(
                "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
                "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
                "one. Call `forward` to initialize the parameters before accessing their attributes.")
        if name == "share_memory_":
            raise RuntimeError(
                "Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
                "the parameters before calling `module.share_memory()`.")
        attr = Tensor.__dict__.get(name)
        if attr is None or name in UninitializedTensorMixin.__dict__ or name in type(self).__dict__:
            attr = getattr(type(self), name, None)
            if attr is None or not isinstance(attr, property):
                return _get(self, name)
        if isinstance(attr, property):
            with _Open(self):
                return self._same_kind(_get(self, name))
        if name in _ALLOWED:
            method = _get(self, name)

            def allowed(*args, **kwargs):
                with _Open(self):
                    return self._same_kind(method(*args, **kwargs))
            return allowed
        if callable(attr):
            raise _use_error(self, f"<method '{name}' of 'numtorch.Tensor' objects>")
        return _get(self, name)

    def _same_kind(self, out):
        # A buffer's casts stay uninitialized (torch re-wraps results as the subclass); a parameter's do not.
        cls = type(self)
        if not cls._rewrap or not isinstance(out, Tensor) or isinstance(out, cls):
            return out
        t = _new(cls)
        t._data = out._data
        # The graph and version counter come along, as as_subclass keeps them.
        t.__dict__.update({k: v for k, v in out.__dict__.items() if k in _AUTOGRAD_KEYS})
        return t

    def materialize(self, shape, device=None, dtype=None):
        """Create a tensor of ``shape`` with this one's device and dtype (unless given), and become it."""
        from .._ops.creation import empty
        with _Open(self):
            if device is None:
                device = self.device
            if dtype is None:
                dtype = self.dtype
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __str__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))


def _uninit(cls, requires_grad, device, dtype):
    from .._ops.creation import empty
    t = _new(cls)
    with _Open(t):
        base = empty(0, device=device, dtype=dtype)
        t._data = base._data
        t._vc = [0]
        if requires_grad:
            t.requires_grad_(True)
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (used by lazy modules)."""

    __module__ = "numtorch.nn.parameter"
    cls_to_become = Parameter
    _rewrap = False

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _uninit(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        # Everything happens in __new__; this only keeps Tensor's constructor from running again.
        super(Tensor, self).__init__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (used by lazy modules)."""

    __module__ = "numtorch.nn.parameter"
    cls_to_become = Tensor
    _rewrap = True

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _uninit(cls, requires_grad, device, dtype)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        # Everything happens in __new__; this only keeps Tensor's constructor from running again.
        super(Tensor, self).__init__()


def is_lazy(param):
    """Whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
