"""Python operators on Tensor (``+ - * / // % ** @``, comparisons, ``& | ^ ~ << >>``), with a fast path.

The fast path handles the common case that costs most in Python overhead: two tensors of the same
float dtype (or a float tensor and a Python number) when no gradient is recorded. It calls the NumPy
ufunc directly; anything else goes through the ops.
"""
import numpy as np

from .._tensor import Tensor, uses_new
from ..autograd import grad_mode
from ._registry import FUNCTIONS, OPS, call
from .layouts import elementwise_result

_state = grad_mode.state
uses_new(globals())  # binds _new
_ndarray = np.ndarray
_NUMBERS = (Tensor, int, float, complex, bool, np.generic)
# Type chars (half, float, double and their complex) for which the ufunc's result dtype equals torch's for
# same-dtype operands; chars, not kinds: ml_dtypes' float8_e5m2 has kind "f" but torch has no kernels for it.
_FLOAT_KINDS = "efdFD"


def _fast_binary(ufunc, slow, kinds=_FLOAT_KINDS, op=None):
    """``tensor <op> other``: the ufunc directly when torch's result is NumPy's, else ``slow``.

    With ``op`` given, same-dtype float tensors that record a gradient skip the public wrapper (its
    argument checks cannot fail for them) and go straight to the registry.
    """
    def method(self, other):
        a = self._data
        cls = other.__class__
        if cls is Tensor:
            b = other._data
            if a.dtype is b.dtype and a.dtype.char in kinds:
                if (self._requires_grad or other._requires_grad) and _state.enabled:
                    if op is not None:
                        return call(op, (self, other), {})
                    return slow(self, other)
                try:
                    r = ufunc(a, b)
                except ValueError:
                    return slow(self, other)
                if r.__class__ is _ndarray:
                    if a.base is not None and r.ndim > 1 and r.strides != a.strides and r.shape == a.shape:
                        # a strided first operand is a view (arrays owning their data are NumPy results and
                        # fresh allocations, row-major in practice): NumPy lays out mixed-layout results its
                        # own way, torch follows the operands
                        r = elementwise_result(np, r, (a, b))
                    t = _new(Tensor)
                    t._data = r
                    return t
        elif (cls is float or cls is int) and a.dtype.char in "fdFD" and not (
                self._requires_grad and _state.enabled):
            r = ufunc(a, other)
            if r.__class__ is _ndarray:
                t = _new(Tensor)
                t._data = r
                return t
        elif not isinstance(other, _NUMBERS):
            return NotImplemented
        return slow(self, other)
    return method


def _fast_reflected(fast, slow):
    """``number <op> tensor`` for a float tensor outside autograd: ``fast(array, number)`` directly."""
    def method(self, other):
        cls = other.__class__
        a = self._data
        if (cls is float or cls is int) and a.dtype.char in "fdFD" and not (self._requires_grad and _state.enabled):
            r = fast(a, other)
            if r.__class__ is _ndarray:
                t = _new(Tensor)
                t._data = r
                return t
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return slow(self, other)
    return method


def _guard(fn):
    def method(self, other):
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return fn(self, other)
    return method


def _reflected_scalar(op_name, fn_name):
    """``number <op> tensor``: torch's Scalar overload with the tensor second."""
    def method(self, other):
        if isinstance(other, Tensor):
            return FUNCTIONS[fn_name](other, self)
        return call(OPS[op_name], (self, other), {})
    return method


def _reflected(fn_name):
    def method(self, other):
        return FUNCTIONS[fn_name](other, self)
    return method


def _rsub(self, other):
    if isinstance(other, Tensor):
        return FUNCTIONS["sub"](other, self)
    return FUNCTIONS["rsub"](self, other)


def _rtruediv(self, other):
    if isinstance(other, Tensor):
        return FUNCTIONS["div"](other, self)
    # torch computes number / tensor as reciprocal(tensor) * number.
    return self.reciprocal() * other


def _rpow(self, other):
    return FUNCTIONS["pow"](other, self)


def _invert(self):
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return FUNCTIONS["bitwise_not"](self)


def _cmp_guard(fn, is_eq):
    def method(self, other):
        if other is None:
            return not is_eq
        if not isinstance(other, _NUMBERS):
            return NotImplemented
        return fn(self, other)
    return method


def _matmul_guard(fn):
    def method(self, other):
        if not isinstance(other, Tensor):
            return NotImplemented
        return fn(self, other)
    return method


def _install_arithmetic(F):
    Tensor.__add__ = Tensor.__radd__ = _fast_binary(np.add, F["add"], _FLOAT_KINDS + "?", OPS["add"])
    Tensor.__sub__ = _fast_binary(np.subtract, F["sub"], _FLOAT_KINDS, OPS["sub"])
    Tensor.__rsub__ = _fast_reflected(lambda a, v: np.subtract(v, a), _rsub)
    Tensor.__mul__ = Tensor.__rmul__ = _fast_binary(np.multiply, F["mul"], _FLOAT_KINDS + "?", OPS["mul"])
    Tensor.__truediv__ = _fast_binary(np.true_divide, F["div"], _FLOAT_KINDS, OPS["div"])
    # torch computes number / tensor as reciprocal(tensor) * number: two roundings, kept here.
    Tensor.__rtruediv__ = _fast_reflected(lambda a, v: np.multiply(np.reciprocal(a), v), _rtruediv)
    Tensor.__floordiv__ = _guard(F["floor_divide"])
    Tensor.__rfloordiv__ = _guard(_reflected_scalar("_rfloor_divide_scalar", "floor_divide"))
    Tensor.__mod__ = _guard(F["remainder"])
    Tensor.__rmod__ = _guard(_reflected_scalar("_rremainder_scalar", "remainder"))
    Tensor.__pow__ = _guard(F["pow"])
    Tensor.__rpow__ = _guard(_rpow)
    Tensor.__matmul__ = _matmul_guard(F["matmul"])
    Tensor.__rmatmul__ = _matmul_guard(_reflected("matmul"))
    Tensor.__neg__ = F["neg"]
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = F["abs"]
    Tensor.__invert__ = _invert


def _install_inplace():
    Tensor.__iadd__ = lambda self, other: self.add_(other)
    Tensor.__isub__ = lambda self, other: self.sub_(other)
    Tensor.__imul__ = lambda self, other: self.mul_(other)
    Tensor.__itruediv__ = lambda self, other: self.div_(other)
    Tensor.__ifloordiv__ = lambda self, other: self.floor_divide_(other)
    Tensor.__imod__ = lambda self, other: self.remainder_(other)
    Tensor.__ipow__ = lambda self, other: self.pow_(other)
    # torch has no in-place matmul: ``a @= b`` rebinds ``a`` to a new tensor.
    Tensor.__imatmul__ = Tensor.__matmul__


def _install():
    F = FUNCTIONS
    _install_arithmetic(F)
    _install_inplace()
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        setattr(Tensor, f"__{name}__", _cmp_guard(F[name], name == "eq"))
    for op, name in (("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                     ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift")):
        setattr(Tensor, f"__{op}__", _guard(F[name]))
        setattr(Tensor, f"__r{op}__", _guard(_reflected(name)))
        setattr(Tensor, f"__i{op}__", getattr(Tensor, name + "_"))


_install()
