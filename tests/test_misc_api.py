"""Small top-level API against torch: clamp_min/clamp_max, view_as_real/complex, constants, settings."""
import math
import os
import threading

import numpy as np

import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand


@pytest.mark.parametrize("name", ["clamp_min", "clamp_max"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_clamp_one_sided(name, dtype):
    x = rand(3, 4, dtype=dtype)
    grad = dtype != "int64"
    check(lambda m, a: getattr(m, name)(a, 0.5 if grad else 1), x, grad=grad)
    check(lambda m, a: getattr(a, name)(0.5 if grad else 1), x, grad=grad)
    check(lambda m, a: getattr(a.clone(), name + "_")(0.5 if grad else 1), x, grad=grad)
    if grad:
        check(lambda m, a, b: getattr(m, name)(a, b), x, rand(4, dtype=dtype, seed=1))
        check(lambda m, a: getattr(m, name)(a, 0.5).grad_fn.name(), x)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), ()])
def test_view_as_real_complex(dtype, shape):
    rng = np.random.default_rng(0)
    z = (rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)).astype(dtype)
    check(lambda m, a: m.view_as_real(a) * 2, z, strides=True)
    check(lambda m, a: m.view_as_complex(m.view_as_real(a) * 3), z)
    check(lambda m, a: m.view_as_real(a).data_ptr() == a.data_ptr(), z, grad=False)


def test_view_as_errors():
    check_raises(lambda m, a: m.view_as_real(a), rand(3))
    check_raises(lambda m, a: m.view_as_complex(a), rand(3))
    check_raises(lambda m, a: m.view_as_complex(a.long()), rand(3, 2))
    check_raises(lambda m, a: m.view_as_complex(a.t()), rand(2, 2))


def test_constants_and_settings():
    torch = need_torch()
    for name in ("pi", "e", "inf"):
        assert getattr(numtorch, name) == getattr(torch, name)
    assert math.isnan(numtorch.nan)
    assert numtorch.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    numtorch.set_float32_matmul_precision("high")
    assert numtorch.get_float32_matmul_precision() == "high"
    numtorch.set_float32_matmul_precision("highest")
    assert numtorch.are_deterministic_algorithms_enabled() is torch.are_deterministic_algorithms_enabled()
    numtorch.use_deterministic_algorithms(True)
    assert numtorch.are_deterministic_algorithms_enabled()
    numtorch.use_deterministic_algorithms(False)
    n = numtorch.get_num_threads()
    numtorch.set_num_threads(n)
    assert numtorch.get_num_threads() == n
    for lib in (torch, numtorch):
        with pytest.raises(RuntimeError):
            lib.set_num_threads(0)
        with pytest.warns(UserWarning):
            lib.set_float32_matmul_precision("bad")


def test_pin_memory():
    torch = need_torch()
    if numtorch.cuda.is_available():
        assert numtorch.equal(numtorch.ones(2).pin_memory(), numtorch.ones(2))
    else:
        check_raises(lambda m, a: a.pin_memory(), rand(2))
    assert numtorch.ones(2).is_pinned() is torch.ones(2).is_pinned()


def test_tensor_class_constructs_like_torch():
    check(lambda m: (m.Tensor(2, 3).shape, m.Tensor([1, 2]), m.Tensor().shape), grad=False)


def test_set_num_threads_sizes_numpy_blas():
    blas = numtorch._blas.library()
    if blas is None:
        pytest.skip("NumPy's BLAS exposes no thread setter here")
    getter = blas.getter
    if getter is None:
        pytest.skip("no OpenBLAS thread getter to read back")
    before = numtorch.get_num_threads()
    try:
        for n in (1, 2):
            numtorch.set_num_threads(n)
            assert getter() == n and numtorch.get_num_threads() == n
    finally:
        numtorch.set_num_threads(before)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_set_num_threads_one_in_forked_child_starts_no_blas_thread():
    # a DataLoader worker's set_num_threads(1) must not start OpenBLAS's pool (its idle thread spins)
    blas = numtorch._blas.library()
    if blas is None or blas._cpu_number is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS with its thread globals exported")
    a = np.ones((300, 300))
    a @ a
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            numtorch.set_num_threads(1)
            a @ a
            ok = len(os.listdir("/proc/self/task")) == 1 and blas._cpu_number.value == 1
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"1"


def test_stopped_blas_pool_stays_down_through_single_threaded_sections():
    # convolutions stop OpenBLAS's spinning workers before running their own threads; setting the thread
    # count back must not restart them (a started worker spins ~0.1 s), the next threaded product does
    blas = numtorch._blas.library()
    if blas is None or blas._cpu_number is None or blas._shutdown is None or blas.getter is None:
        pytest.skip("NumPy's BLAS is not OpenBLAS with its thread globals exported")
    before = numtorch.get_num_threads()
    a = np.random.default_rng(0).standard_normal((400, 400))
    try:
        numtorch.set_num_threads(2)
        a @ a
        assert blas._server_avail.value
        # another Python thread could be inside a BLAS call: the pool is left alone
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            blas.stop_pool(threading.active_count() - 2)
            assert blas._server_avail.value
        finally:
            release.set()
            other.join()
        blas.stop_pool(threading.active_count() - 1)
        assert not blas._server_avail.value
        with blas.one_thread():
            assert blas.getter() == 1
        assert blas.getter() == 2 and not blas._server_avail.value
        assert np.array_equal(a @ a, a.T.T @ a)
        assert blas._server_avail.value
    finally:
        numtorch.set_num_threads(before)


def test_single_threaded_blas_sections_restore_the_thread_count():
    # optimizer steps run BLAS's axpy on one thread and give the count back
    blas = numtorch._blas.library()
    if blas is None or blas.getter is None:
        pytest.skip("no BLAS thread getter here")
    before = numtorch.get_num_threads()
    try:
        numtorch.set_num_threads(2)
        with blas.one_thread():
            assert blas.getter() == 1
        assert blas.getter() == 2
        p = numtorch.zeros(50000, requires_grad=True)
        p.grad = numtorch.ones(50000)
        numtorch.optim.SGD([p], lr=0.5).step()
        assert blas.getter() == 2 and float(p[0]) == -0.5
    finally:
        numtorch.set_num_threads(before)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="glibc malloc settings are a Linux matter")
def test_import_keeps_freed_memory_for_reuse():
    # a step's freed tensors stay on the heap for the next step instead of being trimmed back to the
    # kernel and faulted in again (default glibc: ~2500 page faults a round of ten 1 MiB arrays)
    import subprocess
    import sys
    code = ("import resource, numtorch, numpy as np\n"
            "import ctypes\n"
            "if not hasattr(ctypes.CDLL(None), 'gnu_get_libc_version'): print(0); raise SystemExit\n"
            "big = np.ones(1 << 20, np.uint8); del big\n"
            "def rnd():\n"
            "    arrs = [np.ones(1 << 20, np.uint8) for _ in range(10)]\n"
            "rnd()\n"
            "f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(5): rnd()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) < 500
