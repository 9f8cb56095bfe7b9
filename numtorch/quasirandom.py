"""Sobol' low-discrepancy sequences, as ``torch.quasirandom``.

The direction numbers are S. Joe and F. Y. Kuo's table ``new-joe-kuo-6.21201`` (search criterion D(6),
21201 dimensions; https://web.maths.unsw.edu.au/~fkuo/sobol/), from S. Joe and F. Y. Kuo, "Constructing
Sobol sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008), 2635-2654.
``_data/sobol_directions.npz`` holds it bit-packed (its README.md gives the layout); it is read the first
time an engine is made.

Points are integers of ``MAXBIT`` bits scaled by ``2**-MAXBIT``. Point ``k`` is the shift XOR the
direction numbers picked by the bits of the Gray code of ``k``, so a run of points is a cumulative XOR of
one direction number per step and a skip is a single XOR.
"""
import functools
import operator
import os

import numpy as np

import numtorch
from ._tensor import Tensor

_MAXBIT = 30
_DATA = os.path.join(os.path.dirname(__file__), "_data", "sobol_directions.npz")
_BLOCK = 1 << 20  # elements of a draw computed at once, to bound the integer scratch memory


@functools.cache
def _direction_table():
    """Primitive polynomials (as integers, leading and constant terms included) and initial direction
    numbers ``m_1..m_s`` (one row per dimension, zero past the degree ``s``) of all 21201 dimensions."""
    with np.load(_DATA) as f:
        steps, packed = f["poly_half_steps"], f["bits"]
    poly = np.concatenate(([1], 1 + 2 * np.cumsum(steps, dtype=np.int64)))
    degree = np.frexp(poly)[1] - 1
    init = np.zeros((poly.size, degree[-1]), np.int64)
    init[1:, 0] = 1
    bits = np.unpackbits(packed).astype(np.int64)
    at = 0
    # Column i keeps i-1 free bits (m_i is odd and below 2**i) for each dimension of degree >= i; the
    # degrees are sorted, so those dimensions are the last rows.
    for i in range(2, degree[-1] + 1):
        first, width = np.searchsorted(degree, i), i - 1
        chunk = bits[at:at + (poly.size - first) * width].reshape(-1, width)
        init[first:, i - 1] = 2 * (chunk @ (1 << np.arange(width - 1, -1, -1))) + 1
        at += chunk.size
    return poly, degree, init


def _initial_state(dimension):
    """The (dimension, MAXBIT) direction numbers, left-aligned to MAXBIT bits."""
    poly, degree, init = (a[:dimension] for a in _direction_table())
    v = np.zeros((dimension, _MAXBIT), np.int64)
    rows = np.arange(dimension)
    k = np.arange(1, init.shape[1] + 1)
    # a_k, the inner coefficients of each polynomial, highest power first
    coeff = (poly[:, None] >> np.maximum(degree[:, None] - k, 0)) & 1 & (k < degree[:, None])
    for j in range(_MAXBIT):
        # Bratley & Fox's recurrence: m_j = m_{j-s} ^ (m_{j-s} << s) ^ XOR_k a_k (m_{j-k} << k)
        back = v[rows, np.maximum(j - degree, 0)]
        new = back ^ (back << degree)
        for i in range(1, min(j, init.shape[1]) + 1):
            new ^= coeff[:, i - 1] * (v[:, j - i] << i)
        start = init[:, j] if j < init.shape[1] else 0
        v[:, j] = np.where(j < degree, start, new)
    v[0] = 1
    return v << np.arange(_MAXBIT - 1, -1, -1)


def _scramble_state(state, lower):
    """Owen's linear matrix scramble: each direction number times a lower unit-triangular bit matrix."""
    lower = lower.copy()
    diag = np.arange(_MAXBIT)
    lower[:, diag, diag] = 1
    # row p of a matrix read as a MAXBIT-bit integer whose column 0 is the top bit
    rows = lower @ (1 << np.arange(_MAXBIT - 1, -1, -1))
    out = np.zeros_like(state)
    for p in range(_MAXBIT):
        parity = np.bitwise_count(state & rows[:, p:p + 1]) & 1
        out |= parity.astype(np.int64) << (_MAXBIT - 1 - p)
    state[...] = out


def _rightmost_zero(index):
    # The direction number step `index` toggles. torch's loop finds no zero bit to the right of a
    # negative index (reachable after fast_forward(-n)) and toggles the first one. Past 2**MAXBIT - 2
    # torch reads beyond its table; the last direction number stands in.
    ones = np.bitwise_count(index ^ (index + 1)).astype(np.intp) - 1
    return np.where(index < 0, 0, np.minimum(ones, _MAXBIT - 1))


def _type_name(value):
    name = type(value).__name__
    return "numpy." + name if type(value).__module__ == "numpy" else name


def _int_arg(value, fn, name, pos):
    """``value`` as torch's argument parser reads an int64 argument."""
    if isinstance(value, Tensor):
        if value.ndim or value.is_floating_point() or value.is_complex() or value.dtype == numtorch.bool:
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not Tensor")
        value = value.item()
    elif isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not {_type_name(value)}")
    value = operator.index(value)
    if not -(1 << 63) <= value < 1 << 63:
        raise ValueError("Overflow when unpacking long long")
    return value


def _sobol_engine_draw(quasi, n, sobolstate, dimension, num_generated, dtype):
    """``n`` points after ``quasi``, the step of the first being ``num_generated``; returns them with the
    new ``quasi``."""
    n = _int_arg(n, "_sobol_engine_draw", "n", 2)
    start = _int_arg(num_generated, "_sobol_engine_draw", "num_generated", 5)
    if not isinstance(dtype, numtorch.dtype):
        raise TypeError("_sobol_engine_draw(): argument 'dtype' must be torch.dtype, "
                        f"not {_type_name(dtype)}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}, {dimension}]")
    if dtype not in (numtorch.float32, numtorch.float64):
        raise NotImplementedError(f"\"_sobol_engine_draw\" not implemented for '{dtype._legacy}'")
    steps = np.ascontiguousarray(sobolstate.numpy().T, np.int32)  # every number fits 30 bits
    last = quasi.numpy().astype(np.int32)
    points = np.empty((n, steps.shape[1]), dtype._np)
    rows = max(1, _BLOCK // max(1, steps.shape[1]))
    for lo in range(0, n, rows):
        hi = min(n, lo + rows)
        ints = np.bitwise_xor.accumulate(steps[_rightmost_zero(np.arange(start + lo, start + hi))], axis=0)
        ints ^= last
        last = ints[-1].copy()
        points[lo:hi] = ints  # the integer rounds to the float type first, as torch's kernel stores it
    points *= points.dtype.type(2.0 ** -_MAXBIT)
    return numtorch.from_numpy(points), numtorch.from_numpy(last.astype(np.int64))


def _gray(k):
    return k ^ (k >> 1)


def _sobol_engine_ff_(quasi, n, sobolstate, dimension, num_generated):
    """Advances ``quasi`` in place by ``n`` steps from step ``num_generated``."""
    n = _int_arg(n, "_sobol_engine_ff_", "n", 2)
    start = _int_arg(num_generated, "_sobol_engine_ff_", "num_generated", 5)
    if n <= 0:
        return quasi
    state = sobolstate.numpy()
    toggle = np.zeros(state.shape[0], np.int64)
    if start < 0 and (min(start + n, 0) - start) % 2:
        toggle ^= state[:, 0]
    lo, hi = max(start, 0), max(start + n, 0)
    code = _gray(lo) ^ _gray(hi)
    # as in _rightmost_zero, the steps that would toggle a bit past MAXBIT toggle the last one
    picked = [min(b, _MAXBIT - 1) for b in range(code.bit_length()) if code >> b & 1]
    toggle ^= np.bitwise_xor.reduce(state[:, picked], axis=1)
    quasi.copy_(quasi ^ numtorch.from_numpy(toggle))
    return quasi


class SobolEngine:
    """An engine for (scrambled) Sobol' sequences of up to 21201 dimensions."""

    MAXBIT = _MAXBIT
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is [1, {self.MAXDIM}]")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        size = _int_arg(dimension, "_sobol_engine_initialize_state_", "dimension", 2)
        self.sobolstate = numtorch.from_numpy(_initial_state(size))
        if not self.scramble:
            self.shift = numtorch.zeros(size, dtype=numtorch.long)
        else:
            self._scramble(size)
        self.quasi = self.shift.clone(memory_format=numtorch.contiguous_format)
        # made in the default dtype of now: a float64 draw later still starts with this rounding
        self._first_point = (self.quasi / 2 ** self.MAXBIT).reshape(1, -1)
        self.num_generated = 0

    def _scramble(self, size):
        g = None
        if self.seed is not None:
            g = numtorch.Generator()
            g.manual_seed(self.seed)
        # torch draws the shift bits, then the matrices, from the same generator
        shift_bits = numtorch.randint(2, (size, self.MAXBIT), generator=g).numpy()
        self.shift = numtorch.from_numpy(shift_bits @ (1 << np.arange(self.MAXBIT)))
        lower = numtorch.randint(2, (size, self.MAXBIT, self.MAXBIT), generator=g).numpy()
        _scramble_state(self.sobolstate.numpy(), np.tril(lower))

    def draw(self, n=1, out=None, dtype=None):
        """Draws the next ``n`` points of the sequence as an ``(n, dimension)`` tensor."""
        if dtype is None:
            dtype = numtorch.get_default_dtype()
        if self.num_generated == 0:
            if n == 1:
                result = self._first_point.to(dtype)
            else:
                result, self.quasi = _sobol_engine_draw(self.quasi, n - 1, self.sobolstate, self.dimension,
                                                        self.num_generated, dtype)
                result = numtorch.cat((self._first_point.to(dtype), result), dim=-2)
        else:
            result, self.quasi = _sobol_engine_draw(self.quasi, n, self.sobolstate, self.dimension,
                                                    self.num_generated - 1, dtype)
        self.num_generated += n
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """Draws the next ``2**m`` points; the total drawn must stay a power of 2."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError(
                "The balance properties of Sobol' points require n to be a power of 2. "
                f"{self.num_generated} points have been previously generated, then: "
                f"n={self.num_generated}+2**{m}={total_n}. If you still want to do this, please use "
                "'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Returns the engine to its first point."""
        self.quasi.copy_(self.shift)
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skips ``n`` points, as drawing them would."""
        if self.num_generated == 0:
            _sobol_engine_ff_(self.quasi, n - 1, self.sobolstate, self.dimension, self.num_generated)
        else:
            _sobol_engine_ff_(self.quasi, n, self.sobolstate, self.dimension, self.num_generated - 1)
        self.num_generated += n
        return self

    def __repr__(self):
        args = [f"dimension={self.dimension}"]
        if self.scramble:
            args.append("scramble=True")
        if self.seed is not None:
            args.append(f"seed={self.seed}")
        return f"{type(self).__name__}({', '.join(args)})"
