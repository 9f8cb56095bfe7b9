"""torch.stft and torch.istft against torch: framing, padding modes, windows, normalisation, one/two-sided
spectra, real-view output, round trips, gradients and errors."""
import warnings

import numpy as np
import pytest

from conftest import check, check_raises, rand


@pytest.mark.parametrize("fn", [
    lambda m, x: m.stft(x, 16, window=m.hann_window(16, dtype=x.dtype), return_complex=True),
    lambda m, x: x.stft(16, 4, 12, m.hann_window(12, dtype=x.dtype), center=False, normalized=True,
                        onesided=False, return_complex=True),
    lambda m, x: m.stft(x, 10, hop_length=3, window=m.hamming_window(10, dtype=x.dtype), pad_mode="constant",
                        return_complex=True),
    lambda m, x: m.stft(x.reshape(2, 50), 8, window=m.hann_window(8, dtype=x.dtype), return_complex=True),
    lambda m, x: m.stft(x, 16, return_complex=True),
    lambda m, x: m.stft(x, 16, window=m.hann_window(16, dtype=x.dtype), return_complex=False),
    lambda m, x: m.stft(m.complex(x, x.flip(0)), 8, window=m.hann_window(8, dtype=x.dtype)),
])
def test_stft(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, rand(100, dtype="float64"), warns=False, atol=1e-10, rtol=1e-9)
        check(fn, rand(100), warns=False, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.istft(m.stft(x, 16, window=m.hann_window(16, dtype=x.dtype), return_complex=True), 16,
                         window=m.hann_window(16, dtype=x.dtype)),
    lambda m, x: m.istft(m.stft(x, 16, window=m.hann_window(16, dtype=x.dtype), return_complex=True), 16,
                         window=m.hann_window(16, dtype=x.dtype), length=90),
    lambda m, x: m.istft(m.stft(x, 16, return_complex=True), 16, length=120),
    lambda m, x: m.istft(m.stft(x.reshape(2, 50), 8, 2, window=m.hann_window(8, dtype=x.dtype),
                                normalized=True, return_complex=True), 8, 2,
                         window=m.hann_window(8, dtype=x.dtype), normalized=True),
    lambda m, x: m.istft(m.stft(x, 12, 3, 10, m.hann_window(10, dtype=x.dtype), center=False,
                                onesided=False, return_complex=True), 12, 3, 10,
                         m.hann_window(10, dtype=x.dtype), center=False, onesided=False),
])
def test_istft(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, rand(100, dtype="float64"), warns=False, atol=1e-10, rtol=1e-9)


def test_stft_warnings():
    check(lambda m, x: m.stft(x, 16, return_complex=True), rand(64))
    check(lambda m, x: m.stft(x, 16, window=m.hann_window(16), return_complex=False), rand(64))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.stft(x, 16), lambda m, x: m.stft(x.view(1, 1, -1), 16, return_complex=True),
    lambda m, x: m.stft(x, 200, return_complex=True),
    lambda m, x: m.stft(x, 16, window=m.ones(8), return_complex=True),
    lambda m, x: m.istft(x, 16), lambda m, x: m.stft(x, 16, hop_length=0, return_complex=True),
])
def test_stft_errors(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_raises(fn, rand(100))
