"""Tensor.__torch_function__: the default implementation and the dispatch to subclasses that override it.

The registry consults ``dispatch`` only once some Tensor subclass overrides ``__torch_function__``, so
programs that never define one pay nothing on the op path.
"""
from ._ops import _registry
from ._ops._registry import FUNCTIONS
from ._ops.operators import _rsub, _rtruediv
from ._tensor import Tensor

_off = [0]  # > 0 while a default __torch_function__ runs its func: no nested dispatch
_MISS = _registry._MISS
_overrides = {}  # type -> whether it takes part in dispatch


def _convert(ret, cls):
    if cls is Tensor:
        return ret
    if isinstance(ret, Tensor) and not isinstance(ret, cls):
        return ret.as_subclass(cls)
    if isinstance(ret, (tuple, list)) and type(ret) in (tuple, list):
        return type(ret)(_convert(r, cls) for r in ret)
    return ret


def _default_torch_function(cls, func, types, args=(), kwargs=None):
    """Run ``func`` without dispatch and return its tensors as instances of ``cls``."""
    if kwargs is None:
        kwargs = {}
    if not all(issubclass(cls, t) for t in types):
        return NotImplemented
    _off[0] += 1
    try:
        ret = func(*args, **kwargs)
    finally:
        _off[0] -= 1
    return _convert(ret, cls)


def _disabled_torch_function_impl(cls, func, types, args=(), kwargs=None):
    """Run ``func`` without dispatch and without re-wrapping its results."""
    if kwargs is None:
        kwargs = {}
    _off[0] += 1
    try:
        return func(*args, **kwargs)
    finally:
        _off[0] -= 1


_DEFAULTS = (_default_torch_function, _disabled_torch_function_impl)


def _takes_part(tp):
    hit = _overrides.get(tp)
    if hit is None:
        impl = getattr(tp.__torch_function__, "__func__", None)
        hit = _overrides[tp] = impl not in _DEFAULTS
    return hit


def _collect(obj, found):
    if isinstance(obj, Tensor):
        tp = type(obj)
        if tp is not Tensor and tp not in found and _takes_part(tp):
            found.append(tp)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            if isinstance(o, Tensor):
                _collect(o, found)


_funcs = {}


def _func_of(op, inplace):
    """The public callable for ``op`` (a Tensor method for in-place calls), else one that runs the op."""
    key = (op.name, inplace)
    fn = _funcs.get(key)
    if fn is None:
        fn = getattr(Tensor, op.name + "_", None) if inplace else FUNCTIONS.get(op.name)
        if fn is None:
            def fn(*args, **kwargs):
                if inplace:
                    return _registry.call_inplace(op, args[0], args[1:], kwargs)
                return _registry.call(op, args, kwargs)
            fn.__name__ = fn.__qualname__ = op.name
        _funcs[key] = fn
    return fn


def dispatch(op, args, kwargs, inplace=False):
    """Hand a registry op whose operands include an overriding subclass to that subclass's hook."""
    if _off[0]:
        return _MISS
    found = []
    for a in args:
        _collect(a, found)
    if kwargs:
        for a in kwargs.values():
            _collect(a, found)
    if not found:
        return _MISS
    # Subclasses go before their bases; otherwise operand order decides.
    ordered = [t for t in found if not any(o is not t and issubclass(o, t) for o in found)]
    ordered += [t for t in found if t not in ordered]
    func = _func_of(op, inplace)
    types = tuple(ordered)
    for tp in ordered:
        ret = tp.__torch_function__(func, types, args, dict(kwargs) if kwargs else {})
        if ret is not NotImplemented:
            return ret
    raise TypeError(f"no implementation found for 'torch.{op.name}' on types that implement "
                    f"__torch_function__: {list(types)}")


# The Tensor fast paths for ``self <op> other`` skip the registry when ``self`` is the subclass; these
# route through the public functions instead, so the dispatch sees them.
_DUNDERS = {
    "__add__": lambda s, o: FUNCTIONS["add"](s, o), "__radd__": lambda s, o: FUNCTIONS["add"](s, o),
    "__sub__": lambda s, o: FUNCTIONS["sub"](s, o), "__rsub__": _rsub,
    "__mul__": lambda s, o: FUNCTIONS["mul"](s, o), "__rmul__": lambda s, o: FUNCTIONS["mul"](s, o),
    "__truediv__": lambda s, o: FUNCTIONS["div"](s, o), "__rtruediv__": _rtruediv,
}


def _init_subclass(cls, **kwargs):
    super(Tensor, cls).__init_subclass__(**kwargs)
    _overrides.clear()
    if _takes_part(cls):
        _registry.tf_hook = dispatch
        for name, fn in _DUNDERS.items():
            if name not in cls.__dict__:
                setattr(cls, name, fn)


Tensor.__torch_function__ = classmethod(_default_torch_function)
Tensor.__init_subclass__ = classmethod(_init_subclass)
