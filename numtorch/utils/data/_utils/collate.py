"""default_collate / default_convert: turning lists of samples into batched tensors, as torch does."""
import collections
import copy
import re

import numpy as np

import numtorch

from . import shm

# NumPy dtype codes for bytes, str and object arrays, which stay as they are
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(elem_type):
    return elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_")


def _rebuild_like(data, items, elem_type):
    """``data``'s container type holding ``items``; a plain list/dict if that type cannot be rebuilt."""
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(items)
                return clone
            return elem_type(items)
        except TypeError:
            return dict(items)
    try:
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return elem_type(items)
    except TypeError:
        return list(items)


def default_convert(data):
    """Converts NumPy arrays and scalars (also inside containers) to tensors, without batching."""
    elem_type = type(data)
    if isinstance(data, numtorch.Tensor):
        return data
    if _is_numpy_value(elem_type):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return numtorch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data}, elem_type)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        # torch turns plain tuples into lists here
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data], elem_type)
    return data


def collate(batch, *, collate_fn_map=None):
    """Collates ``batch`` by the type of its first element, dispatching through ``collate_fn_map``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        items = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        return _rebuild_like(elem, items, elem_type)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # zip's tuples are passed on as they are: a batch of strings comes back as that tuple
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild_like(elem, columns, elem_type)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stacks tensors along a new first dimension (straight into shared memory inside a worker)."""
    elem = batch[0]
    if getattr(elem, "is_nested", False):
        raise RuntimeError(
            "Batches of nested tensors are not currently supported by the default collate_fn; "
            "please provide a custom collate_fn to handle them appropriately.")
    if str(elem.layout) != "torch.strided":
        raise RuntimeError(
            "Batches of sparse tensors are not currently supported by the default collate_fn; "
            "please provide a custom collate_fn to handle them appropriately.")
    out = None
    if shm.in_worker() and type(elem._data) is np.ndarray:
        shape = (len(batch), *elem.shape)
        same = all(x.dtype == elem.dtype and x.shape == elem.shape for x in batch)
        if same and elem._data.itemsize * int(np.prod(shape)) >= shm.MIN_BYTES:
            # the stacked batch is written once, into the file that carries it to the main process
            arr = shm.empty(shape, elem._data.dtype)
            out = None if arr is None else numtorch.Tensor._wrap(arr)
    return numtorch.stack(batch, 0, out=out)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Collates NumPy arrays as tensors; arrays of strings or objects are rejected."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([numtorch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """Collates NumPy scalars into a 1-D tensor of their dtype."""
    return numtorch.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Collates Python floats into a float64 tensor."""
    return numtorch.tensor(batch, dtype=numtorch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Collates Python ints (and bools) into an int64 (bool) tensor."""
    return numtorch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes are batched as the list they came in."""
    return batch


default_collate_fn_map = {
    numtorch.Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stacks a list of samples into batched tensors, keeping the samples' container structure."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
