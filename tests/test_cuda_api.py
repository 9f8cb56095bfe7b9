"""torch.cuda, torch.backends and torch.accelerator on a machine without CUDA, against real torch's
CPU build (which answers exactly as a machine without a GPU)."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch

pytestmark = pytest.mark.skipif(numtorch.cuda.is_available(),
                                reason="these oracles describe a CPU-only machine")


def _eval(lib, expr):
    """Evaluate ``expr`` with ``torch`` bound to ``lib``: (result, exception, warning messages)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            env = {"torch": lib}
            if expr.startswith("with "):
                exec(expr + ": pass", env)
                return None, None, [str(x.message) for x in w]
            return eval(expr, env), None, [str(x.message) for x in w]
        except Exception as e:  # compared with torch's below
            return None, e, [str(x.message) for x in w]


CASES = [
    "torch.cuda.is_available()", "torch.cuda.device_count()", "torch.cuda.current_device()",
    "torch.cuda.current_stream()", "torch.cuda.default_stream()", "torch.cuda.manual_seed(1)",
    "torch.cuda.manual_seed_all(3)", "torch.cuda.seed()", "torch.cuda.seed_all()",
    "torch.cuda.initial_seed()", "torch.cuda.get_rng_state()", "torch.cuda.get_rng_state_all()",
    "torch.cuda.set_rng_state_all([])", "torch.cuda.set_rng_state(torch.zeros(16, dtype=torch.uint8))",
    "torch.cuda.set_device(0)", "torch.cuda.set_device(-1)", "torch.cuda.set_device('cuda:0')",
    "torch.cuda.set_device('cpu')", "torch.cuda.synchronize()", "torch.cuda.empty_cache()",
    "torch.cuda.get_device_name()", "torch.cuda.get_device_name(0)", "torch.cuda.get_device_properties(0)",
    "torch.cuda.get_device_capability()", "torch.cuda.memory_allocated()", "torch.cuda.memory_allocated(0)",
    "torch.cuda.max_memory_allocated()", "torch.cuda.memory_reserved()", "torch.cuda.max_memory_reserved()",
    "torch.cuda.reset_peak_memory_stats()", "torch.cuda.reset_max_memory_allocated()",
    "torch.cuda.memory_stats()", "torch.cuda.memory_summary()", "torch.cuda.mem_get_info()",
    "torch.cuda.ipc_collect()", "torch.cuda.is_bf16_supported()", "torch.cuda.is_bf16_supported(False)",
    "torch.cuda.is_initialized()", "torch.cuda.init()", "torch.cuda.Stream()", "torch.cuda.Event()",
    "torch.cuda.Event(enable_timing=True)", "torch.cuda.FloatTensor(2)", "torch.cuda.LongTensor([1, 2])",
    "torch.cuda.HalfTensor()", "isinstance(torch.zeros(2), torch.cuda.FloatTensor)",
    "issubclass(torch.cuda.OutOfMemoryError, RuntimeError)", "with torch.cuda.device(0)",
    "with torch.cuda.device(-1)", "with torch.cuda.device('cuda:1')",
    "with torch.cuda.device_of(torch.zeros(1))", "with torch.cuda.stream(None)",
    "torch.backends.cudnn.benchmark", "torch.backends.cudnn.deterministic", "torch.backends.cudnn.enabled",
    "torch.backends.cudnn.allow_tf32", "torch.backends.cudnn.is_available()",
    "torch.backends.cudnn.version()", "torch.backends.cuda.matmul.allow_tf32",
    "torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction", "torch.backends.cuda.is_built()",
    "torch.backends.mps.is_available()", "torch.backends.mps.is_built()",
    "torch.backends.mkldnn.is_available()", "torch.backends.mkldnn.enabled",
    "torch.backends.mkl.is_available()", "torch.backends.openmp.is_available()",
    "torch.accelerator.is_available()", "torch.accelerator.current_accelerator()",
    "torch.accelerator.current_accelerator(check_available=True)", "torch.accelerator.device_count()",
    "torch.accelerator.current_device_index()", "torch.accelerator.set_device_index(0)",
    "torch.accelerator.synchronize()",
]


@pytest.mark.parametrize("expr", CASES)
def test_cpu_only_answers(expr):
    torch = need_torch()
    t, te, tw = _eval(torch, expr)
    n, ne, nw = _eval(numtorch, expr)
    assert type(ne) is type(te), f"numtorch {type(ne).__name__}: {ne} / torch {type(te).__name__}: {te}"
    if te is not None:
        if isinstance(te, (AssertionError, RuntimeError, ValueError, TypeError)):
            assert str(ne) == str(te)
        return
    assert len(nw) == len(tw), (nw, tw)
    if isinstance(t, torch.Tensor) or t is None or isinstance(t, (bool, int, str, list, dict)):
        assert n == t if not isinstance(t, torch.Tensor) else np.array_equal(n.numpy(), t.numpy())
    else:
        assert type(n).__name__ == type(t).__name__


def test_flags_are_settable_and_read_back():
    torch = need_torch()
    for lib in (torch, numtorch):
        old = lib.backends.cudnn.benchmark, lib.backends.cudnn.deterministic
        lib.backends.cudnn.benchmark, lib.backends.cudnn.deterministic = True, True
        assert lib.backends.cudnn.benchmark and lib.backends.cudnn.deterministic
        lib.backends.cudnn.benchmark, lib.backends.cudnn.deterministic = old
        lib.backends.cuda.matmul.allow_tf32 = True
        assert lib.backends.cuda.matmul.allow_tf32 is True
        lib.backends.cuda.matmul.allow_tf32 = False
        with lib.backends.cudnn.flags(enabled=False, deterministic=True):
            assert lib.backends.cudnn.enabled is False and lib.backends.cudnn.deterministic is True
        assert lib.backends.cudnn.enabled is True and lib.backends.cudnn.deterministic is False


def test_cuda_seeding_does_not_touch_cpu_generator():
    torch = need_torch()
    outs = []
    for lib in (torch, numtorch):
        lib.manual_seed(5)
        lib.cuda.manual_seed(123)
        lib.cuda.manual_seed_all(7)
        outs.append(lib.rand(4).numpy())
    np.testing.assert_array_equal(outs[0], outs[1])


def test_cuda_seed_is_queued_not_dropped():
    numtorch.cuda.manual_seed(99)
    from numtorch.cuda import random as cuda_random
    assert cuda_random._queued, "the seed call should wait for CUDA initialization"


def test_is_available_never_raises_and_device_of_cpu_tensor():
    assert numtorch.cuda.is_available() is False
    with numtorch.cuda.device_of(numtorch.ones(2)):
        assert numtorch.cuda.device_count() == 0


class _FakePool:
    def __init__(self, used, total):
        self.used, self.total, self.freed = used, total, 0

    def used_bytes(self):
        return self.used

    def total_bytes(self):
        return self.total

    def free_all_blocks(self):
        self.freed += 1


class _FakeCupy:
    """Just enough of CuPy's API to drive numtorch.cuda's GPU branches on a CPU-only machine."""

    def __init__(self):
        import types
        self.pool, self.pinned, self.seeds, self.used_device = _FakePool(100, 400), _FakePool(0, 0), [], []
        props = {"name": b"Fake GPU", "major": 9, "minor": 0, "totalGlobalMem": 2 << 30,
                 "multiProcessorCount": 4}
        runtime = types.SimpleNamespace(getDeviceCount=lambda: 2, getDeviceProperties=lambda i: props,
                                        memGetInfo=lambda: (1 << 30, 2 << 30))
        fake = self

        class Device:
            def __init__(self, i=0):
                self.id = i

            def use(self):
                fake.used_device.append(self.id)

            def synchronize(self):
                pass
        self.cuda = types.SimpleNamespace(runtime=runtime, Device=Device)
        self.random = types.SimpleNamespace(seed=self.seeds.append)

    def get_default_memory_pool(self):
        return self.pool

    def get_default_pinned_memory_pool(self):
        return self.pinned


@pytest.fixture
def fake_cupy(monkeypatch):
    from numtorch import _device
    from numtorch.cuda import memory
    fake = _FakeCupy()
    monkeypatch.setattr(_device, "_cupy", [fake])
    monkeypatch.setattr(numtorch.cuda, "_initialized", [False])
    monkeypatch.setattr(numtorch.cuda, "_current", [0])
    monkeypatch.setattr(memory, "_peak", {"allocated": 0, "reserved": 0})
    return fake


def test_gpu_branches_with_fake_cupy(fake_cupy):
    cuda = numtorch.cuda
    from numtorch.cuda import random as cuda_random
    cuda_random._queued.clear()
    cuda.manual_seed(7)
    assert fake_cupy.seeds == [] and not cuda.is_initialized()
    assert cuda.is_available() and cuda.device_count() == 2 and numtorch.accelerator.device_count() == 2
    assert cuda.current_device() == 0 and cuda.is_initialized() and fake_cupy.seeds == [7]
    assert cuda.initial_seed() == 7 and cuda.get_rng_state().tolist() == [7, 0, 0, 0, 0, 0, 0, 0]
    cuda.manual_seed_all(11)
    assert fake_cupy.seeds == [7, 11]
    assert cuda.get_device_name() == "Fake GPU" and cuda.get_device_capability() == (9, 0)
    assert cuda.is_bf16_supported() and cuda.get_device_properties(0).total_memory == 2 << 30
    assert cuda.memory_allocated() == 100 and cuda.memory_reserved() == 400
    fake_cupy.pool.used = 50
    assert cuda.memory_allocated() == 50 and cuda.max_memory_allocated() == 100
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == 50 and "Allocated memory" in cuda.memory_summary()
    cuda.empty_cache()
    assert fake_cupy.pool.freed == 1 and cuda.mem_get_info() == (1 << 30, 2 << 30)
    cuda.set_device("cuda:1")
    assert cuda.current_device() == 1 and numtorch.accelerator.current_device_index() == 1
    with cuda.device(0):
        assert cuda.current_device() == 0
    assert cuda.current_device() == 1 and fake_cupy.used_device == [1, 0, 1]
    assert numtorch.accelerator.current_accelerator() == numtorch.device("cuda")
    with pytest.raises(ValueError):
        cuda.set_device("cpu")
