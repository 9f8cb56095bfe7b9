"""Python operators on Tensor (``+ - * / // % ** @``, comparisons, ``& | ^ ~``), with a fast path.

The fast path handles the common case that costs most in Python overhead: two tensors of the same
float dtype (or a tensor and a Python number) when no gradient is recorded. It calls the NumPy ufunc
directly; anything else goes through the registry.
"""
import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import FUNCTIONS

_state = grad_mode.state
_new = object.__new__
_ndarray = np.ndarray
# Kinds for which the ufunc's result dtype equals torch's for same-dtype operands.
_FLOAT_KINDS = "fc"


def _fast_binary(ufunc, slow, kinds=_FLOAT_KINDS):
    def method(self, other):
        a = self._data
        if other.__class__ is Tensor:
            b = other._data
            if a.dtype is b.dtype and a.dtype.kind in kinds and not (
                    (self._requires_grad or other._requires_grad) and _state.enabled):
                try:
                    r = ufunc(a, b)
                except ValueError:
                    return slow(self, other)
                if r.__class__ is _ndarray:
                    t = _new(Tensor)
                    t._data = r
                    return t
        elif (other.__class__ is float or other.__class__ is int) and a.dtype.kind in "fc" and not (
                self._requires_grad and _state.enabled):
            r = ufunc(a, other)
            if r.__class__ is _ndarray:
                t = _new(Tensor)
                t._data = r
                return t
        return slow(self, other)
    return method


def _reflected(name):
    fn = FUNCTIONS[name]

    def method(self, other):
        if isinstance(other, Tensor):
            return fn(other, self)
        from .. import _dtype
        dt = _dtype.result_type_of((self, other))
        return fn(_scalar_like(other, self, dt), self)
    return method


def _scalar_like(v, t, dt):
    from .creation import scalar_tensor
    return scalar_tensor(v, dtype=dt, device=t.device)


def _not_impl_guard(fn):
    def method(self, other):
        if not isinstance(other, (Tensor, int, float, complex, bool, np.generic)):
            return NotImplemented
        return fn(self, other)
    return method


def _install():
    F = FUNCTIONS
    Tensor.__add__ = Tensor.__radd__ = _not_impl_guard(_fast_binary(np.add, F["add"], "fcb"))
    Tensor.__sub__ = _not_impl_guard(_fast_binary(np.subtract, F["sub"]))
    Tensor.__rsub__ = _not_impl_guard(_rsub)
    Tensor.__mul__ = Tensor.__rmul__ = _not_impl_guard(_fast_binary(np.multiply, F["mul"], "fcb"))
    Tensor.__truediv__ = _not_impl_guard(_fast_binary(np.true_divide, F["div"]))
    Tensor.__rtruediv__ = _not_impl_guard(_reflected("div"))
    Tensor.__floordiv__ = _not_impl_guard(F["floor_divide"])
    Tensor.__rfloordiv__ = _not_impl_guard(_reflected("floor_divide"))
    Tensor.__mod__ = _not_impl_guard(F["remainder"])
    Tensor.__rmod__ = _not_impl_guard(_reflected("remainder"))
    Tensor.__pow__ = _not_impl_guard(F["pow"])
    Tensor.__rpow__ = _not_impl_guard(_rpow)
    Tensor.__matmul__ = _matmul_guard(F["matmul"])
    Tensor.__rmatmul__ = _matmul_guard(lambda a, b: F["matmul"](b, a))
    Tensor.__neg__ = F["neg"]
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = F["abs"]
    Tensor.__invert__ = _invert
    for op, name in (("eq", "eq"), ("ne", "ne"), ("lt", "lt"), ("le", "le"), ("gt", "gt"), ("ge", "ge")):
        setattr(Tensor, f"__{op}__", _cmp_guard(F[name]))
    for op, name in (("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                     ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift")):
        setattr(Tensor, f"__{op}__", _not_impl_guard(F[name]))
        setattr(Tensor, f"__r{op}__", _not_impl_guard(_reflected(name)))
        setattr(Tensor, f"__i{op}__", getattr(Tensor, name + "_"))
    Tensor.__iadd__ = lambda self, other: self.add_(other)
    Tensor.__isub__ = lambda self, other: self.sub_(other)
    Tensor.__imul__ = lambda self, other: self.mul_(other)
    Tensor.__itruediv__ = lambda self, other: self.div_(other)
    Tensor.__ifloordiv__ = lambda self, other: self.floor_divide_(other)
    Tensor.__imod__ = lambda self, other: self.remainder_(other)
    Tensor.__ipow__ = lambda self, other: self.pow_(other)
    Tensor.__imatmul__ = _imatmul


def _cmp_guard(fn):
    def method(self, other):
        if not isinstance(other, (Tensor, int, float, complex, bool, np.generic)):
            return NotImplemented if other is not None else (False if fn.__name__ == "eq" else True)
        return fn(self, other)
    return method


def _matmul_guard(fn):
    def method(self, other):
        if not isinstance(other, Tensor):
            return NotImplemented
        return fn(self, other)
    return method


def _imatmul(self, other):
    res = FUNCTIONS["matmul"](self, other)
    if res.shape != self.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{list(res.shape)}")
    return self.copy_(res)


def _rsub(self, other):
    if isinstance(other, Tensor):
        return FUNCTIONS["sub"](other, self)
    return FUNCTIONS["rsub"](self, other)


def _rpow(self, other):
    from .. import _dtype
    if isinstance(other, Tensor):
        return FUNCTIONS["pow"](other, self)
    dt = _dtype.result_type_of((self, other))
    return FUNCTIONS["pow"](_scalar_like(other, self, dt), self)


def _invert(self):
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return FUNCTIONS["bitwise_not"](self)


def _register_rsub():
    from ._registry import DEFAULT, register
    register("rsub", lambda xp, a, b, alpha=1: xp.subtract(b, a if alpha == 1 else xp.multiply(a, alpha)),
             lambda g, a, b, out, alpha=1: (-g if alpha == 1 else -g * alpha, None), nin=2, promote=DEFAULT,
             scalars=True, node="RsubBackward1", method=False)


_register_rsub()
_install()
