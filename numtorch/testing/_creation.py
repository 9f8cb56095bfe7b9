"""torch.testing.make_tensor: random test tensors drawn with torch's own sampling recipe (same numbers
for the same seed)."""
import math
import warnings

from .. import _dtype


def _integral():
    names = ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")
    return [getattr(_dtype, n) for n in names if hasattr(_dtype, n)]


def _floating_or_complex():
    names = ("float16", "bfloat16", "float32", "float64", "complex32", "complex64", "complex128")
    return [getattr(_dtype, n) for n in names if hasattr(_dtype, n)]


def _bounds(dtype, low, high, lowest, highest, default_low, default_high, floating):
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and floating:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                      "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} "
                         f"only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    return (low, high) if floating else (math.ceil(low), math.ceil(high))


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """Creates a tensor of ``shape`` and ``dtype`` filled with values drawn uniformly from ``[low, high)``."""
    from .. import empty, finfo, iinfo, randint, view_as_real
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but "
                         f"got noncontiguous={noncontiguous} and memory_format={memory_format}")
    integral = dtype is _dtype.bool or dtype in _integral()
    if requires_grad and integral:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dtype is _dtype.bool:
        lo, hi = _bounds(dtype, low, high, 0, 2, 0, 2, False)
        result = randint(lo, hi, shape, device=device, dtype=dtype)
    elif integral:
        info = iinfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min, info.max + (dtype is not _dtype.int64), -9, 10, False)
        result = randint(lo, hi, shape, device=device, dtype=dtype)
    elif dtype in _floating_or_complex():
        info = finfo(dtype)
        lo, hi = _bounds(dtype, low, high, info.min, info.max, -9, 9, True)
        result = empty(shape, device=device, dtype=dtype)
        target = view_as_real(result) if dtype.is_complex else result
        # uniform_ needs high - low to be representable: halve the range, then double the samples
        if hi - lo >= finfo(target.dtype).max:
            target.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            target.uniform_(lo, hi)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor(). To "
                        f"request support, file an issue at: https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if integral else finfo(dtype).tiny
    if not integral:
        result.requires_grad = requires_grad
    return result
