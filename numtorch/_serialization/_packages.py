"""Storage location taggers and deserializers (``torch.serialization.register_package``).

At save time each storage is tagged with a location string by the first tagger, in priority order,
that returns one; at load time the first deserializer that returns a storage places it. numtorch
registers cpu (priority 10) and cuda (20), as torch does.
"""
import re

registry = []


def register(priority, tagger, deserializer):
    """Add a (tagger, deserializer) pair; pairs run in increasing ``priority``."""
    registry.append((priority, tagger, deserializer))
    # as torch, a plain sort of the tuples: two pairs of one priority then compare their functions
    registry.sort()


def tag(storage):
    """The location string of ``storage`` from the registered taggers."""
    for _, tagger, _ in registry:
        location = tagger(storage)
        if location:
            return location
    raise RuntimeError("don't know how to determine data location of " + _typename(storage))


def restore(storage, location):
    """``storage`` placed at ``location`` by the first registered deserializer that takes it."""
    for _, _, deserializer in registry:
        result = deserializer(storage, location)
        if result is not None:
            return result
    raise RuntimeError(f"don't know how to restore data location of {_typename(storage)} (tagged with "
                       f"{location})")


def _typename(obj):
    from .._storage import UntypedStorage
    return "torch.storage.UntypedStorage" if isinstance(obj, UntypedStorage) else type(obj).__qualname__


def _cpu_tag(obj):
    if obj.device.type == "cpu":
        return "cpu"


def _cpu_deserialize(obj, location):
    if location == "cpu":
        from ._load import _as_storage, _from_storage, default_restore_location
        return _as_storage(default_restore_location(_from_storage(obj), "cpu"))


def _cuda_tag(obj):
    if obj.device.type == "cuda":
        return f"cuda:{obj.device.index}"


def _cuda_deserialize(obj, location):
    if location == "cuda" or re.match("cuda(:|[0-9]+)", location):
        from ._load import _as_storage, _from_storage, default_restore_location
        return _as_storage(default_restore_location(_from_storage(obj), location))


register(10, _cpu_tag, _cpu_deserialize)
register(20, _cuda_tag, _cuda_deserialize)
