"""torch.nn.utils.rnn: packed sequences and padding helpers for the recurrent layers.

Packing is one boolean selection of the time-major padded tensor (lengths sorted decreasing, so each
step's valid rows come first); unpacking is one gather from the packed rows plus a padding row.
"""
from collections.abc import Iterable
from typing import NamedTuple

import numtorch
from numtorch import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _bind(t, fn):
    return None if t is None else fn(t)


class PackedSequence(PackedSequence_):
    """Holds the data and list of ``batch_sizes`` of a packed sequence."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never "
                             "be created manually. They should be instantiated by functions like "
                             "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                             "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes, _bind(self.sorted_indices,
                          lambda t: t.pin_memory()), _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def to(self, *args, **kwargs):
        """Performs dtype and/or device conversion on ``self.data``."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        non_blocking = kwargs.get("non_blocking", False)

        def move(t):
            return t.to(data.device, non_blocking=non_blocking)
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, move),
                          _bind(self.unsorted_indices, move))

    def cuda(self, *args, **kwargs):
        kwargs.setdefault("device", "cuda")
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        kwargs.setdefault("device", "cpu")
        return self.to(*args, **kwargs)

    def double(self):
        return self.to(dtype=numtorch.double)

    def float(self):
        return self.to(dtype=numtorch.float)

    def half(self):
        return self.to(dtype=numtorch.half)

    def long(self):
        return self.to(dtype=numtorch.long)

    def int(self):
        return self.to(dtype=numtorch.int)

    def short(self):
        return self.to(dtype=numtorch.short)

    def char(self):
        return self.to(dtype=numtorch.int8)

    def byte(self):
        return self.to(dtype=numtorch.uint8)

    @property
    def is_cuda(self):
        """Returns true if ``self.data`` stored on a gpu."""
        return self.data.is_cuda

    def is_pinned(self):
        """Returns true if ``self.data`` stored on in pinned memory."""
        return self.data.is_pinned()


def invert_permutation(permutation):
    """The inverse of a permutation given as an index tensor (None stays None)."""
    if permutation is None:
        return None
    out = numtorch.empty_like(permutation)
    return out.scatter_(0, permutation, numtorch.arange(permutation.numel(), device=permutation.device))


def _check_lengths(lengths):
    n = lengths.numel()
    if n and int(lengths[n - 1]) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if n > 1 and bool((lengths[1:] > lengths[:-1]).any()):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")


def _pack(input, lengths, batch_first):
    if batch_first:
        input = input.transpose(0, 1)
    if lengths.numel() != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.numel()} "
                           f"(batch_size={input.shape[1]})")
    _check_lengths(lengths)
    steps = int(lengths[0])
    mask = numtorch.arange(steps).unsqueeze(1) < lengths.unsqueeze(0)
    batch_sizes = mask.sum(1)
    return input[:steps][mask.to(input.device)], batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a Tensor containing padded sequences of variable length."""
    if isinstance(lengths, Tensor):
        lengths = lengths.to(dtype=numtorch.int64)
    else:
        lengths = numtorch.as_tensor(lengths, dtype=numtorch.int64, device="cpu")
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = numtorch.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _unpack(data, batch_sizes, batch_first, padding_value, total):
    batch = int(batch_sizes[0])
    mask = batch_sizes.unsqueeze(1) > numtorch.arange(batch).unsqueeze(0)
    lengths = mask.sum(0)
    if total > mask.shape[0]:
        mask = numtorch.cat([mask, mask.new_zeros((total - mask.shape[0], batch))])
    flat = mask.reshape(-1)
    # Each padded slot reads its packed row, or the extra padding row appended at the end.
    index = numtorch.where(flat, flat.cumsum(0) - 1, data.shape[0]).to(data.device)
    pad_row = data.new_full((1, *data.shape[1:]), padding_value)
    out = numtorch.cat([data, pad_row]).index_select(0, index).reshape(total, batch, *data.shape[1:])
    return (out.transpose(0, 1) if batch_first else out), lengths


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Pads a packed batch of variable length sequences; returns the padded tensor and the lengths."""
    steps = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being "
                             f"{steps}")
        steps = total_length
    out, lengths = _unpack(sequence.data, sequence.batch_sizes, batch_first, padding_value, steps)
    order = sequence.unsorted_indices
    if order is None:
        return out, lengths
    return out.index_select(0 if batch_first else 1, order), lengths[order.cpu()]


def _padded(seq, steps, trail, dtype, value, left):
    seq = seq.to(dtype).expand(seq.shape[0], *trail)
    if seq.shape[0] == steps:
        return seq
    pad = seq.new_full((steps - seq.shape[0], *trail), value)
    return numtorch.cat([pad, seq] if left else [seq, pad])


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pads a list of variable length Tensors with ``padding_value``."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    steps = max(s.shape[0] for s in sequences)
    first = sequences[0]
    trail = tuple(first.shape[1:])
    cols = [_padded(s, steps, trail, first.dtype, padding_value, padding_side == "left") for s in sequences]
    return numtorch.stack(cols, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Unpads a padded Tensor into a list of variable length Tensors."""
    if not batch_first:
        # torch transposes the caller's tensor in place here; reproduced so the side effect matches.
        padded_sequences.transpose_(0, 1)
    index = numtorch.arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[index < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of variable length Tensors."""
    lengths = numtorch.as_tensor([s.size(0) for s in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Unpacks a PackedSequence into a list of variable length Tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
