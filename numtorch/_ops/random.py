"""Random sampling with torch's CPU algorithms, bit for bit: every value comes from a Generator's words.

torch fills a tensor element by element in memory order (TensorIterator order), so every sampler here
draws a flat run of values and writes it through the tensor's memory-order view.
"""
import math

import ml_dtypes
import numpy as np

from .. import _dtype
from .._device import to_device, xp_for
from .._dtype import to_dtype
from .._tensor import Tensor, bump
from ..autograd import grad_mode
from ..random import _gen
from ._registry import FUNCTIONS, check_inplace, tensor_method
from .creation import _out, _size_args
from . import limited
from .pointwise import _reject, kernel_error

f32 = np.float32
f64 = np.float64
_U64 = np.uint64
_HALVES = (_dtype.float16, _dtype.bfloat16)
_NOARG = object()


# ------------------------------------------------------------------------------------ glibc functions

def _libm(fn):
    # NumPy's SIMD log/exp/log1p/tan differ from glibc in the last bit for a few percent of inputs; torch
    # calls glibc, whose functions Python's math module wraps, so they are applied through a ufunc.
    uf = np.frompyfunc(fn, 1, 1)
    return lambda x: uf(x).astype(f64)


_log = _libm(math.log)
_log1p = _libm(math.log1p)
_tan = _libm(math.tan)
_exp_raw = _libm(math.exp)


def _exp(x):
    big = x > 709.0
    out = _exp_raw(np.where(big, 0.0, x))
    return np.where(big, np.exp(x), out)


def _log0(x):
    # math.log raises at 0 where C returns -inf.
    zero = x == 0
    return np.where(zero, -np.inf, _log(np.where(zero, 1.0, x)))


def _fma32(a, b, c):
    # float32 a*b is exact in float64, so one float64 add then one rounding is a fused multiply-add.
    return (a.astype(f64) * b + c).astype(f32)


def _split(a):
    t = a * 134217729.0
    hi = t - (t - a)
    return hi, a - hi


def _fma64(a, b, c):
    """Fused multiply-add in float64 from error-free transformations (Dekker product, Knuth sum)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(np.asarray(b, f64))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def fma_real(x, y, z):
    """``x * y + z`` rounded once to ``z``'s type for real data (as torch's compiled kernels and the
    optimised BLAS fuse it); plain arithmetic for other types."""
    if z.dtype == np.float64:
        return _fma64(np.broadcast_to(x, np.broadcast_shapes(np.shape(x), np.shape(y), z.shape)), y, z)
    if z.dtype == np.float32:
        return _fma32(np.asarray(x), y, z)
    return x * y + z


# ------------------------------------------------------- torch's AVX2 Box-Muller (avx_mathfun, with FMA)

_LOG_P = (-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
          2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)


def _log_avx(x):
    """Cephes-style float32 log of positive normal numbers, with GCC's FMA contractions."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(f32) + f32(1)
    m = ((bits & 0x007FFFFF) | 0x3F000000).view(f32)
    small = m < f32(0.707106781186547524)
    x = (m - f32(1)) + np.where(small, m, f32(0))
    e = e - small.astype(f32)
    x64 = x.astype(f64)
    z = x * x
    y = (x64 * f32(7.0376836292E-2) + f32(_LOG_P[0])).astype(f32)
    for p in _LOG_P[1:]:
        y = _fma32(y, x64, f32(p))
    y = _fma32(y * x, z, e * f32(-2.12194440e-4))
    y = _fma32(-z, f32(0.5), y)
    return _fma32(e, f32(0.693359375), x + y)


def _sincos_avx(x):
    """Cephes-style float32 sin and cos of non-negative x, with GCC's FMA contractions."""
    j = (x * f32(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(f64)
    x = _fma32(y, f32(-0.78515625), x)
    x = _fma32(y, f32(-2.4187564849853515625e-4), x)
    x = _fma32(y, f32(-3.77489497744594108e-8), x)
    z = x * x
    z64 = z.astype(f64)
    yc = (z64 * f32(2.443315711809948E-005) + f32(-1.388731625493765E-003)).astype(f32)
    yc = _fma32(yc, z64, f32(4.166664568298827E-002))
    yc = _fma32(yc * z, z64, -(z * f32(0.5))) + f32(1)
    ys = (z64 * f32(-1.9515295891E-4) + f32(8.3321608736E-3)).astype(f32)
    ys = _fma32(ys, z64, f32(-1.6666654611E-1))
    ys = _fma32(ys * z, x.astype(f64), x)
    poly = (j & 2) == 0
    s = np.where(poly, ys, yc)
    c = np.where(poly, yc, ys)
    s = np.where((j & 4) != 0, -s, s)
    c = np.where(((j - 2) & 4) == 0, -c, c)
    return s, c


def _box_muller16_f32(d, mean, std):
    """torch's 16-wide float32 transform of uniforms ``d`` (length a multiple of 16), as float32."""
    d = d.reshape(-1, 2, 8)
    r = np.sqrt(f32(-2) * _log_avx(f32(1) - d[:, 0]))
    s, c = _sincos_avx(f32(2 * math.pi) * d[:, 1])
    out = np.stack([r * c, r * s], axis=1).reshape(-1)
    if std == 1 and mean == 0:
        return out
    return _fma32(out, f64(f32(std)), f32(mean))


def _box_muller16_f64(d, mean, std):
    """torch's 16-wide float64 transform (scalar libm calls) of uniforms ``d``."""
    d = d.reshape(-1, 2, 8)
    r = np.sqrt(-2 * _log(1 - d[:, 0]))
    theta = 2.0 * math.pi * d[:, 1]
    out = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).reshape(-1)
    if std == 1 and mean == 0:
        return out
    return _fma64(out, std, mean)


# -------------------------------------------------------------------------------------- draw helpers

def _numel(shape):
    return int(np.prod(shape, dtype=np.int64))


def _dense_order(arr):
    """Axes of ``arr`` from the largest stride to the smallest: torch's fill (memory) order."""
    keys = [s if n > 1 else 0 for n, s in zip(arr.shape, arr.strides)]
    return sorted(range(arr.ndim), key=lambda i: -abs(keys[i]))


def _write(self, flat):
    """Writes the flat run ``flat`` into ``self`` in memory order, as torch's serial kernels do."""
    data = self._data
    dst = data.transpose(_dense_order(data))
    vals = flat.reshape(dst.shape)
    if type(data) is not np.ndarray:
        vals = self._xp.asarray(vals)
    dst[...] = vals
    bump(self)
    return self


def _cast(v, dt):
    # c10::Half and c10::BFloat16 convert from float, so a double goes through float32 first.
    if dt in _HALVES:
        v = v.astype(f32)
    return v.astype(dt._np)


def _prepare(self, name):
    if not isinstance(self, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(self).__name__}")
    check_inplace(self)


def _need_float(self, kernel):
    if not self.dtype.is_floating_point:
        raise kernel_error(kernel, self.dtype)
    limited.check(kernel, self.dtype)


def _normals64(gen, n, mean=0.0, std=1.0):
    """``n`` draws of torch's scalar ``normal_distribution<double>``, sharing the generator's cache."""
    out = np.empty(n, f64)
    head = 0
    if n and gen._normal is not None:
        out[0] = gen._normal
        gen._normal = None
        head = 1
    k = n - head
    pairs = (k + 1) // 2
    if pairs:
        u = gen.uniform64(2 * pairs)
        r = np.sqrt(-2.0 * _log1p(-u[1::2]))
        theta = 2.0 * math.pi * u[0::2]
        both = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).reshape(-1)
        out[head:] = both[:k]
        if k & 1:
            gen._normal = float(both[-1])
    if std == 1 and mean == 0:
        return out
    return _fma64(out, std, mean)


# ------------------------------------------------------------------------------------ in-place samplers

@tensor_method
def uniform_(self, from_=0, to=1, *, generator=None):
    """Fills self tensor with numbers sampled from the continuous uniform distribution [from, to)."""
    _prepare(self, "uniform_")
    if self.dtype.is_complex:
        # torch fills the real and imaginary parts as one float tensor of twice the length.
        FUNCTIONS["view_as_real"](self).uniform_(from_, to, generator=generator)
        return self
    _need_float(self, "check_uniform_bounds")
    dt = self.dtype
    from_, to = float(from_), float(to)
    _bound_check(dt, "from", from_)
    _bound_check(dt, "to", to)
    if not from_ <= to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(from_)} > "
                           f"to={_fmt(to)}")
    n = self.numel()
    if n == 0:
        return self
    gen = _gen(generator)
    if dt is _dtype.float32 and from_ == 0.0 and to == 1.0:
        # [0, 1): the draws themselves (u * 1 + 0 is exact, and a float32 draw never reaches 1)
        return _write(self, gen.uniform32(n))
    if dt is _dtype.float64:
        v = _fma64(gen.uniform64(n), to - from_, from_)
    else:
        lo, hi = f32(from_), f32(to)
        v = _cast(_fma32(gen.uniform32(n), f64(hi - lo), lo), dt)
    top = _cast(np.array([to]), dt)[0]
    v = np.where(v == top, _cast(np.array([from_]), dt)[0], v)
    return _write(self, v.astype(dt._np))


def _fmt(x):
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


@tensor_method
def normal_(self, mean=0, std=1, *, generator=None):
    """Fills self tensor with elements samples from the normal distribution parameterized by mean and std."""
    _prepare(self, "normal_")
    mean, std = float(mean), float(std)
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    if self.dtype.is_complex:
        # Each part gets half the variance, drawn through the float view of twice the length.
        FUNCTIONS["view_as_real"](self).normal_(mean, std / math.sqrt(2), generator=generator)
        return self
    _need_float(self, "normal_kernel_cpu")
    n = self.numel()
    if n == 0:
        return self
    return _write(self, _normal_flat(_gen(generator), self, n, mean, std))


def _normal_flat(gen, self, n, mean, std):
    dt = self.dtype
    if n < 16 or not self.is_contiguous():
        return _cast(_normals64(gen, n, mean, std), dt)
    if dt is _dtype.float64:
        return _normal_blocks(gen.uniform64, n, lambda d: _box_muller16_f64(d, mean, std))
    fill = lambda d: _box_muller16_f32(d, mean, std)  # noqa: E731
    if dt is _dtype.float32:
        return _normal_blocks(gen.uniform32, n, fill)
    full = n - n % 16
    both = _in_runs(fill, gen.uniform32(full + (16 if n % 16 else 0)))
    if full != n:
        both = np.concatenate([both[:n - 16], both[full:]])
    return _cast(both, dt)


# The transform runs on runs of this many uniforms (a multiple of 16): its two dozen temporaries then
# stay in cache (3x faster on 10**7 floats than passes over whole arrays).
_TRANSFORM_RUN = 1 << 15


def _in_runs(fill, d):
    if len(d) <= _TRANSFORM_RUN:
        return fill(d)
    out = None
    for s in range(0, len(d), _TRANSFORM_RUN):
        part = fill(d[s:s + _TRANSFORM_RUN])
        if out is None:
            out = np.empty(d.shape, part.dtype)
        out[s:s + len(part)] = part
    return out


def _normal_blocks(uniform, n, fill):
    # float and double draw every uniform first, transform whole blocks, then redo the last 16.
    d = uniform(n)
    full = n - n % 16
    if full == n:
        return _in_runs(fill, d)
    # One transform pass for the whole blocks and the redrawn last 16 (fewer array calls).
    both = _in_runs(fill, np.concatenate([d[:full], uniform(16)]))
    return np.concatenate([both[:n - 16], both[full:]])


def _int_range_check(dt, name, value):
    if dt is _dtype.bool:
        lo, hi = 0, 1
    else:
        info = np.iinfo(dt._np)
        lo, hi = int(info.min), int(info.max)
    if not lo <= value <= hi:
        raise RuntimeError(f"{name} is out of bounds for {_dtype.CPP_NAMES[dt._name]}")


_FLOAT_RANGE = {}


def _bound_check(dt, name, value):
    rng = _FLOAT_RANGE.get(dt)
    if rng is None:
        info = ml_dtypes.finfo(dt._np)
        rng = _FLOAT_RANGE[dt] = (float(info.min), float(info.max))
    if not rng[0] <= value <= rng[1]:
        raise RuntimeError(f"{name} is out of bounds for {dt!r}".replace("torch.", ""))


def _float_range_check(dt, name, value):
    _bound_check(dt, name, value)
    info = ml_dtypes.finfo(dt._np)
    digits = info.nmant + 1
    if value < -(1 << digits) or value > (1 << digits):
        import warnings
        warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                      f"{dt!r} can support discrete uniform distribution only within this range. This "
                      "warning will become an error in version 1.7 release, please fix the code in advance"
                      .replace("torch.", ""), UserWarning, stacklevel=4)


def _range_check(dt, name, value):
    if dt.is_floating_point:
        _float_range_check(dt, name, value)
    else:
        _int_range_check(dt, name, value)


def _float_digits(dt):
    return ml_dtypes.finfo(dt._np).nmant + 1


def _update_from(dt, frm):
    # torch moves a `from` that is not representable in the float dtype up to the next value that is.
    plus1 = int(_cast(np.array([frm + 1], f64), dt).astype(f64)[0])
    if plus1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = plus1 + (1 << (n - _float_digits(dt) + 1))
    return frm


def _update_to(dt, to):
    minus1 = int(_cast(np.array([to - 1], f64), dt).astype(f64)[0])
    if minus1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = minus1 - (1 << (n - _float_digits(dt) + 1))
    return to


def _random_from_to(gen, n, span, base):
    """``n`` draws of ``(word % span) + base``; 64-bit words when the span reaches 2**28."""
    w = gen.words64(n) if span >= 1 << 28 else gen.words(n)
    # uint64 arithmetic that wraps like torch's `(val % range) + base` before the cast to int64.
    return ((w % _U64(span)) + _U64(base & ((1 << 64) - 1))).view(np.int64)


def _random_default(gen, n, dt):
    """``random_()`` without bounds: [0, 2**mantissa] for floats, [0, max] for integers."""
    if dt is _dtype.bool:
        return (gen.words(n) & _U64(1)).astype(np.bool_)
    if dt is _dtype.float64 or dt is _dtype.int64:
        w = gen.words64(n)
    else:
        w = gen.words(n)
    if dt.is_floating_point:
        mod = (1 << _float_digits(dt)) + 1
    else:
        mod = int(np.iinfo(dt._np).max) + 1
    return (w % _U64(mod)).astype(np.int64)


@tensor_method
def random_(self, from_=None, to=_NOARG, *, generator=None, **kwargs):
    """Fills self tensor with numbers sampled from the discrete uniform distribution over [from, to - 1]."""
    from_ = kwargs.pop("from", from_)
    _prepare(self, "random_")
    dt = self.dtype
    if dt.is_complex:
        if from_ is None:
            _reject("random_kernel_cpu", self.dtype, (_dtype.COMPLEX,))
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    gen = _gen(generator)
    if to is _NOARG:
        from_, to = (None, None) if from_ is None else (0, from_)
    limited.check("random_kernel_cpu" if from_ is None else "random_from_to_range_calc" if to is None else
                  "random_update_from_to", dt)
    if from_ is None:
        return _write(self, _cast_int(_random_default(gen, self.numel(), dt), dt)) if self.numel() else self
    from_ = int(from_)
    if to is not None:
        to = int(to)
        span = _bounded_span(dt, from_, to)
    elif from_ != -(1 << 63):
        from_, span = _open_span(dt, from_)
    else:
        span = 1 << 64
    if self.numel() == 0:
        return self
    if span == 1 << 64:
        v = gen.words64(self.numel()).view(np.int64)
    else:
        v = _random_from_to(gen, self.numel(), span, from_)
    return _write(self, _cast_int(v, dt))


def _bounded_span(dt, frm, to):
    if not frm < to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={frm} >= to={to}")
    if dt.is_floating_point:
        frm, to = _update_from(dt, frm), _update_to(dt, to)
        if not frm < to:
            raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, "
                               f"but got from={frm} >= to={to}")
    _range_check(dt, "from", frm)
    _range_check(dt, "to - 1", to - 1)
    return to - frm


def _open_span(dt, frm):
    if dt.is_floating_point:
        to_inc = min(1 << _float_digits(dt), (1 << 63) - 1)
        frm = _update_from(dt, frm)
        if not frm < to_inc:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                               f"casted to dtype, but got from={frm} > to_inc={to_inc}")
    elif dt is _dtype.bool:
        to_inc = 1
    else:
        # held in an int64: uint64's maximum wraps to -1
        to_inc = int(np.iinfo(dt._np).max)
        to_inc -= (to_inc >> 63) << 64
    _range_check(dt, "from", frm)
    _range_check(dt, "to - 1", to_inc)
    return frm, to_inc - frm + 1


def _cast_int(v, dt):
    # static_cast from int64: wraps for narrower integers, rounds through float for half types.
    if dt is _dtype.bool:
        return v.astype(np.bool_)
    if dt.is_floating_point:
        return _cast(v.astype(f64) if dt is _dtype.float64 else v.astype(f32), dt)
    return v.astype(dt._np)


@tensor_method
def bernoulli_(self, p=0.5, *, generator=None):
    """Fills each location of self with an independent sample from Bernoulli(p)."""
    _prepare(self, "bernoulli_")
    gen = _gen(generator)
    if isinstance(p, Tensor):
        return _bernoulli_tensor(self, p, gen)
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
    if self.numel() == 0:
        return self
    _reject("bernoulli_scalar_cpu_", self.dtype, (_dtype.COMPLEX,))
    return _write(self, _cast(gen.uniform64(self.numel()) < p, self.dtype))


def _bernoulli_tensor(self, p, gen):
    if self.numel() == 0:
        return self
    _reject("bernoulli_tensor_cpu_self_", self.dtype, (_dtype.COMPLEX,))
    pd = np.broadcast_to(np.asarray(p._data), self.shape)
    order = _dense_order(self._data)
    pflat = pd.transpose(order).reshape(-1)
    if p.dtype is _dtype.float64:
        hit = gen.uniform64(pflat.size) < pflat
    else:
        hit = gen.uniform32(pflat.size) < pflat.astype(f32)
    return _write(self, _cast(hit, self.dtype))


def _scalar_sampler(name, check, kernel, floating=True):
    def sampler(self, *args, generator=None):
        _prepare(self, name + "_")
        params = [float(a) for a in args]
        check(*params)
        if floating and not self.dtype.is_floating_point:
            _float_error(name, self.dtype)
        limited.check(name + "_cpu", self.dtype)
        n = self.numel()
        if n == 0:
            return self
        return _write(self, _cast(kernel(_gen(generator), n, *params), self.dtype))
    return sampler


def _float_error(name, dt):
    if name == "exponential":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must "
                           f"be a floating point but you specified {dt._legacy}")
    if name == "cauchy":
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_dtype.CPP_NAMES[dt._name]}")
    raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt._legacy}'")


def _check_lambda(lambd):
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")


def _check_geometric(p):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")


def _check_log_normal(mean, std):
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")


def _check_cauchy(median, sigma):
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")


def _exponential(gen, n, lambd):
    return (-1.0 / lambd) * _log1p(-gen.uniform64(n))


def _geometric(gen, n, p):
    return np.ceil(_log0(gen.uniform64(n)) / math.log1p(-p))


def _log_normal(gen, n, mean, std):
    return _exp(_normals64(gen, n, mean, std))


def _cauchy(gen, n, median, sigma):
    return median + sigma * _tan(math.pi * (gen.uniform64(n) - 0.5))


def _sampler_method(name, check, kernel, defaults, floating=True):
    inner = _scalar_sampler(name, check, kernel, floating)
    names = list(defaults)

    def method(self, *args, generator=None, **kwargs):
        vals = dict(zip(names, args))
        vals.update(kwargs)
        missing = [k for k in names if vals.get(k, defaults[k]) is None]
        if missing:
            # a parameter without a default (geometric_'s p) is required, as in torch's signature
            raise TypeError(f"{name}_() missing 1 required positional arguments: \"{missing[0]}\"")
        return inner(self, *[vals.get(k, defaults[k]) for k in names], generator=generator)
    method.__name__ = name + "_"
    return method


exponential_ = tensor_method(_sampler_method("exponential", _check_lambda, _exponential, {"lambd": 1.0}))
exponential_.__doc__ = "Fills self tensor with elements drawn from the exponential distribution."
geometric_ = tensor_method(_sampler_method("geometric", _check_geometric, _geometric, {"p": None}, False))
geometric_.__doc__ = "Fills self tensor with elements drawn from the geometric distribution."
log_normal_ = tensor_method(_sampler_method("log_normal", _check_log_normal, _log_normal,
                                            {"mean": 1.0, "std": 2.0}))
log_normal_.__doc__ = "Fills self tensor with numbers samples from the log-normal distribution."
cauchy_ = tensor_method(_sampler_method("cauchy", _check_cauchy, _cauchy, {"median": 0.0, "sigma": 1.0}))
cauchy_.__doc__ = "Fills the tensor with numbers drawn from the Cauchy distribution."


# ------------------------------------------------------------------------------------------ factories

def _factory_dtype(dtype, default=None):
    return to_dtype(dtype) if dtype is not None else (default or _dtype.get_default_dtype())


def _empty(shape, dt, device):
    arr = np.empty(shape, dt._np)
    dev = to_device(device)
    if dev is not None and dev.type != "cpu":
        arr = xp_for(dev).asarray(arr)
    return Tensor._wrap(arr)


def _made(t, requires_grad, out):
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Returns a tensor filled with random numbers from a uniform distribution on the interval [0, 1)."""
    t = _empty(_size_args(size), _factory_dtype(dtype), device)
    return _made(t.uniform_(0, 1, generator=generator), requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Returns a tensor filled with random numbers from a normal distribution with mean 0 and variance 1."""
    t = _empty(_size_args(size), _factory_dtype(dtype), device)
    return _made(t.normal_(0, 1, generator=generator), requires_grad, out)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Returns a tensor filled with random integers generated uniformly between low (inclusive) and high."""
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() missing required argument 'high' (pos 2)")
    if size is None:
        raise TypeError("randint() missing required argument 'size' (pos 3)")
    t = _empty(_size_args((size,)), _factory_dtype(dtype, _dtype.int64), device)
    return _made(t.random_(int(low), int(high), generator=generator), requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """Returns a random permutation of integers from 0 to n - 1."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = _factory_dtype(dtype, _dtype.int64)
    limited.check("randperm", dt)
    perm = _randperm(_gen(generator), n)
    t = _empty((n,), dt, device)
    t._data[...] = perm.astype(dt._np) if type(t._data) is np.ndarray else t._xp.asarray(perm)
    return _made(t, requires_grad, out)


def _randperm(gen, n):
    if n < 2:
        return np.arange(n, dtype=np.int64)
    span = np.arange(n, 1, -1, dtype=np.uint64)
    picks = (np.arange(n - 1, dtype=np.uint64) + gen.words(n - 1) % span).tolist()
    a = list(range(n))
    # Each swap depends on the previous ones: the one sequential step, kept to a bare list loop.
    for i, j in enumerate(picks):
        a[i], a[j] = a[j], a[i]
    return np.array(a, dtype=np.int64)


def _like(name, fill):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
             generator=None):
        t = FUNCTIONS["empty_like"](input, dtype=dtype, device=device, memory_format=memory_format)
        return _made(fill(t, generator), requires_grad, None)
    like.__name__ = name
    return like


rand_like = _like("rand_like", lambda t, g: t.uniform_(0, 1, generator=g))
rand_like.__doc__ = "Returns a tensor with the same size as input of uniform random numbers on [0, 1)."
randn_like = _like("randn_like", lambda t, g: t.normal_(0, 1, generator=g))
randn_like.__doc__ = "Returns a tensor with the same size as input of standard normal random numbers."


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """Returns a tensor with the same shape as input filled with random integers in [low, high)."""
    if high is None:
        low, high = 0, low
    t = FUNCTIONS["empty_like"](input, dtype=dtype, device=device, memory_format=memory_format)
    return _made(t.random_(int(low), int(high), generator=generator), requires_grad, None)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws binary random numbers (0 or 1) from a Bernoulli distribution with probabilities ``input``."""
    t = Tensor._wrap(np.empty(tuple(input.shape), input.dtype._np))
    with grad_mode.no_grad():
        if p is None:
            if not input.dtype.is_floating_point:
                # a complex output is rejected first (the sample's own type), other types as p's
                self_first = input.dtype.is_complex or input.dtype._limited
                kernel = "bernoulli_tensor_cpu_self_" if self_first else "bernoulli_tensor_cpu_p_"
                raise kernel_error(kernel, input.dtype)
            t.bernoulli_(input, generator=generator)
        else:
            t.bernoulli_(p, generator=generator)
    return _out(t, out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Returns a tensor of random numbers drawn from separate normal distributions."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return _out(_normal_tensors(mean, std, generator), out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments")
    t = _empty(_size_args((size,)), _factory_dtype(dtype), device)
    return _made(t.normal_(mean, std, generator=generator), requires_grad, out)


def _normal_tensors(mean, std, generator):
    from .. import broadcast_shapes
    with grad_mode.no_grad():
        if isinstance(std, Tensor):
            if std.numel() and not bool((std._data >= 0).all()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif not float(std) >= 0.0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(float(std))}")
        like = mean if isinstance(mean, Tensor) else std
        other = std if like is mean else mean
        shape = broadcast_shapes(tuple(like.shape), tuple(getattr(other, "shape", ())))
        t = _empty(shape, like.dtype, like.device)
        if isinstance(std, Tensor):
            return t.normal_(0, 1, generator=generator).mul_(std).add_(mean)
        return t.normal_(0, std, generator=generator).add_(mean)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Returns rows of ``num_samples`` indices sampled from the multinomial distribution in ``input``."""
    _check_multinomial(input, num_samples, replacement)
    gen = _gen(generator)
    probs = np.asarray(input._data)
    rows = probs.reshape(-1, probs.shape[-1]) if probs.ndim else probs.reshape(1, 1)
    if not replacement or num_samples == 1:
        idx = _multinomial_exp(gen, input, rows, num_samples)
    else:
        idx = _multinomial_cdf(gen, rows, num_samples)
    shape = (num_samples,) if input.dim() == 1 else (rows.shape[0], num_samples)
    return _out(Tensor._wrap(idx.reshape(shape)), out)


def _check_multinomial(input, n, replacement):
    dt = input.dtype
    if not dt.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {dt._legacy}")
    limited.check("aminmax_cpu", dt)
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if n <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and n > input.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")


def _multinomial_exp(gen, input, rows, n):
    # torch's sampler without replacement: the top n of p / q with q ~ Exp(1) (the Gumbel trick).
    data = rows.astype(f32) if input.dtype in _HALVES else rows
    if not (np.all(data < np.inf) and np.all(data >= 0)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(data.sum(axis=1) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = Tensor._wrap(np.empty_like(np.asarray(input._data)))
    q.exponential_(1, generator=gen)
    ratio = (rows / np.asarray(q._data).reshape(rows.shape)).astype(rows.dtype)
    ratio = ratio.astype(f32) if input.dtype in _HALVES else ratio
    if n == 1:
        return np.argmax(ratio, axis=1).astype(np.int64)
    return np.argsort(-ratio, axis=1, kind="stable")[:, :n].astype(np.int64)


def _multinomial_cdf(gen, rows, n):
    # torch's sampler with replacement: a float cumulative sum per row, normalised, last bucket set to 1,
    # then a binary search (first bucket >= u) for each 53-bit uniform.
    work = rows.astype(f32) if rows.dtype != f64 else rows
    if np.any(work < 0):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    if not np.all(np.isfinite(work)):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or "
                           "NaN)")
    cum = np.cumsum(work, axis=1, dtype=work.dtype)
    total = cum[:, -1:]
    if np.any(total <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    cum = (cum / total).astype(work.dtype).astype(f64)
    cum[:, -1] = 1.0
    u = gen.uniform64(rows.shape[0] * n).reshape(rows.shape[0], n)
    return np.stack([np.searchsorted(c, r, side="left") for c, r in zip(cum, u)]).astype(np.int64)


for _f in (rand, randn, randint, randperm, rand_like, randn_like, randint_like, normal, multinomial):
    FUNCTIONS[_f.__name__] = _f
FUNCTIONS["bernoulli"] = bernoulli
Tensor.bernoulli = bernoulli
Tensor.multinomial = multinomial
