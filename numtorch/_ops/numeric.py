"""Numerical composites that torch builds from other ops (so their derivatives come from those ops):
trapezoid/trapz/cumulative_trapezoid, gradient, cov, corrcoef, quantile/nanquantile and renorm; plus
inner, vdot, isin and unravel_index."""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._registry import FUNCTIONS, call, register
from . import limited
from .pointwise import public

_F = FUNCTIONS


def _need(x, fn, arg, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


# ---------------------------------------------------------------------------------------- integration

def _ends(y, dim):
    n = y.shape[dim]
    return y.narrow(dim, 1, n - 1), y.narrow(dim, 0, n - 1)


def _spacing(x, y, dim):
    """The spacing tensor of sample points ``x`` along ``dim`` of ``y``."""
    if x.ndim == 1:
        dx = x.diff()
        shape = [1] * y.ndim
        shape[dim] = dx.shape[0]
        return dx.view(shape)
    return x.diff(dim=dim)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integrates ``y`` along ``dim`` by the trapezoidal rule (samples at ``x`` or spaced ``dx``)."""
    _need(y, "trapezoid", "y", 1)
    limited.check("add_stub", y.dtype)
    dim = y._wrap_dim(dim)
    if x is not None and dx is not None:
        raise RuntimeError("torch.trapezoid: received both x and dx, but only one of them may be given")
    if y.shape[dim] == 0:
        return _F["zeros_like"](y.sum(dim)).to(_float_of(y))
    if isinstance(x, Tensor):
        right, left = _ends(y, dim)
        return (_spacing(x, y, dim) * (right + left)).sum(dim) * 0.5
    step = 1 if dx is None else dx
    if x is not None:
        step = x
    return (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * step


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of ``trapezoid``."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Cumulatively integrates ``y`` along ``dim`` by the trapezoidal rule."""
    _need(y, "cumulative_trapezoid", "y", 1)
    dim = y._wrap_dim(dim)
    if y.shape[dim] == 0:
        return _F["zeros_like"](y).to(_float_of(y))
    right, left = _ends(y, dim)
    if isinstance(x, Tensor):
        return (_spacing(x, y, dim) * (right + left)).cumsum(dim) / 2.0
    step = 1 if dx is None else dx
    return (step / 2.0 * (right + left)).cumsum(dim)


def _float_of(t):
    return t.dtype if t.dtype.is_floating_point or t.dtype.is_complex else _dtype.get_default_dtype()


# ---------------------------------------------------------------------------------------- gradient

def _uniform_gradient(f, d, h, edge_order):
    n = f.shape[d]
    center = (f.narrow(d, 2, n - 2) - f.narrow(d, 0, n - 2)) / h
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / h
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / h
    else:
        first = (-1.5 * f.narrow(d, 0, 1) + 2 * f.narrow(d, 1, 1) - 0.5 * f.narrow(d, 2, 1)) / h
        last = (0.5 * f.narrow(d, n - 3, 1) - 2 * f.narrow(d, n - 2, 1) + 1.5 * f.narrow(d, n - 1, 1)) / h
    return _F["cat"]([first, center / 2, last], d)


def _coordinate_gradient(f, d, x, edge_order):
    n = f.shape[d]
    dx = x.diff()
    shape = [1] * f.ndim
    shape[d] = n - 2
    d1, d2 = dx[:-1], dx[1:]
    a = (-d2 / (d1 * (d1 + d2))).reshape(shape)
    b = ((d2 - d1) / (d1 * d2)).reshape(shape)
    c = (d1 / (d2 * (d1 + d2))).reshape(shape)
    center = a * f.narrow(d, 0, n - 2) + b * f.narrow(d, 1, n - 2) + c * f.narrow(d, 2, n - 2)
    if edge_order == 1:
        first = (f.narrow(d, 1, 1) - f.narrow(d, 0, 1)) / dx[0]
        last = (f.narrow(d, n - 1, 1) - f.narrow(d, n - 2, 1)) / dx[-1]
    else:
        h0, h1, hl, hp = dx[0], dx[1], dx[-1], dx[-2]
        first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * f.narrow(d, 0, 1)
                 + (h0 + h1) / (h0 * h1) * f.narrow(d, 1, 1) + (-h0) / (h1 * (h0 + h1)) * f.narrow(d, 2, 1))
        last = (hl / (hp * (hl + hp)) * f.narrow(d, n - 3, 1) - (hl + hp) / (hl * hp) * f.narrow(d, n - 2, 1)
                + (2 * hl + hp) / (hl * (hl + hp)) * f.narrow(d, n - 1, 1))
    return _F["cat"]([first, center, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates the gradient of a function sampled in ``input`` by central differences, per dimension."""
    _need(input, "gradient", "input", 1)
    limited.check("add_stub", input.dtype)
    dims = list(range(input.ndim)) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [input._wrap_dim(d) for d in dims]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if not isinstance(spacing, (list, tuple)):
        spacing = [spacing] * len(dims)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
                           f"dim arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacing)} and a dim argument of length {len(dims)}.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if input.dtype.is_floating_point or input.dtype.is_complex else input.to(_float_of(input))
    out = []
    for d, h in zip(dims, spacing):
        if isinstance(h, Tensor):
            out.append(_coordinate_gradient(f, d, h, edge_order))
        else:
            out.append(_uniform_gradient(f, d, h, edge_order))
    return tuple(out)


# ---------------------------------------------------------------------------------------- statistics

def cov(input, *, correction=1, fweights=None, aweights=None):
    """Estimates the covariance matrix of the variables (rows) observed in the columns of ``input``."""
    _need(input, "cov", "input", 1)
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    if input.dtype is _dtype.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.view(1, -1) if input.ndim < 2 else input
    n = x.shape[1]
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        if wt.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{wt.ndim} dimensions")
        if wt.numel() != n:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in "
                               f"the input but got {wt.numel()} != {n}")
        if name == "fweights" and wt.dtype.is_floating_point:
            raise RuntimeError("cov(): expected fweights to have integral dtype but got fweights with "
                               f"{wt.dtype._legacy} dtype")
        if bool((wt < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    w_sum = w.sum() if w is not None else _F["scalar_tensor"](n, dtype=_dtype.int64)
    if w is not None and not bool(w_sum != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                      "of observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    xc = x - avg.unsqueeze(1)
    c = _F["mm"](xc, (xc * w if w is not None else xc).t().conj())
    return _F["true_divide"](c, norm).squeeze()


def corrcoef(input):
    """Estimates the Pearson product-moment correlation coefficients of the rows of ``input``."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    sd = (d.real if d.is_complex() else d).sqrt()
    c = c / sd.view(-1, 1)
    c = c / sd.view(1, -1)
    if c.is_complex():
        return _F["complex"](c.real.clip(-1, 1), c.imag.clip(-1, 1))
    return c.clip(-1, 1)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    _need(input, name, "input", 1)
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest. Got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    qt = _F["tensor"](q, dtype=input.dtype) if scalar_q else q
    if qt.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if qt.dtype is not input.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if qt.numel() and not bool(((qt >= 0) & (qt <= 1)).all()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if input.numel() == 0 and dim is None:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        rows = input.reshape(-1)
        out_shape = [1] * input.ndim if keepdim else []
    else:
        d = input._wrap_dim(dim)
        rows = input.unsqueeze(-1).transpose(d, -1).squeeze(d) if input.ndim else input.reshape(1)
        out_shape = list(input.shape)
        if keepdim:
            out_shape[d] = 1
        else:
            out_shape.pop(d) if input.ndim else None
    sorted_ = rows.sort(-1).values
    q1 = qt.reshape(-1)
    if ignore_nan:
        ranks = q1 * ((~sorted_.isnan()).sum(-1, keepdim=True) - 1)
        ranks = ranks.masked_fill(ranks < 0, 0)
    else:
        last = sorted_.shape[-1] - 1
        ranks = (q1 * last).expand(*sorted_.shape[:-1], q1.numel())
        ranks = ranks.masked_fill(sorted_.isnan().any(-1, keepdim=True), last)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.to(_dtype.int64)
    values = sorted_.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = _F["full_like"](ranks, 0.5) if interpolation == "midpoint" else ranks - below
        above = sorted_.gather(-1, ranks.ceil().to(_dtype.int64))
        values = values.lerp(above, weights)
    values = values.movedim(-1, 0).reshape([q1.numel()] + out_shape)
    return values.squeeze(0) if scalar_q or qt.ndim == 0 else values


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles of ``input`` (all of it, or each row along ``dim``)."""
    res = _quantile("quantile", input, q, dim, keepdim, interpolation, False)
    return res if out is None else out.resize_(res.shape).copy_(res)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN values (NaN only where a row is all NaN)."""
    res = _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)
    return res if out is None else out.resize_(res.shape).copy_(res)


def _renorm_factor(input, p, dim, maxnorm):
    d = input._wrap_dim(dim)
    others = [i for i in range(input.ndim) if i != d]
    norm = input.norm(p, others, keepdim=True)
    return _F["where"](norm > maxnorm, maxnorm / (norm + 1e-7), _F["ones_like"](norm))


def renorm(input, p, dim, maxnorm):
    """Rescales each slice of ``input`` along ``dim`` whose p-norm exceeds ``maxnorm`` to that norm."""
    _need(input, "renorm", "input", 1)
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions")
    return input * _renorm_factor(input, p, dim, maxnorm)


def renorm_(self, p, dim, maxnorm):
    """In-place version of ``renorm``."""
    # Renormalise a copy: the result's graph must not hold the tensor this call overwrites.
    return self.copy_(renorm(self.clone(), p, dim, maxnorm))


# ---------------------------------------------------------------------------------------- products, sets

def inner(input, other, *, out=None):
    """Inner product over the last dimension (a product when either operand is 0-d)."""
    _need(input, "inner", "input", 1)
    _need(other, "inner", "other", 2)
    if input.ndim == 0 or other.ndim == 0:
        res = input * other
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(input.shape)} and {list(other.shape)}")
        if input.ndim == 1 and other.ndim == 1:
            limited.check("dot", input.dtype)
        res = _F["tensordot"](input, other, dims=([-1], [-1]))
    return res if out is None else out.resize_(res.shape).copy_(res)


def _vdot(xp, a, b):
    return xp.asarray(xp.vdot(a, b))


_VDOT = register("vdot", _vdot, lambda g, a, b, out: (b * g.conj(), a * g), nin=2, save=(0, 1),
                 method=False, function=False)


def vdot(input, other, *, out=None):
    """Dot product of two 1-D tensors, conjugating the first."""
    _need(input, "vdot", "input", 1)
    _need(other, "vdot", "other", 2)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    limited.check("dot", input.dtype)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {input.dtype._legacy} "
                           f"and {other.dtype._legacy}")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return call(_VDOT, (input, other), {} if out is None else {"out": out})


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` is in ``test_elements`` (either may be a number)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments")
    limited.check("isin_default_cpu", (elements if isinstance(elements, Tensor) else test_elements).dtype)
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return Tensor._wrap(np.asarray(np.isin(a, b, invert=invert)))


def unravel_index(indices, shape):
    """Converts flat ``indices`` into a tuple of coordinate tensors for a tensor of ``shape``."""
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    t = indices
    if t.dtype.is_floating_point or t.dtype.is_complex or t.dtype is _dtype.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {t.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    total = int(np.prod(shape))
    flat = np.asarray(t._data).astype(np.int64)
    if total:
        flat = flat % total
    coords = np.unravel_index(flat, shape) if total else [flat * 0 for _ in shape]
    return tuple(Tensor._wrap(np.asarray(c, np.int64)) for c in coords)


for _fn in (trapezoid, trapz, cumulative_trapezoid, gradient, cov, corrcoef, quantile, nanquantile, inner,
            vdot, isin, unravel_index):
    public(_fn, method=_fn.__name__ in ("cov", "corrcoef", "quantile", "nanquantile", "inner", "vdot"))
public(renorm, inplace=renorm_)
