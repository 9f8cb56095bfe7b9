"""Generator and seeding. Every random draw in numtorch goes through a Generator.

The engine is the 32-bit Mersenne Twister that torch's CPU generator uses (NumPy's MT19937, seeded the
same way). The transformations from raw words to distributions are refined to torch's bit-exact
algorithms by the randomness work (issue 4).
"""
import numpy as np

from . import _dtype
from ._device import CPU, to_device

_DEFAULT_SEED = 67280421310721


class Generator:
    """A pseudo-random number generator state, as ``torch.Generator``."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seeds the generator; returns it."""
        seed = int(seed)
        self._seed = seed
        self._bits = np.random.MT19937(0)
        self._bits._legacy_seeding(seed & 0xFFFFFFFF)
        self._normal_cache = None
        return self

    def initial_seed(self):
        """The seed the generator was last seeded with."""
        return self._seed

    def seed(self):
        """Seeds from a non-deterministic source and returns the seed."""
        s = int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def random_raw(self, n):
        """``n`` raw 32-bit words from the engine, as uint32."""
        return self._bits.random_raw(n).astype(np.uint32)

    def uniform(self, n, dt):
        """``n`` uniforms in [0, 1) of dtype ``dt`` from raw words."""
        if dt is _dtype.float64:
            w = self._bits.random_raw(2 * n).astype(np.uint64)
            r = (w[0::2] << np.uint64(32)) | w[1::2]
            return (r & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
        w = self._bits.random_raw(n).astype(np.uint64)
        return ((w & np.uint64((1 << 24) - 1)).astype(np.float32) * np.float32(2.0 ** -24)).astype(dt._np)

    def get_state(self):
        from ._ops.creation import tensor
        st = self._bits.state["state"]
        raw = np.concatenate([st["key"].astype(np.uint32).view(np.uint8),
                              np.array([st["pos"]], np.int64).view(np.uint8)])
        return tensor(raw, dtype=_dtype.uint8)

    def set_state(self, new_state):
        raw = np.asarray(new_state._data, np.uint8)
        key = raw[:624 * 4].view(np.uint32)
        pos = int(raw[624 * 4:624 * 4 + 8].view(np.int64)[0])
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key.copy(), "pos": pos}}
        return self


default_generator = Generator()


def _gen(generator):
    return default_generator if generator is None else generator


def manual_seed(seed):
    """Seeds the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seeds the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The initial seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a ByteTensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restores the default generator's state."""
    default_generator.set_state(new_state)
