"""Random sampling: rand, randn, randint, randperm and the in-place samplers, drawn from a Generator."""
import numpy as np

from .. import _dtype
from .._device import to_device, xp_for
from .._dtype import to_dtype
from .._tensor import Tensor, bump
from ..random import _gen
from ._registry import FUNCTIONS, check_inplace, tensor_method
from .creation import _finish, _size_args
from .pointwise import public


def _place(arr, device):
    dev = to_device(device)
    return arr if dev is None or dev.type == "cpu" else xp_for(dev).asarray(arr)


def _float_dt(dtype):
    dt = to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{dt._legacy}'")
    return dt


def _uniform(gen, shape, dt):
    n = int(np.prod(shape))
    return gen.uniform(n, dt if dt is _dtype.float64 else _dtype.float32).reshape(shape)


def _normal(gen, shape, dt):
    n = int(np.prod(shape))
    work = _dtype.float64 if dt is _dtype.float64 else _dtype.float32
    m = n + (n & 1)
    u = gen.uniform(m, work)
    u1, u2 = 1 - u[: m // 2], u[m // 2:]
    r = np.sqrt(-2 * np.log(u1))
    z = np.concatenate([r * np.cos(2 * np.pi * u2), r * np.sin(2 * np.pi * u2)])[:n]
    return z.astype(work._np).reshape(shape)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform random numbers on [0, 1)."""
    dt = _float_dt(dtype)
    arr = _uniform(_gen(generator), _size_args(size), dt).astype(dt._np)
    return _finish(_place(arr, device), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal random numbers."""
    dt = _float_dt(dtype)
    arr = _normal(_gen(generator), _size_args(size), dt).astype(dt._np)
    return _finish(_place(arr, device), requires_grad)


def _randint_array(gen, low, high, shape, dt):
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    span = high - low
    n = int(np.prod(shape))
    if span >= 1 << 32:
        w = gen.random_raw(2 * n).astype(np.uint64)
        r = (w[0::2] << np.uint64(32)) | w[1::2]
    else:
        r = gen.random_raw(n).astype(np.uint64)
    return (low + (r % np.uint64(span)).astype(np.int64)).astype(dt._np).reshape(shape)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Random integers uniformly drawn from ``[low, high)``."""
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    dt = to_dtype(dtype) if dtype is not None else _dtype.int64
    arr = _randint_array(_gen(generator), int(low), int(high), _size_args((size,)), dt)
    return _finish(_place(arr, device), requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    dt = to_dtype(dtype) if dtype is not None else _dtype.int64
    gen = _gen(generator)
    keys = gen.random_raw(n)
    perm = np.argsort(keys, kind="stable")
    return _finish(_place(perm.astype(dt._np), device), requires_grad)


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        return fn(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                  requires_grad=requires_grad)
    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape of ``input``."
    return like


rand_like = _like(rand)
randn_like = _like(randn)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """``randint`` with the shape of ``input``."""
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad)


def _write(self, arr):
    check_inplace(self)
    if type(self._data) is np.ndarray:
        self._data[...] = arr
    else:
        self._data[...] = self._xp.asarray(arr)
    bump(self)
    return self


@tensor_method
def uniform_(self, from_=0, to=1, *, generator=None):
    """Fills this tensor with numbers drawn uniformly from ``[from_, to)``."""
    u = _uniform(_gen(generator), self.shape, self.dtype)
    if self.dtype is _dtype.float64:
        r = u * (to - from_) + from_
    else:
        r = (u.astype(np.float64) * np.float64(np.float32(to - from_)) + from_).astype(np.float32)
        r = np.where(r >= np.float32(to), np.float32(from_), r)
    return _write(self, r)


@tensor_method
def normal_(self, mean=0, std=1, *, generator=None):
    """Fills this tensor with numbers drawn from N(mean, std**2)."""
    z = _normal(_gen(generator), self.shape, self.dtype)
    return _write(self, z * std + mean)


@tensor_method
def random_(self, from_=0, to=None, *, generator=None):
    """Fills this tensor with integers drawn uniformly from ``[from_, to)``."""
    if to is None:
        from_, to = 0, from_ if from_ else (1 << 24 if self.dtype is _dtype.float32 else 1 << 53)
    return _write(self, _randint_array(_gen(generator), from_, to, self.shape, _dtype.int64))


for _f in (rand, randn, randint, randperm, rand_like, randn_like, randint_like):
    public(_f, method=False)
