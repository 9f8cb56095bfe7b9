"""Short-time Fourier transforms: ``stft`` (pad, frame, window, FFT per frame) and ``istft`` (inverse FFT,
window, overlap-add, divide by the summed squared window). Built from differentiable ops, so both have
derivatives."""
import warnings

import numpy as np

from .._tensor import Tensor
from ._registry import FUNCTIONS
from .pointwise import public

_F = FUNCTIONS
_NO_WINDOW = ("A window was not provided. A rectangular window will be applied,which is known to cause "
              "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
              "recommended to reduce spectral leakage.To suppress this warning and use a rectangular window, "
              "explicitly set `window=torch.ones(n_fft, device=<device>)`. (Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:835.)")
_NO_WINDOW_INVERSE = ("A window was not provided. A rectangular window will be applied.Please provide the "
                      "same window used by stft to make the inversion lossless.To suppress this warning and "
                      "use a rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`. "
                      "(Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:1035.)")
_REAL_OUTPUT = ("stft with return_complex=False is deprecated. In a future pytorch release, stft will return "
                "complex tensors for all inputs, and return_complex=False will raise an error.\nNote: you "
                "can still call torch.view_as_real on the complex output to recover the old return format. "
                "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:874.)")


_warned = set()


def _warn_once(msg):
    # torch gives each of these warnings once per process.
    if msg not in _warned:
        _warned.add(msg)
        warnings.warn(msg, UserWarning, stacklevel=4)


def _full_window(window, n_fft, win_length, like, warning):
    """The window centred in ``n_fft`` samples (ones when none is given)."""
    if window is None:
        _warn_once(warning)
        window = _F["ones"](win_length, dtype=like, device=None)
    elif window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"stft: expected a 1D window tensor of size equal to win_length={win_length}, but "
                           f"got window with size {list(window.shape)}")
    left = (n_fft - win_length) // 2
    if n_fft != win_length:
        window = _F["cat"]([window.new_zeros(left), window, window.new_zeros(n_fft - win_length - left)])
    return window


def _lengths(n_fft, hop_length, win_length):
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if hop <= 0:
        raise RuntimeError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win}")
    return hop, win


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform: FFTs of windowed frames of ``input``, as (freq, frame)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    cplx = input.is_complex() or (window is not None and window.is_complex())
    if return_complex is None and not cplx:
        raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                           "further require that return_complex=True in a future PyTorch release.")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got {input.ndim}D")
    hop, win = _lengths(n_fft, hop_length, win_length)
    x = input.unsqueeze(0) if input.ndim == 1 else input
    if center:
        half = n_fft // 2
        from ..nn.functional import pad
        x = pad(x.unsqueeze(1), (half, half), mode=pad_mode).squeeze(1)
    if not 0 < n_fft <= x.shape[-1]:
        raise RuntimeError(f"stft: expected 0 < n_fft < {x.shape[-1]}, but got n_fft={n_fft}")
    real_dt = input.real.dtype if input.is_complex() else input.dtype
    w = _full_window(window, n_fft, win, real_dt, _NO_WINDOW)
    frames = x.unfold(-1, n_fft, hop) * w
    one = (not cplx) if onesided is None else onesided
    norm = "ortho" if normalized else "backward"
    from .. import fft
    spec = (fft.rfft if one else fft.fft)(frames, norm=norm).transpose(-1, -2)
    if input.ndim == 1:
        spec = spec.squeeze(0)
    if not return_complex and return_complex is not None:
        _warn_once(_REAL_OUTPUT)
        return _F["view_as_real"](spec)
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse short-time Fourier transform: overlap-added inverse FFTs of the frames of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"istft(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor.")
    hop, win = _lengths(n_fft, hop_length, win_length)
    spec = input.unsqueeze(0) if input.ndim == 2 else input
    n_frames = spec.shape[-1]
    one = spec.shape[-2] != n_fft if onesided is None else onesided
    norm = "ortho" if normalized else "backward"
    frames = spec.transpose(-1, -2)
    from .. import fft
    if one:
        frames = fft.irfft(frames, n=n_fft, norm=norm)
    else:
        frames = fft.ifft(frames, n=n_fft, norm=norm)
        if not return_complex:
            frames = frames.real
    w = _full_window(window, n_fft, win, frames.real.dtype if frames.is_complex() else frames.dtype,
                     _NO_WINDOW_INVERSE)
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    pos = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]).reshape(-1)
    idx = _F["tensor"](pos)
    y = frames.new_zeros(frames.shape[0], total).index_add(1, idx, frames.reshape(frames.shape[0], -1))
    env = (w * w).expand(n_frames, n_fft).reshape(-1)
    env = env.new_zeros(total).index_add(0, idx, env)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else total - (n_fft // 2 if center else 0)
    stop = min(end, total)
    y, env = y[:, start:stop], env[start:stop]
    if env.numel() and not float(env.abs().min()) > 1e-11:
        raise RuntimeError(f"istft(): window overlap add min: {float(env.abs().min()):g}")
    y = y / env
    if end > total:
        y = _F["cat"]([y, y.new_zeros(y.shape[0], end - total)], 1)
    return y.squeeze(0) if input.ndim == 2 else y


public(stft)
public(istft)
