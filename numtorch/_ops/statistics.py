"""Statistical reductions and scans: std/var, prod, logsumexp, norm, dist, nansum/nanmean, any/all,
count_nonzero, and the cumulative cumsum/cumprod/logcumsumexp."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._dtype import NP2DT, to_dtype
from .._tensor import Tensor
from ._registry import DEFAULT, FUNCTIONS, INT_TO_FLOAT, call, call_inplace, register
from . import limited
from .limited import kernel_error
from .pointwise import public
from .reduction import expand_back, keepdim_shape, norm_dims

_HALF = (np.dtype(np.float16), _dtype.bfloat16._np)
_WHERE = "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)"


def _need_tensor(name, x, pos=1, arg="input"):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _axes(ndim, dim):
    """Reduced axes as a tuple, or None for all (an empty dim list, or a 0-d input, reduces everything)."""
    dims = norm_dims(dim, ndim)
    return None if not dims or ndim == 0 else dims


def _count(shape, axes):
    return math.prod(shape) if axes is None else math.prod(shape[d] for d in axes)


def _wide(a):
    # Half types are reduced in float32, as torch's CPU kernels do.
    return a.astype(np.float32) if a.dtype in _HALF else a


def _keep(grad, shape, dim, keepdim):
    """The gradient of a reduction reshaped so it broadcasts against the input (reduced dims as 1)."""
    dims = norm_dims(dim, len(shape)) or None
    if keepdim or shape == ():
        return grad
    return grad.reshape(keepdim_shape(shape, dims))


def _out_kw(out):
    return {} if out is None else {"out": out}


# ---------------------------------------------------------------------------------------- std / var

def _var_fwd(xp, a, dim, correction, keepdim, name):
    axes = _axes(a.ndim, dim)
    n = _count(a.shape, axes)
    # torch divides numel by the output's numel: an empty input always counts as no degrees of freedom.
    if n - correction <= 0 or a.size == 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      f"reduction factor (input numel divided by output numel). {_WHERE}", UserWarning,
                      stacklevel=6)
    w = _wide(a)
    mean = xp.mean(w, axis=axes, keepdims=True) if n else xp.sum(w, axis=axes, keepdims=True) * np.nan
    d = w - mean
    sq = (d * d.conj()).real if d.dtype.kind == "c" else d * d
    var = xp.sum(sq, axis=axes, keepdims=keepdim) / max(n - correction, 0)
    real = a.real.dtype if a.dtype.kind == "c" else a.dtype
    mean = mean if keepdim else xp.reshape(mean, var.shape)
    return xp.asarray(var).astype(real, copy=False), xp.asarray(mean).astype(a.dtype, copy=False)



def _var_grad(grad, a, dim, correction, keepdim):
    """d var / d a, times grad."""
    axes = _axes(len(a.shape), dim)
    n = _count(a.shape, axes)
    mean = a.mean(dim=axes, keepdim=True) if axes is not None else a.mean()
    dof = max(n - correction, 0)
    # torch's order: (2 / dof) * grad * (a - mean)
    return _keep(grad, a.shape, dim, keepdim) * (2 / dof if dof else math.inf) * (a - mean)


def _half_over(grad, std):
    # torch gives a zero standard deviation a zero gradient rather than 0/0.
    return (grad / (2 * std)).masked_fill(std == 0, 0)


def _std_bwd(grad, a, out, dim, correction, keepdim):
    return _var_grad(_half_over(grad, out), a, dim, correction, keepdim)


def _mean_grad(grad, a, dim, keepdim):
    axes = _axes(len(a.shape), dim)
    return expand_back(grad, a.shape, axes, keepdim) / _count(a.shape, axes)


_VAR = register("_var", lambda xp, a, *r: _var_fwd(xp, a, *r, "var")[0],
                lambda g, a, out, dim, c, k: _var_grad(g, a, dim, c, k), save=(0,), node="VarBackward0",
                method=False, function=False, contiguous=True)
_STD = register("_std", lambda xp, a, *r: xp.sqrt(_var_fwd(xp, a, *r, "std")[0]), _std_bwd, save=(0,),
                save_out=True, node="StdBackward0", method=False, function=False, contiguous=True)
_VAR_MEAN = register("_var_mean", lambda xp, a, *r: _var_fwd(xp, a, *r, "var_mean"),
                     lambda g, a, out, dim, c, k: _var_grad(g[0], a, dim, c, k) + _mean_grad(g[1], a, dim, k),
                     save=(0,), n_out=2, node="VarMeanBackward0", method=False, function=False, contiguous=True)


def _std_mean_fwd(xp, a, *rest):
    var, mean = _var_fwd(xp, a, *rest, "std_mean")
    return xp.sqrt(var), mean


def _std_mean_bwd(g, a, out, dim, c, k):
    std = a.std(dim=dim, correction=c, keepdim=k) if dim is not None else a.std(correction=c)
    return _var_grad(_half_over(g[0], std), a, dim, c, k) + _mean_grad(g[1], a, dim, k)


_STD_MEAN = register("_std_mean", _std_mean_fwd, _std_mean_bwd, save=(0,), n_out=2, node="StdMeanBackward0",
                     method=False, function=False, contiguous=True)


def _var_args(name, input, dim, unbiased, keepdim, correction):
    _need_tensor(name, input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        what = name if name.endswith("_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if input.dtype._limited:
        if dim is None and name in ("std", "var"):
            raise RuntimeError(f"std_var_all: Unsupported dtype {input.dtype._legacy}")
        raise kernel_error("std_cpu", input.dtype)
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both unbiased and "
                        "correction")
    norm_dims(dim, input.ndim)
    return (input, dim, correction, keepdim)


def _var_family(name, op, doc):
    def fn(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
        args = _var_args(name, input, dim, unbiased, keepdim, correction)
        r = call(op, args, {} if out is None or op.n_out > 1 else {"out": out})
        return tuple(r) if op.n_out > 1 else r
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


std = public(_var_family("std", _STD, "Standard deviation over ``dim`` with ``correction`` (Bessel's by "
                                      "default)."))
var = public(_var_family("var", _VAR, "Variance over ``dim`` with ``correction`` (Bessel's by default)."))
std_mean = public(_var_family("std_mean", _STD_MEAN, "Standard deviation and mean over ``dim``."),
                  method=False)
var_mean = public(_var_family("var_mean", _VAR_MEAN, "Variance and mean over ``dim``."), method=False)


# ---------------------------------------------------------------------------------------- prod

def _int_result(a, dtype):
    if dtype is not None:
        return to_dtype(dtype)._np
    return np.dtype(np.int64) if a.dtype.kind in "biu" else a.dtype


def _prod(xp, a, dim=None, keepdim=False, *, dtype=None):
    dt = _int_result(a, dtype)
    limited.check_np("prod_out_cpu", dt)
    axes = None if dim is None else _axes(a.ndim, dim)
    acc = np.float32 if dt in _HALF else dt
    r = xp.prod(a, axis=axes, keepdims=keepdim, dtype=acc)
    return xp.asarray(r).astype(dt, copy=False)


def _exclusive_cumprod(x, d):
    n = x.shape[d]
    head = x.narrow(d, 0, 1) * 0 + 1
    return FUNCTIONS["cat"]([head, x.narrow(d, 0, n - 1)], d).cumprod(d)


def _prod_others(x, d):
    """The product of all elements along ``d`` but the one at each position (exact with zeros)."""
    left = _exclusive_cumprod(x, d)
    right = _exclusive_cumprod(x.flip(d), d).flip(d)
    return left * right


def _prod_backward(grad, a, out, dim=None, keepdim=False, *, dtype=None):
    if a.numel() == 0:
        return a * 0
    d = norm_dims(dim, a.ndim)[0] if dim is not None and a.ndim else None
    if dim is not None and d is None:
        return grad
    # without zeros torch's formula is grad * (result / input); the exclusive products handle zeros
    zeros = bool((a == 0).any())
    if dim is None:
        if not zeros:
            return grad * (out / a)
        return grad * _prod_others(a.reshape(-1), 0).reshape(a.shape)
    g = _keep(grad, tuple(a.shape), dim, keepdim)
    if not zeros:
        return g * (_keep(out, tuple(a.shape), dim, keepdim) / a)
    return g * _prod_others(a, d)


_PROD0 = register("_prod_all", lambda xp, a, *, dtype=None: _prod(xp, a, dtype=dtype), _prod_backward,
                  save=(0,), save_out=True, node="ProdBackward0", method=False, function=False)
_PROD1 = register("_prod_dim", _prod, _prod_backward, save=(0,), save_out=True, node="ProdBackward1",
                  method=False, function=False, contiguous=True)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along ``dim``."""
    _need_tensor("prod", input)
    kw = _out_kw(out)
    if dtype is not None:
        kw["dtype"] = dtype
    if dim is None:
        return call(_PROD0, (input,), kw)
    if not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    norm_dims(dim, input.ndim)
    return call(_PROD1, (input, dim, keepdim), kw)


public(prod)


# ---------------------------------------------------------------------------------------- logsumexp

def _logsumexp(xp, a, dim, keepdim=False):
    axes = _axes(a.ndim, dim)
    w = _wide(a)
    if w.size == 0:
        r = xp.full(_reduced_shape(a.shape, axes, keepdim), -np.inf, dtype=w.dtype)
        return r.astype(a.dtype)
    m = xp.max(w, axis=axes, keepdims=True)
    # Infinite maxima would make inf - inf: shift by 0 there instead.
    m = xp.where(xp.isinf(m), 0, m)
    s = xp.log(xp.sum(xp.exp(w - m), axis=axes, keepdims=True)) + m
    return (s if keepdim else s.reshape(_reduced_shape(a.shape, axes, False))).astype(a.dtype, copy=False)


def _reduced_shape(shape, axes, keepdim):
    if axes is None:
        return (1,) * len(shape) if keepdim else ()
    if keepdim:
        return keepdim_shape(shape, axes)
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _logsumexp_backward(grad, a, out, dim, keepdim=False):
    g = _keep(grad, tuple(a.shape), dim, keepdim)
    o = _keep(out, tuple(a.shape), dim, keepdim)
    return g * (a - o).exp()


_LSE = register("logsumexp", _logsumexp, _logsumexp_backward, promote=INT_TO_FLOAT, save=(0,), save_out=True,
                method=False, function=False, contiguous=True)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """Log of the sum of exponentials over ``dim``, computed stably."""
    _need_tensor("logsumexp", input)
    norm_dims(dim, input.ndim)
    return call(_LSE, (input, dim, keepdim), _out_kw(out))


public(logsumexp)


# ---------------------------------------------------------------------------------------- norm / dist

def _check_empty_norm(a, p, axes):
    if p >= 0 and p != math.inf:
        return
    if axes is None and a.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(p)} norm on an empty tensor because "
                           "the operation does not have an identity")
    for d in axes or ():
        if a.shape[d] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_fmt(p)} norm on the dimension {d}"
                               "because this dimension is empty and the operation does not have an identity")


def _fmt(p):
    return "inf" if p == math.inf else "-inf" if p == -math.inf else f"{p:g}"


def _vnorm(xp, a, p, axes, keepdim):
    _check_empty_norm(a, p, axes)
    x = xp.abs(_wide(a))
    if p == 2:
        r = xp.sqrt(xp.sum(x * x, axis=axes, keepdims=keepdim))
    elif p == math.inf:
        r = xp.max(x, axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        r = xp.min(x, axis=axes, keepdims=keepdim)
    elif p == 0:
        r = xp.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
    elif p == 1:
        r = xp.sum(x, axis=axes, keepdims=keepdim)
    else:
        r = xp.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    real = a.real.dtype if a.dtype.kind == "c" else a.dtype
    return xp.asarray(r).astype(real, copy=False)


def _vnorm_grad(grad, x, out, p, dim, keepdim):
    """d ||x||_p / dx, times grad (torch's choices at zero and on ties)."""
    shape = tuple(x.shape)
    g = _keep(grad, shape, dim, keepdim)
    n = _keep(out, shape, dim, keepdim)
    where = FUNCTIONS["where"]
    if p == 0:
        return x * 0
    if p == 1:
        return g * x.sgn()
    if p == 2:
        return g * where(n == 0, 0.0, x / n)
    if p in (math.inf, -math.inf):
        hit = (x.abs() == n).to(g.dtype)
        axes = norm_dims(dim, len(shape)) if dim is not None else None
        count = hit.sum(axes, keepdim=True) if axes else hit.sum()
        return g * x.sgn() * hit / count
    ax = x.abs()
    return g * where(n == 0, 0.0, x.sgn() * ax.pow(p - 1) / n.pow(p - 1))


def _vnorm_fwd(xp, a, p, dim, keepdim, dtype=None):
    if dtype is not None:
        a = a.astype(to_dtype(dtype)._np)
    return _vnorm(xp, a, p, _axes(a.ndim, dim), keepdim)


_VNORM = register("_vector_norm", _vnorm_fwd,
                  lambda g, a, out, p, dim, keepdim, dtype=None: _vnorm_grad(g, a, out, p, dim, keepdim),
                  save=(0,), save_out=True, node="LinalgVectorNormBackward0", method=False, function=False,
                  contiguous=True)


def _float_only(input):
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{input.dtype._legacy}")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The matrix or vector norm of ``input`` (``p`` = 'fro', 'nuc', a number or +-inf) over ``dim``."""
    _need_tensor("norm", input)
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str) and not (p == "fro" and (dim is None or len(dim) <= 2)):
        # torch hands 'nuc', other names and 'fro' over more than two dims to matrix_norm (which rejects
        # what it cannot compute), over every dimension by default
        from .. import linalg
        dims = list(range(input.ndim)) if dim is None else list(dim)
        return linalg.matrix_norm(input, p, dims, keepdim, dtype=dtype, out=out)
    if dtype is None:
        _float_only(input)
    kw = _out_kw(out)
    if p == "fro" or p is None:
        p = 2
    norm_dims(dim, input.ndim)
    if dtype is not None:
        kw["dtype"] = dtype
    return call(_VNORM, (input, float(p), dim, keepdim), kw)


public(norm)


def _dist(xp, a, b, p):
    return _vnorm(xp, a - b, p, None, False)


def _dist_backward(grad, a, b, out, p):
    g = _vnorm_grad(grad, a - b, out, p, None, False)
    return g, -g


_DIST = register("dist", _dist, _dist_backward, nin=2, promote=DEFAULT, save=(0, 1), save_out=True,
                 method=False, function=False)


def dist(input, other, p=2):
    """The p-norm of ``input - other``."""
    _need_tensor("dist", input)
    _need_tensor("dist", other, 2, "other")
    limited.check("add_stub", input.dtype)
    _float_only(input)
    return call(_DIST, (input, other, float(p)), {})


public(dist)


# ---------------------------------------------------------------------------------------- nansum / nanmean

def _nansum(xp, a, dim=None, keepdim=False, *, dtype=None):
    dt = _int_result(a, dtype)
    limited.check_np("nansum_cpu", dt)
    axes = None if dim is None else _axes(a.ndim, dim)
    acc = np.float32 if dt in _HALF else dt
    clean = xp.where(a != a, 0, a) if a.dtype.kind in "fc" or a.dtype in _HALF else a
    return xp.asarray(xp.sum(clean, axis=axes, keepdims=keepdim, dtype=acc)).astype(dt, copy=False)


def _nansum_backward(grad, a, out, dim=None, keepdim=False, *, dtype=None):
    return expand_back(grad, a.shape, dim, keepdim) * (a == a)


_NANSUM = register("_nansum", _nansum, _nansum_backward, save=(0,), node="NansumBackward0", method=False,
                   function=False, contiguous=True)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements, treating NaN as zero."""
    _need_tensor("nansum", input)
    if input.dtype.is_complex:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    kw = _out_kw(out)
    if dtype is not None:
        kw["dtype"] = dtype
    return call(_NANSUM, (input, dim, keepdim), kw)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the elements that are not NaN."""
    _need_tensor("nanmean", input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{input.dtype._legacy}")
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = (input == input).sum(dim, keepdim) if dim is not None else (input == input).sum()
    r = total / count
    if out is not None:
        return out.copy_(r) if out.shape == r.shape else out.resize_(r.shape).copy_(r)
    return r


public(nansum)
public(nanmean)


# ---------------------------------------------------------------------------------------- any / all / count

def _logic(fn):
    def fwd(xp, a, dim=None, keepdim=False):
        axes = None if dim is None else _axes(a.ndim, dim)
        r = fn(a != 0, axis=axes, keepdims=keepdim)
        if dim is None and keepdim:
            r = r.reshape((1,) * a.ndim)
        # uint8 inputs keep their dtype, as in torch.
        return xp.asarray(r).astype(np.uint8 if a.dtype == np.uint8 else np.bool_, copy=False)
    return fwd


register("any", _logic(np.any), None, contiguous=True)
register("all", _logic(np.all), None, contiguous=True)


def count_nonzero(input, dim=None):
    """The number of non-zero elements, over all or along ``dim``."""
    _need_tensor("count_nonzero", input)
    if dim is None:
        # along dims torch counts with a sum, which takes every dtype
        limited.check("nonzero_count_cpu", input.dtype)
    a = input._data
    axes = None if dim is None else _axes(a.ndim, dim)
    r = input._xp.count_nonzero(a, axis=axes)
    return Tensor._wrap(input._xp.asarray(r).astype(np.int64))


public(count_nonzero)


# ---------------------------------------------------------------------------------------- scans

def _scan_dtype(a, dtype):
    return _int_result(a, dtype)


_SCAN_ACC = {np.dtype(np.float32): np.float64, np.dtype(np.complex64): np.complex128,
             np.dtype(np.float16): np.float32, np.dtype(_dtype.bfloat16._np): np.float32}


def _scan(ufunc, kernel):
    def fwd(xp, a, dim, *, dtype=None):
        dt = _scan_dtype(a, dtype)
        limited.check_np(kernel, dt)
        if a.ndim == 0:
            return a.astype(dt)
        # torch's CPU scans accumulate in its acc_type: double for float32 (complex double for complex
        # float), float32 for the 16-bit floats
        acc = _SCAN_ACC.get(np.dtype(dt), dt)
        return ufunc.accumulate(a.astype(acc, copy=False), axis=dim).astype(dt, copy=False)
    return fwd


def _rev_cumsum(g, d):
    return g.flip(d).cumsum(d).flip(d)


def _cumsum_backward(grad, a, out, dim, *, dtype=None):
    if len(a.shape) == 0:
        return grad
    return _rev_cumsum(grad, dim)


def _cumprod_backward(grad, a, out, dim, *, dtype=None):
    if len(a.shape) == 0 or a.shape[dim] == 0:
        return grad
    if not bool((a == 0).any()):
        return _rev_cumsum(grad * out, dim) / a
    # With zeros, d out_j / d a_k is the product of a_i (i <= j, i != k): take every k's row at once.
    x = a.movedim(dim, -1)
    n = x.shape[-1]
    rows = FUNCTIONS["where"](_eye(n, a), 1.0, x.unsqueeze(-2).expand(*x.shape[:-1], n, n)).to(a.dtype)
    upper = _eye(n, a, upper=True)
    g = (rows.cumprod(-1) * upper * grad.movedim(dim, -1).unsqueeze(-2)).sum(-1)
    return g.movedim(-1, dim)


def _eye(n, like, upper=False):
    m = np.triu(np.ones((n, n), dtype=bool)) if upper else np.eye(n, dtype=bool)
    return Tensor._wrap(like._xp.asarray(m))


def _logcumsumexp_fwd(xp, a, dim):
    if a.dtype.kind in "biu":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{NP2DT[a.dtype]._legacy}\'')
    if a.ndim == 0:
        return a.copy()
    if a.dtype.kind == "c":
        return _complex_logcumsumexp(xp, a, dim)
    return xp.logaddexp.accumulate(_wide(a), axis=dim).astype(a.dtype, copy=False)


def _complex_log_add_exp(xp, a, b):
    # the larger real part leads: big + log1p(exp(small - big)) never overflows
    first = a.real >= b.real
    big, small = xp.where(first, a, b), xp.where(first, b, a)
    with np.errstate(invalid="ignore", over="ignore"):
        out = big + xp.log1p(xp.exp(small - big))
    return xp.where(xp.isneginf(small.real), big, out)


def _complex_logcumsumexp(xp, a, dim):
    # NumPy's logaddexp has no complex loop: an inclusive scan in log2(n) doubling steps instead, each
    # one vectorised log-add-exp of the running values with those ``shift`` places earlier
    acc = xp.moveaxis(a, dim, -1).copy()
    n, shift = acc.shape[-1], 1
    while shift < n:
        acc[..., shift:] = _complex_log_add_exp(xp, acc[..., shift:], acc[..., :-shift])
        shift *= 2
    return xp.moveaxis(acc, -1, dim)


def _logcumsumexp_backward(grad, a, out, dim):
    if len(a.shape) == 0:
        return grad
    # d out_j / d a_k = exp(a_k - out_j) for k <= j: every weight is at most 1, so the pairwise form is
    # stable, and, made of plain tensor ops, differentiable again.
    x = a.movedim(dim, -1)
    o = out.movedim(dim, -1)
    n = x.shape[-1]
    w = (x.unsqueeze(-1) - o.unsqueeze(-2)).exp() * _eye(n, a, upper=True)
    if a.is_complex():
        w = w.conj()
    g = (w * grad.movedim(dim, -1).unsqueeze(-2)).sum(-1)
    return g.movedim(-1, dim)


_CUMSUM = register("cumsum", _scan(np.add, "cumsum_out_cpu"), _cumsum_backward, method=False, function=False,
                   contiguous=True)
_CUMPROD = register("cumprod", _scan(np.multiply, "cumprod_out_cpu"), _cumprod_backward, save=(0,),
                    save_out=True, method=False, function=False, contiguous=True)
_LCSE = register("logcumsumexp", _logcumsumexp_fwd, _logcumsumexp_backward, save=(0,), save_out=True,
                 method=False, function=False, contiguous=True)


def _scan_public(name, op, doc):
    def fn(input, dim, *, dtype=None, out=None):
        _need_tensor(name, input)
        d = input._wrap_dim(dim)
        kw = _out_kw(out)
        if dtype is not None:
            kw["dtype"] = dtype
        return call(op, (input, d), kw)

    def fn_(self, dim, *, dtype=None):
        d = self._wrap_dim(dim)
        # in place, torch scans in the tensor's own dtype
        limited.check(f"{name}_out_cpu", self.dtype if dtype is None else to_dtype(dtype))
        return call_inplace(op, self, (d,), {} if dtype is None else {"dtype": dtype})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return public(fn, inplace=fn_)


cumsum = _scan_public("cumsum", _CUMSUM, "Cumulative sum of elements along ``dim``.")
cumprod = _scan_public("cumprod", _CUMPROD, "Cumulative product of elements along ``dim``.")


def logcumsumexp(input, dim, *, out=None):
    """Log of the cumulative sum of exponentials along ``dim``."""
    _need_tensor("logcumsumexp", input)
    return call(_LCSE, (input, input._wrap_dim(dim)), _out_kw(out))


public(logcumsumexp)
