"""Direct calls into the BLAS library NumPy has loaded: its thread controls and ``?axpy``.

NumPy exposes neither. The library is found among this process's mapped files and opened with ctypes;
on a NumPy without such a library (or with unknown symbol names) every entry point here is ``None`` and
callers keep their plain NumPy paths.
"""
import contextlib
import ctypes
import functools
import threading

import numpy as np

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads", "MKL_Set_Num_Threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads", "MKL_Get_Max_Threads")
# (symbol, integer type) per dtype; the 64 suffix marks builds with 64-bit BLAS integers
_AXPY = {
    np.dtype(np.float32): (("scipy_cblas_saxpy64_", ctypes.c_int64), ("cblas_saxpy64_", ctypes.c_int64),
                           ("scipy_cblas_saxpy", ctypes.c_int), ("cblas_saxpy", ctypes.c_int)),
    np.dtype(np.float64): (("scipy_cblas_daxpy64_", ctypes.c_int64), ("cblas_daxpy64_", ctypes.c_int64),
                           ("scipy_cblas_daxpy", ctypes.c_int), ("cblas_daxpy", ctypes.c_int)),
}
_SCALAR = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.float64): ctypes.c_double}


class Blas:
    """The BLAS library NumPy has loaded: ``setter(n)`` sizes its thread pool; ``axpy(dtype)``."""

    def __init__(self, lib, setter):
        self.lib = lib
        self.setter = setter
        self.getter = None
        for name in _GETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes = []
                fn.restype = ctypes.c_int
                self.getter = fn
                break
        try:
            self._cpu_number = ctypes.c_int.in_dll(lib, "blas_cpu_number")
            self._server_avail = ctypes.c_int.in_dll(lib, "blas_server_avail")
        except ValueError:
            self._cpu_number = self._server_avail = None
        self._axpy = {}
        self._shutdown = getattr(lib, "blas_thread_shutdown_", None)
        if self._shutdown is not None:
            self._shutdown.argtypes = []
            self._shutdown.restype = ctypes.c_int

    def single_thread_quietly(self):
        """Make OpenBLAS single-threaded without starting its pool; False when that is not possible."""
        return self._set_quietly(1)

    def _set_quietly(self, n):
        # OpenBLAS's setter first starts its thread pool when none is running (always so in a freshly
        # forked DataLoader worker, or after stop_pool), and the new thread then spins ~0.1 s of CPU
        # waiting for work; with the pool down, the thread count alone is set (the next threaded call
        # starts the pool)
        if self._cpu_number is None or self._server_avail.value:
            return False
        self._cpu_number.value = n
        return True

    def stop_pool(self, own_threads):
        """Stop OpenBLAS's worker threads when they are up and no Python thread but the caller and
        ``own_threads`` others could be inside a BLAS call; its next threaded call starts them again."""
        if (self._shutdown is not None and self._server_avail is not None and self._server_avail.value
                and threading.active_count() <= 1 + own_threads):
            self._shutdown()

    @contextlib.contextmanager
    def one_thread(self):
        """BLAS single-threaded inside the block, its previous thread count restored after."""
        n = self.getter() if self.getter is not None else 0
        if n == 1:
            yield
            return
        if not self._set_quietly(1):
            self.setter(1)
        try:
            yield
        finally:
            if n > 1 and not self._set_quietly(n):
                self.setter(n)

    def axpy(self, dtype):
        """``f(alpha, x, y)``: ``y += alpha * x`` over C-contiguous arrays of ``dtype`` with one rounding
        per element (a fused multiply-add, as torch's vectorised kernels compute it), or ``None`` when this
        BLAS has no ``?axpy`` or its kernel rounds twice."""
        dtype = np.dtype(dtype)
        if dtype not in self._axpy:
            self._axpy[dtype] = _checked_axpy(self.lib, dtype)
        return self._axpy[dtype]


def _checked_axpy(lib, dtype):
    for name, integer in _AXPY.get(dtype, ()):
        fn = getattr(lib, name, None)
        if fn is not None:
            break
    else:
        return None
    fn.argtypes = [integer, _SCALAR[dtype], ctypes.c_void_p, integer, ctypes.c_void_p, integer]
    fn.restype = None

    def axpy(alpha, x, y):
        fn(y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)

    return axpy if _fuses(axpy, dtype) else None


def _fuses(axpy, dtype):
    # an odd length also runs the kernels' scalar tail; float32 products are exact in float64, float64
    # ones are checked exactly with fractions on a sample spanning both the vector body and the tail
    n = 4099
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, n)).astype(dtype)
    alpha = dtype.type(0.1234567)
    got = y.copy()
    axpy(alpha, x, got)
    if dtype == np.float32:
        return bool(np.array_equal(got, (x.astype(np.float64) * float(alpha) + y).astype(np.float32)))
    from fractions import Fraction
    a = Fraction(float(alpha))
    idx = np.r_[0:64, n - 64:n]
    return all(float(a * Fraction(float(x[i])) + Fraction(float(y[i]))) == got[i] for i in idx)


@functools.lru_cache(maxsize=None)
def library():
    """The loaded BLAS library, or ``None`` when none with a known thread setter is mapped."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() or "libmkl_rt" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int]
                fn.restype = None
                return Blas(lib, fn)
    return None


def single_threaded():
    """A context in which the loaded BLAS runs on one thread (a no-op without a known library)."""
    blas = library()
    return blas.one_thread() if blas is not None else contextlib.nullcontext()
