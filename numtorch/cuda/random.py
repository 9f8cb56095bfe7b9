"""torch.cuda seeding. Calls made before CUDA is initialized are queued and replayed at initialization,
as torch does; without CUDA they stay queued forever, so seeding is harmless on CPU-only machines."""
from .._device import cupy_module

_queued = []
_seed = [None]


def _lazy_call(fn):
    from . import is_initialized
    if is_initialized():
        fn()
    else:
        _queued.append(fn)


def _run_queued():
    while _queued:
        _queued.pop(0)()


def _apply_seed(value):
    value = int(value) & 0xFFFF_FFFF_FFFF_FFFF
    _seed[0] = value
    cupy_module().random.seed(value)


def manual_seed(seed):
    """Seed the generator of the current CUDA device (queued until CUDA is initialized)."""
    seed = int(seed)
    _lazy_call(lambda: _apply_seed(seed))


def manual_seed_all(seed):
    """Seed the generators of all CUDA devices (queued until CUDA is initialized)."""
    manual_seed(seed)


def seed():
    """Seed the current CUDA generator with a random number (queued until CUDA is initialized)."""
    from .. import random
    _lazy_call(lambda: _apply_seed(random.default_generator.seed()))


def seed_all():
    """Seed all CUDA generators with a random number (queued until CUDA is initialized)."""
    seed()


def initial_seed():
    """The seed of the current CUDA generator."""
    from . import _lazy_init
    _lazy_init()
    return _seed[0] if _seed[0] is not None else 0


def get_rng_state(device="cuda"):
    """The CUDA generator state as a uint8 tensor (CuPy's generator is represented by its seed)."""
    from .. import tensor, uint8
    import numpy as np
    value = initial_seed()
    return tensor(np.frombuffer(np.uint64(value).tobytes(), np.uint8).copy(), dtype=uint8)


def set_rng_state(new_state, device="cuda"):
    """Restore a CUDA generator state from get_rng_state (queued until CUDA is initialized)."""
    import numpy as np
    data = np.ascontiguousarray(new_state.cpu().numpy()).view(np.uint64)
    _lazy_call(lambda: _apply_seed(data[0]))


def get_rng_state_all():
    """States of all CUDA generators (one per device)."""
    from . import device_count
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states):
    """Restore the states of all CUDA generators."""
    for i, state in enumerate(new_states):
        set_rng_state(state, i)
