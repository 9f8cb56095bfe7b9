"""torch.testing.assert_close: compare (nested) tensors and numbers with dtype-aware tolerances."""
import cmath
import collections.abc
import warnings

import numpy as np

from .. import _dtype

# (rtol, atol) torch uses when none are given; every other dtype is compared exactly
_PRECISIONS = {
    _dtype.float16: (0.001, 1e-5),
    _dtype.bfloat16: (0.016, 1e-5),
    _dtype.float32: (1.3e-6, 1e-5),
    _dtype.float64: (1e-7, 1e-7),
    _dtype.complex32: (0.001, 1e-5),
    _dtype.complex64: (1.3e-6, 1e-5),
    _dtype.complex128: (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: _dtype.int64, float: _dtype.float64, complex: _dtype.complex128}


class _Fail(Exception):
    """A comparison failure: the exception type to raise, its message and the item path it occurred at."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.type(msg)
        text = self.msg
        if self.id:
            text += "\n\nThe failure occurred for item " + "".join(str([item]) for item in self.id)
        return self.type(msg(text) if callable(msg) else text)


def default_tolerances(*dtypes, precisions=None):
    """Loosest (rtol, atol) over ``dtypes``."""
    table = precisions or _PRECISIONS
    rtols, atols = zip(*[table.get(d, (0.0, 0.0)) for d in dtypes])
    return max(rtols), max(atols)


def _tolerances(dtypes, rtol, atol, id):
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Fail(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                f"{missing}.", id)
    if rtol is not None:
        return rtol, atol
    return default_tolerances(*dtypes)


def _mismatch_msg(kind, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol, identifier=None):
    equality = rtol == 0 and atol == 0

    def line(name, diff, idx, tol):
        if idx is None:
            text = f"{name.title()} difference: {diff}"
        else:
            text = f"Greatest {name} difference: {diff} at index {idx}"
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"
    msg = f"{kind} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, atol, rel_diff,
                         None, rtol)


def _tensor_msg(actual, expected, matches, rtol, atol):
    from .. import int64, where, zeros_like
    total = matches.numel()
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not a.dtype.is_floating_point and not a.dtype.is_complex:
        a, e = a.to(int64), e.to(int64)
    abs_diff = (a - e).abs()
    abs_diff = where(m, zeros_like(abs_diff), abs_diff)
    rel_diff = abs_diff / e.abs()
    rel_diff = where(m, zeros_like(rel_diff), rel_diff)
    shape = tuple(matches.shape)
    max_abs, abs_i = abs_diff.max(0)
    max_rel, rel_i = rel_diff.max(0)
    unravel = (lambda i: tuple(int(v) for v in np.unravel_index(int(i), shape))) if shape else (lambda i: ())
    return _mismatch_msg("Tensor-likes", extra, max_abs.item(), unravel(abs_i), atol, max_rel.item(),
                         unravel(rel_i), rtol)


def _is_tensor_like(x):
    from .._tensor import Tensor
    return isinstance(x, (Tensor, np.ndarray))


def _number_pair(actual, expected, id, rtol, atol, equal_nan, check_dtype, **_):
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    if isinstance(actual, bool) or isinstance(expected, bool):
        # torch's NumberPair has no dtype for bool and fails while being built
        raise _Fail(RuntimeError, f"Originating a NumberPair() at item {''.join(str([i]) for i in id)} with "
                                  f"{type(actual).__name__}(): {actual} and {type(expected).__name__}(): "
                                  f"{expected} resulted in an unexpected exception.")
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (actual, expected)], rtol, atol, id)

    def compare():
        if check_dtype and type(actual) is not type(expected):
            raise _Fail(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.", id)
        if actual == expected or equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
            return
        abs_diff = abs(actual - expected)
        if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
            return
        raise _Fail(AssertionError, _scalar_msg(actual, expected, rtol, atol), id)
    return compare


def _tensor_pair(actual, expected, id, rtol, atol, equal_nan, check_device, check_dtype, check_stride, **_):
    from .. import as_tensor
    actual, expected = as_tensor(actual), as_tensor(expected)
    rtol, atol = _tolerances([actual.dtype, expected.dtype], rtol, atol, id)

    def fail_attr(name, a, e):
        raise _Fail(AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", id)

    def compare():
        a, e = actual, expected
        if a.shape != e.shape:
            fail_attr("shape", a.shape, e.shape)
        if check_stride and a.stride() != e.stride():
            fail_attr("stride()", a.stride(), e.stride())
        if check_device and a.device != e.device:
            fail_attr("device", a.device, e.device)
        if check_dtype and a.dtype != e.dtype:
            fail_attr("dtype", a.dtype, e.dtype)
        a, e = a.detach(), e.detach()
        if a.device != e.device:
            a, e = a.cpu(), e.cpu()
        if a.dtype != e.dtype:
            common = _dtype.promote_types(a.dtype, e.dtype)
            a, e = a.to(common), e.to(common)
        from .. import isclose
        matches = isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
        if bool(matches.all()):
            return
        if a.shape == ():
            msg = _scalar_msg(a.item(), e.item(), rtol, atol)
        else:
            msg = _tensor_msg(a, e, matches, rtol, atol)
        raise _Fail(AssertionError, msg, id)
    return compare


def _make_pair(actual, expected, id, options):
    if actual is None or expected is None:
        if actual is None and expected is None:
            return lambda: None
        return _fail_later(AssertionError, f"None mismatch: {actual} is not {expected}", id)
    bools = (bool, np.bool_)
    if isinstance(actual, bools) and isinstance(expected, bools):
        a, e = bool(actual), bool(expected)
        if a == e:
            return lambda: None
        return _fail_later(AssertionError, f"Booleans mismatch: {a} is not {e}", id)
    numbers = (int, float, complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        return _number_pair(actual, expected, id, **options)
    if _is_tensor_like(actual) and _is_tensor_like(expected):
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
        if related and (options["allow_subclasses"] or type(actual) is type(expected)):
            return _tensor_pair(actual, expected, id, **options)
    raise _Fail(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                           f"{type(expected)}.", id)


def _fail_later(type, msg, id):
    def compare():
        raise _Fail(type, msg, id)
    return compare


def _originate(actual, expected, id, options):
    seq, mapping = collections.abc.Sequence, collections.abc.Mapping
    if isinstance(actual, seq) and not isinstance(actual, str) and isinstance(expected, seq) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Fail(AssertionError, f"The length of the sequences mismatch: {len(actual)} != "
                                        f"{len(expected)}", id)
        return [p for i in range(len(actual)) for p in _originate(actual[i], expected[i], (*id, i), options)]
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _Fail(AssertionError, "The keys of the mappings do not match:\n"
                                        f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                                        f"Additional keys in the actual mapping: {sorted(ak - ek)}", id)
        try:
            keys = sorted(ak)
        except Exception:  # unorderable keys keep the mapping's own order
            keys = list(actual.keys())
        return [p for k in keys for p in _originate(actual[k], expected[k], (*id, k), options)]
    return [_make_pair(actual, expected, id, options)]


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Asserts that ``actual`` and ``expected`` are close (tensors, numbers, or nested sequences/mappings)."""
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    try:
        pairs = _originate(actual, expected, (), options)
    except _Fail as fail:
        raise fail.to_error() from None
    for compare in pairs:
        try:
            compare()
        except _Fail as fail:
            raise fail.to_error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated: use ``assert_close``; looser default tolerances and no dtype check."""
    from .. import tensor
    from .._tensor import Tensor
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
                  "future release. Please use `torch.testing.assert_close()` instead. You can find detailed "
                  "upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning,
                  stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = default_tolerances(actual.dtype, expected.dtype, precisions={
            _dtype.float16: (1e-3, 1e-3), _dtype.float32: (1e-4, 1e-5), _dtype.float64: (1e-5, 1e-8)})
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
