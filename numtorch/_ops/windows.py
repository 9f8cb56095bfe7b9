"""Window functions for signal processing (hann, hamming, bartlett, blackman, kaiser), computed in the
requested float dtype with torch's arithmetic order; ``periodic`` windows are the symmetric window one
sample longer with its last sample dropped."""
import math

import numpy as np

from .. import _dtype
from ._registry import FUNCTIONS
from .pointwise import public


_CNAMES = {_dtype.int64: "long int", _dtype.int32: "int", _dtype.int16: "short int",
           _dtype.int8: "signed char", _dtype.uint8: "unsigned char", _dtype.bool: "bool"}


def _window(name, length, periodic, dtype, device, requires_grad, body):
    dt = _dtype.get_default_dtype() if dtype is None else dtype
    if length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={length}")
    if not dt.is_floating_point:
        cname = _CNAMES.get(dt, dt._legacy)
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype={cname}, "
                           "device=cpu, layout=Strided (default), requires_grad=false (default), "
                           "pinned_memory=false, memory_format=(nullopt))")
    if length <= 1:
        w = FUNCTIONS["ones"](length, dtype=dt, device=device)
    else:
        n = length + 1 if periodic else length
        w = body(FUNCTIONS["arange"](n, dtype=dt, device=device), n)[:length]
    return w.requires_grad_(requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, pin_memory=False, requires_grad=False):
    """Hamming window: alpha - beta cos(2 pi n / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (2 * math.pi / (n - 1))).cos() * -beta + alpha)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """Hann window: 0.5 - 0.5 cos(2 pi n / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (2 * math.pi / (n - 1))).cos() * -0.5 + 0.5)


def _bartlett(k, n):
    w = k * (2.0 / (n - 1))
    half = ((n - 1) >> 1) + 1
    w[half:] = w[half:] * -1 + 2
    return w


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """Bartlett (triangular) window."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, _bartlett)


def _blackman(k, n):
    w = k * (math.pi / (n - 1))
    return (w * 4).cos() * 0.08 - (w * 2).cos() * 0.5 + 0.42


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """Blackman window."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, _blackman)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """Kaiser window with shape parameter ``beta``: I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)."""
    from ..special import _bessel_i_scaled

    def body(k, n):
        alpha = (n - 1) / 2.0
        x = np.asarray(k._data, np.float64)
        arg = beta * np.sqrt(np.abs(1 - ((x - alpha) / alpha) ** 2))
        scaled = _bessel_i_scaled(np, arg, 0) / _bessel_i_scaled(np, np.float64(beta), 0)
        i0 = np.exp(arg - abs(beta)) * scaled
        return FUNCTIONS["tensor"](i0, dtype=k.dtype, device=k.device)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, body)


for _fn in (hamming_window, hann_window, bartlett_window, blackman_window, kaiser_window):
    public(_fn, method=False)
