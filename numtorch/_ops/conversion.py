"""dtype/device conversions (to, type, float, ...), copy_/fill_/zero_, new_* constructors, conj/real/imag."""
import warnings

import numpy as np

from .. import _dtype
from .._device import CPU, to_device, xp_for
from .._dtype import NP2DT, to_dtype
from .._tensor import Tensor, bump
from ..autograd import grad_mode
from . import creation, float8
from .fromdata import cast, fill_value, warn_complex_to_real
from .layouts import grad_copy, like_format, suggest_format
from ._registry import FUNCTIONS, call, check_inplace, check_overlap, inplace_with_grad, register, tensor_method


def _to_copy(xp, a, dtype=None, device=None, memory_format=None):
    src = a
    if device is not None:
        target = xp_for(device)
        if target is not xp:
            a = target.asarray(a) if target is not np else a.get()
            xp = target
    if dtype is not None and a.dtype != dtype._np:
        # torch rounds double -> half through float, and keeps the real part of complex values
        a = cast(a, dtype._np)
    elif a is src:
        a = a.copy(order="K")
    if memory_format is None and _kept_layout(a, src):
        return a
    # the copy takes torch's strides: the memory format's, or (preserve) the source's when dense
    out = like_format(xp, src if type(src) is type(a) else a, memory_format, a.dtype)
    if out.strides == a.strides:
        return a
    out[...] = a
    return out


def _kept_layout(a, src):
    """Whether NumPy's copy ``a`` of ``src`` (order K) surely has torch's preserve-format strides."""
    if not src.ndim:
        return True
    return a.strides == src.strides if a.itemsize == src.itemsize else _plain(a) and _plain(src)


def _plain(a):
    # C-contiguous with no size-1 dims, whose strides NumPy may number differently from torch
    return a.flags.c_contiguous and 1 not in a.shape


def _to_copy_backward(grad, a, out, dtype=None, device=None, memory_format=None):
    g = grad
    if g.dtype is not a.dtype:
        g = g.real.to(a.dtype) if g.dtype.is_complex and not a.dtype.is_complex else g.to(a.dtype)
    if g.device != a.device:
        g = g.to(a.device)
    return g


_TO = register("_to_copy", _to_copy, _to_copy_backward, node="ToCopyBackward0", method=False, function=False)


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    fmt = kwargs.pop("memory_format", None)
    if fmt is not None and not isinstance(fmt, _format_type()):
        raise TypeError(f"to() received an invalid combination of arguments - got (memory_format="
                        f"{type(fmt).__name__}, ), but expected one of: (torch.memory_format memory_format)")
    flags = 0
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, bool):
            # positional (non_blocking, copy) follow the device/dtype/tensor
            copy = a if flags == 1 else copy
            flags += 1
        elif isinstance(a, (str, int)) or a.__class__.__name__ == "device":
            device = a
        elif a is not None:
            dtype = to_dtype(a)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments - got unexpected keyword "
                        f"'{next(iter(kwargs))}'")
    return (to_dtype(dtype) if dtype is not None else None), to_device(device), copy, fmt


def _format_type():
    from .. import memory_format
    return memory_format


def to(self, *args, **kwargs):
    """Returns this tensor converted to a dtype, device and/or memory format (itself when nothing changes)."""
    dtype, device, copy, fmt = _parse_to(args, dict(kwargs))
    if device is not None and device.type == "cuda" and device.index is None:
        from .. import cuda
        device = to_device(f"cuda:{cuda.current_device()}")
    same_dt = dtype is None or dtype is self.dtype
    same_dev = device is None or device == self.device
    # torch aliases when the layout asked for is the one the strides suggest, even if not contiguous
    same_fmt = fmt is None or fmt.name == "preserve_format" or (
        fmt.name == (suggest_format(self.shape, self._data.strides) or "contiguous_format"))
    if same_dt and same_dev and same_fmt and not copy:
        return self
    if not same_dt and self.dtype.is_complex and not dtype.is_complex:
        warn_complex_to_real(2)
    kw = {} if fmt is None else {"memory_format": fmt}
    return call(_TO, (self, None if same_dt else dtype, None if same_dev else device), kw)


Tensor.to = to


def _converter(name, dt):
    def method(self, *, memory_format=None):
        return to(self, dt) if memory_format is None else to(self, dt, memory_format=memory_format)
    method.__name__ = name
    method.__doc__ = f"``self.to({dt})``."
    setattr(Tensor, name, method)


for _name, _dt in (("float", _dtype.float32), ("double", _dtype.float64), ("half", _dtype.float16),
                   ("bfloat16", _dtype.bfloat16), ("int", _dtype.int32), ("long", _dtype.int64),
                   ("short", _dtype.int16), ("char", _dtype.int8), ("byte", _dtype.uint8),
                   ("bool", _dtype.bool), ("cfloat", _dtype.complex64), ("cdouble", _dtype.complex128)):
    _converter(_name, _dt)


@tensor_method
def cpu(self, memory_format=None):
    """A copy of this tensor in CPU memory (itself if already there)."""
    return to(self, CPU, memory_format=memory_format)


@tensor_method
def cuda(self, device=None, non_blocking=False, memory_format=None):
    """A copy of this tensor in CUDA memory."""
    from .. import cuda as _cuda
    _cuda._lazy_init()
    dev = to_device(device if device is not None else f"cuda:{_cuda.current_device()}")
    if isinstance(device, int):
        dev = to_device(f"cuda:{device}")
    return to(self, dev, memory_format=memory_format)


@tensor_method
def type_as(self, other):
    """This tensor cast to ``other``'s type."""
    return to(self, other.dtype)


def legacy_type_name(t):
    prefix = "torch.cuda." if t.is_cuda else "torch."
    return f"{prefix}{t.dtype._legacy}Tensor"


def _type(self, dtype=None, non_blocking=False, **kwargs):
    """The type name (``'torch.FloatTensor'``) or, given a type, this tensor cast to it."""
    if dtype is None:
        return legacy_type_name(self)
    from .. import _legacy
    dt, dev = _legacy.parse_type(dtype)
    if dev is not None and dev.type == "cuda" and dev != self.device:
        from .. import cuda as _cuda
        if not _cuda.is_available():
            raise RuntimeError("Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into "
                               "two shared libraries: a CPU library and a CUDA library; this error has occurred "
                               "because you are trying to use some CUDA functionality, but the CUDA library has "
                               "not been loaded by the dynamic linker for some reason.")
    out = to(self, dt)
    if dev is not None:
        out = to(out, dev)
    return out


# set by hand: a module-level function named ``type`` would shadow the builtin in this module
Tensor.type = _type


def view_dtype(self, dtype):
    """Reinterpret the bits as ``dtype`` (same element size, or last dim scaled)."""
    dt = to_dtype(dtype)
    a = self._data
    if dt.itemsize != a.itemsize:
        what = f"to view {NP2DT[a.dtype]._legacy} as {dt._legacy} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if a.strides[-1] != a.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {a.strides[-1] // a.itemsize}")
        if a.shape[-1] * a.itemsize % dt.itemsize:
            raise RuntimeError(f"self.size(-1) must be divisible by {dt.itemsize // a.itemsize} {what}, but got "
                               f"{a.shape[-1]}")
    out = Tensor._wrap(a.view(dt._np))
    from .._tensor import make_view
    make_view(out, self, None, (), {})
    return out


# ---------------------------------------------------------------------------------------- in-place fills

def _assign_value(self, src_arr):
    from ._registry import _assign
    _assign(self, src_arr)


@tensor_method
def copy_(self, src, non_blocking=False):
    """Copies ``src`` (broadcast, any dtype/device) into this tensor in place."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    check_inplace(self)
    check_overlap(self._data)
    if grad_mode.state.enabled and (src._requires_grad or self._requires_grad):
        def fn(s):
            return _COPY_FROM(s, src)
        return inplace_with_grad(self, fn)
    data = src._data
    if data.__class__ is not self._data.__class__:
        data = data.get() if type(self._data) is np.ndarray else xp_for(self.device).asarray(data)
    if data.shape != self._data.shape:
        try:
            np.broadcast_to(np.empty(data.shape, np.bool_), self._data.shape)
        except ValueError:
            raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must "
                               f"match the size of tensor b ({data.shape[-1] if data.ndim else 1}) at "
                               f"non-singleton dimension {max(self._data.ndim - 1, 0)}") from None
    if data.dtype.kind == "c" and self._data.dtype.kind != "c":
        warn_complex_to_real(2)
        data = data.real
    _assign_value(self, data)
    return self


def _copy_from(xp, a, src):
    if src.dtype != a.dtype:
        src = cast(src, a.dtype)
    if _plain(a):
        return xp.broadcast_to(src, a.shape).copy()
    # the copy keeps the destination's layout (torch writes into it)
    out = like_format(xp, a, None)
    out[...] = src
    return out


def _copy_from_backward(grad, a, src, out):
    return grad * 0, grad


_COPY = register("_copy_from", _copy_from, _copy_from_backward, nin=2, node="torch::autograd::CopyBackwards", method=False,
                 function=False)


def _COPY_FROM(s, src):
    return call(_COPY, (s, src), {})


def copy_into_new(src, leaf=None):
    """A fresh copy of ``src`` made by ``copy_`` into a new tensor, recorded as torch records it; with
    ``leaf``, laid out as torch lays out gradients accumulated into that leaf's ``.grad``."""
    if leaf is None:
        return call(_COPY, (creation.empty_like(src), src), {})
    return call(_COPY, (Tensor._wrap(grad_copy(src._xp, src._data, leaf._data, steal=False)), src), {})


def _fill(xp, a, value):
    return xp.full(a.shape, value, a.dtype)


_FILL = register("_fill", _fill, lambda g, a, out, v: g * 0, node="FillBackward2", method=False, function=False)


def _check_fill_value(value):
    if value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           "dimensions.")


def _fill_tensor(xp, a, value):
    _check_fill_value(value)
    return xp.broadcast_to(float8.astype(value, a.dtype), a.shape).copy()


_FILL_T = register("_fill_t", _fill_tensor, lambda g, a, v, out: (g * 0, g.sum()), nin=2, node="FillBackward3",
                   method=False, function=False)


@tensor_method
def fill_(self, value):
    """Fills this tensor with ``value`` in place."""
    check_inplace(self)
    check_overlap(self._data)
    if not isinstance(value, Tensor):
        value = fill_value(value, self.dtype, self._data.size > 1)
    if isinstance(value, Tensor):
        if grad_mode.state.enabled and (value._requires_grad or self._requires_grad):
            return inplace_with_grad(self, lambda s: call(_FILL_T, (s, value), {}))
        _check_fill_value(value._data)
        self._data[...] = float8.astype(value._data, self._data.dtype)
        bump(self)
        return self
    if grad_mode.state.enabled and self._requires_grad:
        return inplace_with_grad(self, lambda s: call(_FILL, (s, value), {}))
    self._data[...] = value
    bump(self)
    return self


@tensor_method
def zero_(self):
    """Fills this tensor with zeros in place."""
    return fill_(self, 0)


# ---------------------------------------------------------------------------------------- new_* constructors

def _new_kw(self, dtype, device):
    return (dtype if dtype is not None else self.dtype), (device if device is not None else self.device)


@tensor_method
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """A new tensor from ``data`` with this tensor's dtype and device by default."""
    dt, dev = _new_kw(self, dtype, device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        return data.detach().to(dtype=dt, device=dev, copy=True).requires_grad_(requires_grad)
    return creation.tensor(data, dtype=dt, device=dev, requires_grad=requires_grad)


@tensor_method
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
              **kw):
    """Zeros of ``size`` with this tensor's dtype and device by default."""
    dt, dev = _new_kw(self, dtype, device)
    return creation.zeros(*size, dtype=dt, device=dev, requires_grad=requires_grad, **kw)


@tensor_method
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
              **kw):
    """Ones of ``size`` with this tensor's dtype and device by default."""
    dt, dev = _new_kw(self, dtype, device)
    return creation.ones(*size, dtype=dt, device=dev, requires_grad=requires_grad, **kw)


@tensor_method
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
              **kw):
    """An uninitialised tensor of ``size`` with this tensor's dtype and device by default."""
    dt, dev = _new_kw(self, dtype, device)
    if "memory_format" in kw:
        raise TypeError("new_empty() got an unexpected keyword argument 'memory_format'")
    return creation.empty(*size, dtype=dt, device=dev, requires_grad=requires_grad, **kw)


@tensor_method
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """``size`` filled with ``fill_value``, with this tensor's dtype and device by default."""
    dt, dev = _new_kw(self, dtype, device)
    return creation.full(size, fill_value, dtype=dt, device=dev, requires_grad=requires_grad)


@tensor_method
def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                      pin_memory=False):
    dt, dev = _new_kw(self, dtype, device)
    return creation.empty_strided(size, stride, dtype=dt, device=dev, requires_grad=requires_grad)


@tensor_method
def new(self, *args, **kwargs):
    """Legacy: a new tensor of this tensor's type (empty, of a size, or from data)."""
    device = kwargs.pop("device", None)
    return creation.legacy_new(Tensor, self.dtype, args, device)


# ---------------------------------------------------------------------------------------- complex parts

def _conj(xp, a):
    return xp.conj(a) if a.dtype.kind == "c" else a


@tensor_method
def conj(self):
    """The complex conjugate (this tensor itself for real dtypes)."""
    if self._data.dtype.kind != "c":
        return self
    return call(_CONJ, (self,), {})


_CONJ = register("_conj", lambda xp, a: xp.conj(a), lambda g, a, out: g.conj(), node="ConjBackward0",
                 method=False, function=False)
FUNCTIONS["conj"] = conj


def _real(xp, a):
    return a.real


def _real_backward(grad, a, out):
    return grad


register("real", _real, _real_backward, view=True, node="RealBackward0", method=False)
register("imag", lambda xp, a: a.imag, lambda g, a, out: g * 1j, view=True, node="ImagBackward0",
         method=False)


def _prop(name, getter):
    setattr(Tensor, name, property(getter))


_prop("real", lambda self: self if not self.dtype.is_complex else FUNCTIONS["real"](self))
_prop("imag", lambda self: FUNCTIONS["imag"](self) if self.dtype.is_complex else _no_imag())


def _no_imag():
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def _T(self):
    nd = self.ndim
    if nd > 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                      "TensorShape.cpp:4314.)", UserWarning, stacklevel=2)
    return self.permute(tuple(range(nd - 1, -1, -1)))


def _mT(self):
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.ndim}-D "
                           "tensor.")
    return self.transpose(-2, -1)


_prop("T", _T)
_prop("mT", _mT)
_prop("H", lambda self: _T(self).conj())
_prop("mH", lambda self: _mT(self).conj())


# ---------------------------------------------------------------------------------------- complex views

def _view_as_real(xp, a):
    if a.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    real = np.float32 if a.dtype == np.complex64 else np.float64
    if a.ndim == 0:
        return a.reshape(1).view(real)
    return a[..., None].view(real)


def _view_as_complex(xp, a):
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {NP2DT[a.dtype]._legacy}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return a.view(np.complex64 if a.dtype == np.float32 else np.complex128)[..., 0]


register("view_as_real", _view_as_real, lambda g, a, out: FUNCTIONS["view_as_complex"](g.contiguous()),
         view=True, method=False)
register("view_as_complex", _view_as_complex, lambda g, a, out: FUNCTIONS["view_as_real"](g), view=True,
         method=False)


@tensor_method
def pin_memory(self, device=None):
    """A copy of this tensor in page-locked memory (needs an accelerator, as in torch)."""
    from .. import cuda as _cuda
    if not _cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return self.clone()


@tensor_method
def is_pinned(self, device=None):
    """Whether this tensor is in page-locked memory (never, in numtorch)."""
    return False
