"""torch.fft: discrete Fourier transforms on the backend's FFT (pocketfft on cpu), with complex autograd.

Every public transform reduces to three ops, as in torch: complex-to-complex, real-to-complex and
complex-to-real, each over a list of dims with one of three normalisations. Their derivatives are
transforms again, so double backward works.
"""
import numpy as np

from . import _dtype
from ._dtype import NP2DT
from ._tensor import Tensor
from ._ops._registry import FUNCTIONS, _copy_into_out, call, register
from .autograd import grad_mode
from ._ops.reduction import norm_dims

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

# Normalisations: no scaling, 1/sqrt(n), 1/n.
_NONE, _BY_ROOT_N, _BY_N = 0, 1, 2
# NumPy's ``norm`` argument giving each normalisation, for forward and for inverse transforms.
_NP_NORM = {True: ("backward", "ortho", "forward"), False: ("forward", "ortho", "backward")}


def _norm_mode(norm, forward):
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _BY_ROOT_N
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


# ---------------------------------------------------------------------------------------- primitive ops

def _check_batch(a, dims):
    # torch's CPU backend refuses transforms whose batch is empty.
    if dims and a.size == 0:
        raise RuntimeError("FFT error: inconsistent configuration parameters (the input has no elements)")


def _c2c(xp, a, dims, mode, forward):
    if not dims:
        return a.copy()
    _check_batch(a, dims)
    fn = xp.fft.fftn if forward else xp.fft.ifftn
    return fn(a, axes=dims, norm=_NP_NORM[forward][mode]).astype(a.dtype, copy=False)


def _c2c_backward(grad, a, out, dims, mode, forward):
    # The adjoint of a scaled DFT is the same scaling of the opposite-sign transform.
    return call(_C2C, (grad, dims, mode, not forward), {})


def _r2c(xp, a, dims, mode, onesided):
    _check_batch(a, dims)
    fn = xp.fft.rfftn if onesided else xp.fft.fftn
    r = fn(a, axes=dims, norm=_NP_NORM[True][mode])
    return r.astype(NP2DT[a.dtype].to_complex()._np, copy=False)


def _r2c_backward(grad, a, out, dims, mode, onesided):
    last = dims[-1]
    missing = a.shape[last] - grad.shape[last]
    if onesided and missing > 0:
        grad = call(_PAD, (grad, last, a.shape[last]), {})
    return call(_C2C, (grad, dims, mode, False), {}).real


def _c2r(xp, a, dims, mode, last_size):
    _check_batch(a, dims)
    sizes = [a.shape[d] for d in dims[:-1]] + [last_size]
    r = xp.fft.irfftn(a, s=sizes, axes=dims, norm=_NP_NORM[False][mode])
    return r.astype(NP2DT[a.dtype].to_real()._np, copy=False)


def _c2r_backward(grad, a, out, dims, mode, last_size):
    gin = call(_R2C, (grad, dims, mode, True), {})
    last = dims[-1]
    kept = gin.shape[last]
    # Bins 1 .. last_size - kept also stand for their mirrored conjugates: their gradient counts twice.
    doubled = last_size - kept
    if doubled <= 0:
        return gin
    w = np.ones(kept)
    w[1:1 + doubled] = 2.0
    shape = [1] * gin.dim()
    shape[last] = kept
    weight = FUNCTIONS["tensor"](w.reshape(shape), dtype=gin.dtype.to_real(), device=gin.device)
    return gin * weight


def _pad(xp, a, dim, size):
    widths = [(0, 0)] * a.ndim
    widths[dim] = (0, size - a.shape[dim])
    return xp.pad(a, widths)


def _pad_backward(grad, a, out, dim, size):
    return grad.narrow(dim, 0, a.shape[dim])


_PRIMITIVE = {"method": False, "function": False}
_C2C = register("_fft_c2c", _c2c, _c2c_backward, node="FftC2CBackward0", **_PRIMITIVE)
_R2C = register("_fft_r2c", _r2c, _r2c_backward, node="FftR2CBackward0", **_PRIMITIVE)
_C2R = register("_fft_c2r", _c2r, _c2r_backward, node="FftC2RBackward0", **_PRIMITIVE)
_PAD = register("_fft_pad", _pad, _pad_backward, node="ConstantPadNdBackward0", **_PRIMITIVE)


# ---------------------------------------------------------------------------------------- argument checks

def _prepare(name, input, real=False):
    """``input`` in a dtype the transforms accept: integers and bool become the default float dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fft_{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    dt = input.dtype
    if real and dt.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {dt._legacy}")
    if dt is _dtype.complex32:
        raise RuntimeError("FFT doesn't support tensors of type: Half")
    if dt is _dtype.float16 or dt is _dtype.bfloat16 or dt._limited and dt.is_floating_point:
        raise RuntimeError(f"Unsupported dtype {dt._legacy}")
    if not (dt.is_floating_point or dt.is_complex):
        input = input.to(_dtype.get_default_dtype())
    return input


def _as_complex(x):
    return x if x.dtype.is_complex else x.to(x.dtype.to_complex())


def _check_int(name, arg, value):
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"fft_{name}(): argument '{arg}' must be int, not {type(value).__name__}")


def _check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _resize(x, dim, size):
    """``x`` trimmed or zero-padded to ``size`` along ``dim``."""
    have = x.shape[dim]
    if size < have:
        return x.narrow(dim, 0, size)
    if size > have:
        return call(_PAD, (x, dim, size), {})
    return x


def _one_dim(name, x, n, dim):
    _check_int(name, "n", n)
    _check_int(name, "dim", dim)
    if x.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return norm_dims(dim, x.dim())[0]


def _dims_and_sizes(name, x, s, dim):
    """The transformed dims (in the given order) and their requested sizes (None: keep the input's)."""
    nd = x.dim()
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [norm_dims(d, nd)[0] for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        dims = list(range(nd - len(s), nd))
    else:
        dims = list(range(nd))
    sizes = [None] * len(dims) if s is None else [None if v == -1 else v for v in s]
    for v in sizes:
        if v is not None:
            _check_int(name, "s", v)
            _check_points(v)
    return dims, sizes


def _resize_all(x, dims, sizes):
    for d, v in zip(dims, sizes):
        if v is not None:
            x = _resize(x, d, v)
    for d in dims:
        _check_points(x.shape[d])
    return x


# ---------------------------------------------------------------------------------------- 1-d transforms

def _c2c_1d(name, input, n, dim, norm, forward):
    x = _prepare(name, input)
    d = _one_dim(name, x, n, dim)
    x = _resize_all(x, [d], [n])
    mode = _norm_mode(norm, forward)
    if x.dtype.is_complex:
        return call(_C2C, (x, (d,), mode, forward), {})
    # A real signal goes through the real-to-complex transform; its inverse is the conjugate.
    y = call(_R2C, (x, (d,), mode, False), {})
    return y if forward else y.conj()


def _r2c_1d(name, input, n, dim, norm, forward):
    x = _prepare(name, input, real=True)
    d = _one_dim(name, x, n, dim)
    x = _resize_all(x, [d], [n])
    y = call(_R2C, (x, (d,), _norm_mode(norm, forward), True), {})
    return y if forward else y.conj()


def _c2r_1d(name, input, n, dim, norm, forward):
    x = _prepare(name, input)
    d = _one_dim(name, x, n, dim)
    size = 2 * (x.shape[d] - 1) if n is None else n
    _check_points(size)
    x = _resize(_as_complex(x), d, size // 2 + 1)
    if forward:
        x = x.conj()
    return call(_C2R, (x, (d,), _norm_mode(norm, forward), size), {})


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional discrete Fourier transform of ``input``."""
    return _with_out("fft_fft", _c2c_1d("fft", input, n, dim, norm, True), out, input)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional inverse discrete Fourier transform of ``input``."""
    return _with_out("fft_ifft", _c2c_1d("ifft", input, n, dim, norm, False), out, input)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional Fourier transform of real-valued ``input`` (the non-negative bins)."""
    return _with_out("fft_rfft", _r2c_1d("rfft", input, n, dim, norm, True), out, input)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the inverse of :func:`rfft`: a real signal of length ``n`` (default ``2*(m-1)``)."""
    return _with_out("fft_irfft", _c2r_1d("irfft", input, n, dim, norm, False), out, input)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the one dimensional discrete Fourier transform of a Hermitian symmetric ``input`` signal."""
    return _with_out("fft_hfft", _c2r_1d("hfft", input, n, dim, norm, True), out, input)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Computes the inverse of :func:`hfft`: the non-negative bins of the inverse transform of real input."""
    return _with_out("fft_ihfft", _r2c_1d("ihfft", input, n, dim, norm, False), out, input)


# ---------------------------------------------------------------------------------------- n-d transforms

def _c2c_nd(name, input, s, dim, norm, forward):
    x = _prepare(name, input)
    dims, sizes = _dims_and_sizes(name, x, s, dim)
    x = _resize_all(_as_complex(x), dims, sizes)
    return call(_C2C, (x, tuple(dims), _norm_mode(norm, forward), forward), {})


def _r2c_nd(name, input, s, dim, norm):
    x = _prepare(name, input)
    if x.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real-valued input tensor, but got {x.dtype._legacy}")
    dims, sizes = _dims_and_sizes(name, x, s, dim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    x = _resize_all(x, dims, sizes)
    return call(_R2C, (x, tuple(dims), _norm_mode(norm, True), True), {})


def _c2r_nd(name, input, s, dim, norm):
    x = _prepare(name, input)
    dims, sizes = _dims_and_sizes(name, x, s, dim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = dims[-1]
    size = 2 * (x.shape[last] - 1) if sizes[-1] is None else sizes[-1]
    _check_points(size)
    sizes[-1] = size // 2 + 1
    x = _resize_all(_as_complex(x), dims, sizes)
    return call(_C2R, (x, tuple(dims), _norm_mode(norm, False), size), {})


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N dimensional discrete Fourier transform of ``input`` over ``dim``."""
    return _with_out("fft_fftn", _c2c_nd("fftn", input, s, dim, norm, True), out, input)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N dimensional inverse discrete Fourier transform of ``input`` over ``dim``."""
    return _with_out("fft_ifftn", _c2c_nd("ifftn", input, s, dim, norm, False), out, input)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the N dimensional Fourier transform of real ``input``; the last dim keeps its non-negative
    bins."""
    return _with_out("fft_rfftn", _r2c_nd("rfftn", input, s, dim, norm), out, input)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Computes the inverse of :func:`rfftn`."""
    return _with_out("fft_irfftn", _c2r_nd("irfftn", input, s, dim, norm), out, input)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the two dimensional discrete Fourier transform of ``input``."""
    return _with_out("fft_fft2", _c2c_nd("fft2", input, s, dim, norm, True), out, input)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the two dimensional inverse discrete Fourier transform of ``input``."""
    return _with_out("fft_ifft2", _c2c_nd("ifft2", input, s, dim, norm, False), out, input)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the two dimensional Fourier transform of real ``input``."""
    return _with_out("fft_rfft2", _r2c_nd("rfft2", input, s, dim, norm), out, input)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Computes the inverse of :func:`rfft2`."""
    return _with_out("fft_irfft2", _c2r_nd("irfft2", input, s, dim, norm), out, input)


# ---------------------------------------------------------------------------------------- helpers

def _with_out(name, res, out, input=None):
    """``res``, or ``res`` written into ``out`` (torch refuses out= when autograd would record)."""
    if out is None:
        return res
    if grad_mode.state.enabled and (res.requires_grad or getattr(input, "requires_grad", False)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    _copy_into_out(out, res.detach())
    return out


def _frequencies(name, n, d, dtype, device, requires_grad, count):
    dt = _dtype.get_default_dtype() if dtype is None else dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    k = FUNCTIONS["arange"](count, dtype=dt, device=device)
    if name == "fftfreq":
        k[(n + 1) // 2:] -= n
    # Scaled in the result dtype by 1/(n*d) taken in double precision, as torch does (inf when n*d is 0).
    with np.errstate(divide="ignore"):
        scale = float(np.float64(1.0) / np.float64(n * d))
    return (k * scale).requires_grad_(requires_grad)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of a signal of size ``n`` with sample spacing ``d``."""
    return _with_out("fft_fftfreq", _frequencies("fftfreq", n, d, dtype, device, requires_grad, n), out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of a real signal of size ``n`` with sample spacing ``d``."""
    res = _frequencies("rfftfreq", n, d, dtype, device, requires_grad, n // 2 + 1)
    return _with_out("fft_rfftfreq", res, out)


def _shift(input, dim, half):
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if dim is None:
        dims = list(range(input.dim()))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    if not dims:
        raise RuntimeError("`shifts` required")
    shifts = [half(input.shape[d]) for d in dims]
    return FUNCTIONS["roll"](input, shifts, dims)


def fftshift(input, dim=None):
    """Reorders n-dimensional FFT data to put the zero-frequency term in the middle."""
    return _shift(input, dim, lambda n: n // 2)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`."""
    return _shift(input, dim, lambda n: (n + 1) // 2)
