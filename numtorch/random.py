"""Generator and seeding. Every random draw in numtorch goes through a Generator.

The engine is the 32-bit Mersenne Twister of torch's CPU generator: NumPy's MT19937 seeded by the same
standard initialisation produces the same words. The state travels in torch's ByteTensor layout.
"""
import contextlib
import os

import numpy as np

from . import _dtype
from ._device import to_device

_DEFAULT_SEED = 67280421310721
_N = 624
# torch's CPUGeneratorImplState: the legacy struct (seed, left, seeded, next, 624 state words as uint64,
# normal_x, normal_y, normal_rho, normal_is_valid) followed by the float normal cache and its flag.
_STATE_SIZE = 5056
_WORDS_AT = 24
_NORMAL_Y_AT = 5024
_NORMAL_VALID_AT = 5040
_FLOAT_NORMAL_AT = 5048
_FLOAT_VALID_AT = 5052
_U64 = np.uint64


def _seed_int(seed, who="manual_seed"):
    # Generator.manual_seed takes Python ints only, as torch's argument parser does
    if isinstance(seed, np.integer):
        raise TypeError("an integer is required")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RuntimeError(f"{who} expected a long, but got {type(seed).__name__}")
    if seed < -(1 << 63) or seed >= 1 << 64:
        raise ValueError("Overflow when unpacking long long")
    return seed & ((1 << 64) - 1)


class Generator:
    """A pseudo-random number generator state, as ``torch.Generator``."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        if self.device.type != "cpu":
            raise RuntimeError("Cannot get CUDA generator: numtorch generators live on the CPU")
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Sets the seed for generating random numbers; returns the generator."""
        seed = _seed_int(seed)
        self._seed = seed
        self._bits = np.random.MT19937(0)
        self._bits._legacy_seeding(seed & 0xFFFFFFFF)
        self._fresh = True
        self._normal = None
        self._float_normal = None
        return self

    def initial_seed(self):
        """The initial seed for generating random numbers."""
        return self._seed

    def seed(self):
        """Seeds from a non-deterministic random number and returns it."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def get_offset(self):
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset):
        raise RuntimeError("CPU Generator does not use offset")

    def clone_state(self):
        """A new generator with a copy of this generator's state."""
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    # ------------------------------------------------------------------------------------------ draws

    def words(self, n):
        """``n`` raw 32-bit engine outputs (as uint64)."""
        self._fresh = False
        return self._bits.random_raw(n)

    def words64(self, n):
        """``n`` draws of torch's ``random64()``: two words, the first in the high half."""
        w = self.words(2 * n)
        return (w[0::2] << _U64(32)) | w[1::2]

    def uniform32(self, n):
        """``n`` float32 uniforms in [0, 1) from 24 bits of one word each."""
        w = self.words(n) & _U64((1 << 24) - 1)
        return w.astype(np.float32) * np.float32(2.0 ** -24)

    def uniform64(self, n):
        """``n`` float64 uniforms in [0, 1) from 53 bits of ``random64()`` each."""
        w = self.words64(n) & _U64((1 << 53) - 1)
        return w.astype(np.float64) * 2.0 ** -53

    # ------------------------------------------------------------------------------------------ state

    def get_state(self):
        """The generator state as a ``torch.ByteTensor``."""
        from ._ops.creation import tensor
        st = self._bits.state["state"]
        pos = int(st["pos"])
        raw = np.zeros(_STATE_SIZE, np.uint8)
        nxt = 0 if self._fresh and pos == _N else pos
        raw[:24] = np.array([self._seed, (1 << 32) + 625 - pos, nxt], np.uint64).view(np.uint8)
        raw[_WORDS_AT:_WORDS_AT + 8 * _N] = st["key"].astype(np.uint64).view(np.uint8)
        if self._normal is not None:
            raw[_NORMAL_Y_AT:_NORMAL_Y_AT + 8] = np.array([self._normal], np.float64).view(np.uint8)
            raw[_NORMAL_VALID_AT] = 1
        if self._float_normal is not None:
            cached = np.array([self._float_normal], np.float32)
            raw[_FLOAT_NORMAL_AT:_FLOAT_NORMAL_AT + 4] = cached.view(np.uint8)
            raw[_FLOAT_VALID_AT] = 1
        return tensor(raw)

    def set_state(self, new_state):
        """Sets the generator state from a ``torch.ByteTensor``."""
        from ._tensor import Tensor
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtype.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        raw = np.ascontiguousarray(np.asarray(new_state._data).reshape(-1))
        if raw.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input "
                               f"RNG state size to be {raw.size}")
        head = raw[:24].view(np.uint64)
        left = int(head[1] & _U64(0xFFFFFFFF))
        nxt = int(head[2])
        key = raw[_WORDS_AT:_WORDS_AT + 8 * _N].view(np.uint64).astype(np.uint32)
        pos = _N if left <= 1 else nxt
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = int(head[0])
        self._fresh = left <= 1 and nxt == 0
        self._normal = None
        if raw[_NORMAL_VALID_AT]:
            self._normal = float(raw[_NORMAL_Y_AT:_NORMAL_Y_AT + 8].view(np.float64)[0])
        self._float_normal = None
        if raw[_FLOAT_VALID_AT]:
            self._float_normal = float(raw[_FLOAT_NORMAL_AT:_FLOAT_NORMAL_AT + 4].view(np.float32)[0])
        return self


default_generator = Generator()
default_generator.seed()


# the randomness modes of the vmap calls in progress, innermost last (see numtorch._functorch)
VMAP_RANDOMNESS = []


def _gen(generator):
    if VMAP_RANDOMNESS and "error" in VMAP_RANDOMNESS:
        raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                           "'same' or 'different' randomness flags on vmap or perform the randomness operation "
                           "out of vmap")
    return default_generator if generator is None else generator


def manual_seed(seed):
    """Sets the seed for generating random numbers on all devices; returns the default generator."""
    # the module-level function converts anything int() takes (floats, strings, 0-d tensors) first
    return default_generator.manual_seed(int(seed))


def seed():
    """Sets the seed for generating random numbers to a non-deterministic random number; returns it."""
    return default_generator.seed()


def initial_seed():
    """Returns the initial seed for generating random numbers as a Python long."""
    return default_generator.initial_seed()


def get_rng_state():
    """Returns the random number generator state as a ``torch.ByteTensor``."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Sets the random number generator state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Forks the RNG, so that when you return, the RNG is reset to the state that it was previously in."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)
