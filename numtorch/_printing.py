"""Tensor ``repr`` reproducing PyTorch's output character for character, and print options.

The layout works in three steps: cut the data down to what will be shown (summarisation),
turn every shown element into a string whose width is decided once per tensor (the
``_Formatter``), then nest those strings into bracketed, line-wrapped text.
"""
import contextlib
import dataclasses
import math

import numpy as np


@dataclasses.dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: "bool | None" = None


PRINT_OPTS = PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print; ``profile`` ('default', 'short', 'full') is applied first."""
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(PRINT_OPTS, name, value)
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    for name, value in given.items():
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    # Unlike the other options, leaving sci_mode out switches it back to automatic.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options, as keyword arguments accepted by ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Shared notation and column width for one real-valued array of shown elements."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if values.size == 0:
            return
        if not floating:
            # The longest decimal form of an integer (or bool) belongs to its min or its max.
            ends = (values.min().item(), values.max().item())
            self.width = max(len(str(v)) for v in ends)
            return
        # Zeros, nans and infs neither steer the notation nor count towards the width.
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return
        mags = np.abs(shown)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):
                self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        self.width = max(len(s) for s in self.texts(shown))

    def texts(self, values):
        """Unpadded strings for each element of ``values``, in order."""
        values = values.ravel().tolist()
        if not self.floating:
            return [str(v) for v in values]
        if self.sci_mode:
            return [format(v, f".{PRINT_OPTS.precision}e") for v in values]
        if self.int_mode:
            # The trailing dot marks the tensor as floating; nan and inf don't get one.
            return [format(v, ".0f") + ("." if math.isfinite(v) else "") for v in values]
        return [format(v, f".{PRINT_OPTS.precision}f") for v in values]

    def cells(self, values):
        return [s.rjust(self.width) for s in self.texts(values)]


def _summarise(data, summarize):
    """Keep ``edgeitems`` at both ends of each long axis; also say which axes were cut."""
    edge = PRINT_OPTS.edgeitems
    cut = tuple(summarize and n > 2 * edge for n in data.shape)
    for axis, n in enumerate(data.shape):
        if cut[axis]:
            data = np.take(data, np.r_[0:edge, n - edge:n], axis=axis)
    return data, cut


def _cell_grid(data, is_float, is_complex):
    """Element strings shaped like ``data``, and how wide each element is once a ', ' follows."""
    if not is_complex:
        values = data.astype(np.float64) if is_float else data
        fmt = _Formatter(values, is_float)
        cells = fmt.cells(values)
        item_len = fmt.width + 2
    else:
        real, imag = data.real.astype(np.float64), data.imag.astype(np.float64)
        real_fmt, imag_fmt = _Formatter(real, True), _Formatter(imag, True)
        # The imaginary part is never padded, so its sign tells whether a '+' is needed.
        imags = [s + "j" for s in imag_fmt.texts(imag)]
        cells = [r + (i if i[0] in "+-" else "+" + i) for r, i in zip(real_fmt.cells(real), imags)]
        item_len = real_fmt.width + 2 + imag_fmt.width + 1
    grid = np.empty(len(cells), dtype=object)
    grid[:] = cells
    return grid.reshape(data.shape), item_len


def _nest(grid, cut, indent, item_len):
    """Bracket the strings of ``grid``, wrapping rows at the line width."""
    edge = PRINT_OPTS.edgeitems
    if grid.ndim == 1:
        items = grid.tolist()
        if cut[0]:
            items.insert(edge, " ...")
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / item_len))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    blocks = [_nest(sub, cut[1:], indent + 1, item_len) for sub in grid]
    if cut[0]:
        blocks.insert(edge, "...")
    # Deeper blocks are set apart by more blank lines: one per dimension below a matrix.
    return "[" + ("," + "\n" * (grid.ndim - 1) + " " * (indent + 1)).join(blocks) + "]"


def _body(data, dtype, indent):
    """The bracketed contents of a non-empty tensor."""
    summarize = data.size > PRINT_OPTS.threshold
    shown, cut = _summarise(data, summarize)
    if data.ndim and summarize and not PRINT_OPTS.edgeitems:
        return "[...]"
    grid, item_len = _cell_grid(shown, dtype.is_floating_point, dtype.is_complex)
    if data.ndim == 0:
        return grid.item()
    return _nest(grid, cut, indent, item_len)


def _default_dtype_names():
    """Names of the default float dtype and its matching complex dtype."""
    from numtorch._dtype import get_default_dtype
    name = str(get_default_dtype())
    return name, ("torch.complex128" if name == "torch.float64" else "torch.complex64")


def _suffixes(t, shape, empty):
    out = []
    if t.device.type != "cpu":
        out.append(f"device='{t.device}'")
    dtype, (default, default_complex) = str(t.dtype), _default_dtype_names()
    if empty:
        # No elements to guess the dtype from, so only the default float goes unnamed.
        if len(shape) != 1:
            out.append(f"size={tuple(shape)}")
        if dtype != default:
            out.append(f"dtype={dtype}")
    else:
        if not PRINT_OPTS.edgeitems:
            out.append(f"size={tuple(shape)}")
        if dtype not in (default, default_complex, "torch.int64", "torch.bool"):
            out.append(f"dtype={dtype}")
    if t.grad_fn is not None:
        name = getattr(t.grad_fn, "name", None)
        name = name() if callable(name) else type(t.grad_fn).__name__
        # C++-side nodes are named "torch::autograd::X" but print as their class name X.
        out.append(f"grad_fn=<{name.replace('torch::autograd::', '')}>")
    elif t.requires_grad:
        out.append("requires_grad=True")
    return out


def _join_suffixes(text, suffixes, indent):
    # Mirrors torch's measure of the last line, which counts two characters too many
    # when the text is a single line.
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            text += ",\n" + " " * indent + suffix
            last_len = indent + len(suffix)
        else:
            text += ", " + suffix
            last_len += len(suffix) + 2
    return text + ")"


def _host_array(data):
    """A NumPy view of the tensor's storage (device arrays are copied to the host)."""
    if not isinstance(data, np.ndarray) and hasattr(data, "get"):
        data = data.get()
    return np.asarray(data)


def tensor_repr(t, prefix="tensor("):
    """The full ``repr`` of tensor ``t``, e.g. ``tensor([1., 2.], requires_grad=True)``.

    ``prefix`` opens the text; continuation lines are indented to its length.
    ``repr(nn.Parameter)`` is ``"Parameter containing:\\n" + tensor_repr(p)``.
    """
    data = _host_array(t._data)
    empty = data.size == 0
    body = "[]" if empty else _body(data, t.dtype, len(prefix))
    return _join_suffixes(prefix + body, _suffixes(t, data.shape, empty), len(prefix))
