"""Building and taking apart numbers: ``complex``, ``polar``, ``conj_physical``, ``frexp``,
``is_nonzero``, ``is_same_size``, and ``resolve_conj``/``resolve_neg`` (numtorch keeps no lazy conjugate
or negative bits, so these return their input)."""
import numpy as np

from .. import _dtype

from .._tensor import Tensor
from ._registry import FUNCTIONS, call, register, tensor_method
from . import limited
from .pointwise import public

_FLOATS = (np.float16, np.float32, np.float64)


def _complex(xp, re, im):
    out = xp.empty(np.broadcast_shapes(re.shape, im.shape), np.result_type(re.dtype, np.complex64))
    out.real, out.imag = re, im
    return out


def _complex_backward(g, re, im, out):
    return g.real, g.imag


_COMPLEX = register("complex", _complex, _complex_backward, nin=2, method=False, function=False)


def _check_parts(real, imag, names):
    for t, pos in ((real, 1), (imag, 2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"complex(): argument '{names[pos - 1]}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype._legacy} but got scalar type "
                           f"{imag.dtype._legacy} for second argument")
    if real._data.dtype.type not in _FLOATS:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype._legacy} and {imag.dtype._legacy}")


def complex(real, imag, *, out=None):
    """Constructs a complex tensor with real part ``real`` and imaginary part ``imag``."""
    _check_parts(real, imag, ("real", "imag"))
    return call(_COMPLEX, (real, imag), {} if out is None else {"out": out})


def _polar(xp, r, theta):
    return _complex(xp, r * xp.cos(theta), r * xp.sin(theta))


def _polar_backward(g, r, theta, out):
    # d/dr = e^{i theta}, d/dtheta = i * out: the real parts of conj(derivative) * grad.
    unit = out / r
    return (g * unit.conj()).real, (g * (out * 1j).conj()).real


_POLAR = register("polar", _polar, _polar_backward, nin=2, save=(0, 1), save_out=True, method=False,
                  function=False)


def polar(abs, angle, *, out=None):
    """Constructs a complex tensor from absolute values ``abs`` and angles ``angle``."""
    _check_parts(abs, angle, ("abs", "angle"))
    return call(_POLAR, (abs, angle), {} if out is None else {"out": out})


def _conj_physical(xp, a):
    return xp.conj(a) if a.dtype.kind == "c" else a.copy()


register("conj_physical", _conj_physical, lambda g, a, out: g.conj(), inplace=True)


def resolve_conj(input):
    """Returns ``input``: numtorch materialises conjugation eagerly, so no conjugate bit is pending."""
    return input


def resolve_neg(input):
    """Returns ``input``: numtorch materialises negation eagerly, so no negative bit is pending."""
    return input


def is_conj(input):
    """Whether ``input`` has its conjugate bit set (never, in numtorch)."""
    return False


def is_neg(self):
    """Whether this tensor has its negative bit set (never, in numtorch)."""
    return False


def frexp(input, *, out=None):
    """Decomposes ``input`` into mantissa in (-1, 1) and an int32 exponent: input = mantissa * 2**exponent."""
    from .sorting import return_type
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    limited.check("frexp_cpu", input.dtype)
    data = input._data
    m, e = input._xp.frexp(data.astype(np.float32) if data.dtype == _dtype.bfloat16._np else data)
    res = return_type("frexp", ("mantissa", "exponent"))(
        (Tensor._wrap(m.astype(data.dtype)), Tensor._wrap(e.astype(np.int32))))
    if out is not None:
        for o, r in zip(out, res):
            o.resize_(r.shape).copy_(r)
        return out
    return res


def is_nonzero(input):
    """Whether the single-element tensor ``input`` is non-zero."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0] != 0)


def is_same_size(self, other):
    """Whether this tensor has the same shape as ``other``."""
    return tuple(self.shape) == tuple(other.shape)


for _fn in (complex, polar):
    public(_fn, method=False)
for _fn in (resolve_conj, resolve_neg, is_conj, frexp, is_nonzero, is_same_size):
    public(_fn)
tensor_method(is_neg)
FUNCTIONS["is_neg"] = is_neg
# torch.is_signed(t) is the Tensor method under another entry point.
FUNCTIONS["is_signed"] = Tensor.is_signed

