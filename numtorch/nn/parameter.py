"""nn.Parameter and nn.Buffer: tensors that a Module registers as its state."""
from .._ops.creation import _AUTOGRAD_KEYS
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]

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


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (used by lazy modules)."""

    __module__ = "numtorch.nn.parameter"
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._ops.creation import empty
        return _alias(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        """Create a Parameter with the given shape, device and dtype, and become a Parameter."""
        from .._ops.creation import empty
        if device is None:
            device = self.device
        if dtype is None:
            dtype = self.dtype
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (used by lazy modules)."""

    __module__ = "numtorch.nn.parameter"
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .._ops.creation import empty
        t = _alias(cls, empty(0, device=device, dtype=dtype), requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass

    def materialize(self, shape, device=None, dtype=None):
        """Create a Tensor with the given shape, device and dtype."""
        from .._ops.creation import empty
        if device is None:
            device = self.device
        if dtype is None:
            dtype = self.dtype
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedBuffer>"


def is_lazy(param):
    """Whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
