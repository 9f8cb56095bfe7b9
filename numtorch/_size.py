"""torch.Size: a tuple subclass describing a tensor's shape."""


class Size(tuple):
    """The shape of a tensor: a tuple of ints with torch's repr and ``numel()``."""

    def __new__(cls, sizes=()):
        if isinstance(sizes, Size):
            return sizes
        try:
            vals = tuple(sizes)
        except TypeError:
            raise TypeError(f"'{type(sizes).__name__}' object is not iterable") from None
        out = []
        for v in vals:
            if not hasattr(v, "__index__"):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {len(out)} is "
                                f"'{type(v).__name__}')")
            out.append(v.__index__())
        return super().__new__(cls, out)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = super().__getitem__(key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


def _fast_size(shape):
    # Shapes from NumPy are already tuples of ints: skip validation.
    return tuple.__new__(Size, shape)
