"""torch.cuda memory queries over CuPy's default memory pool.

CuPy keeps no peak statistics, so peaks are the largest values seen by any query since the last reset.
Without CUDA the statistics are empty and the byte counts are 0, as in a CPU-only torch.
"""
import collections

from .._device import cupy_module

_peak = {"allocated": 0, "reserved": 0}


def memory_stats(device=None):
    """Dictionary of CUDA memory allocator statistics (empty without CUDA)."""
    cp = cupy_module()
    stats = collections.OrderedDict()
    if cp is None:
        return stats
    pool = cp.get_default_memory_pool()
    cur = {"allocated": pool.used_bytes(), "reserved": pool.total_bytes()}
    for kind, value in cur.items():
        _peak[kind] = max(_peak[kind], value)
        stats[f"{kind}_bytes.all.current"] = value
        stats[f"{kind}_bytes.all.peak"] = _peak[kind]
    return stats


def memory_allocated(device=None):
    """Bytes currently occupied by tensors on the device."""
    return memory_stats(device).get("allocated_bytes.all.current", 0)


def max_memory_allocated(device=None):
    """Peak bytes occupied by tensors on the device."""
    return memory_stats(device).get("allocated_bytes.all.peak", 0)


def memory_reserved(device=None):
    """Bytes held by the caching allocator on the device."""
    return memory_stats(device).get("reserved_bytes.all.current", 0)


def max_memory_reserved(device=None):
    """Peak bytes held by the caching allocator on the device."""
    return memory_stats(device).get("reserved_bytes.all.peak", 0)


def reset_peak_memory_stats(device=None):
    """Reset the peak statistics to the current values."""
    if cupy_module() is None:
        # torch's CPU build fails on the missing C binding: keep its exception type
        raise AttributeError("reset_peak_memory_stats: Torch not compiled with CUDA enabled")
    _peak["allocated"] = _peak["reserved"] = 0
    memory_stats(device)


def reset_max_memory_allocated(device=None):
    """Reset the peak allocated bytes (deprecated in favour of reset_peak_memory_stats)."""
    reset_peak_memory_stats(device)


def empty_cache():
    """Release unused cached blocks held by the allocator (a no-op without CUDA)."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()
        cp.get_default_pinned_memory_pool().free_all_blocks()


def mem_get_info(device=None):
    """(free, total) bytes of device memory."""
    from . import _lazy_init
    _lazy_init()
    return cupy_module().cuda.runtime.memGetInfo()


def ipc_collect():
    """Free memory held by tensors shared with other processes (nothing to do with CuPy)."""
    from . import _lazy_init
    _lazy_init()


def memory_summary(device=None, abbreviated=False):
    """A human-readable table of the allocator's statistics."""
    stats = memory_stats(device)
    rows = [("Allocated memory", "allocated"), ("Reserved memory", "reserved")]
    lines = ["|" + "=" * 60 + "|", "|{:^60}|".format("PyTorch CUDA memory summary"), "|" + "-" * 60 + "|",
             "| {:<22}| {:>16} | {:>16} |".format("Metric", "Cur Usage", "Peak Usage")]
    for label, key in rows:
        # a missing key is torch's KeyError on an empty (CPU-only) statistics dict
        cur, peak = stats[f"{key}_bytes.all.current"], stats[f"{key}_bytes.all.peak"]
        lines.append("| {:<22}| {:>13} B | {:>13} B |".format(label, cur, peak))
    lines.append("|" + "=" * 60 + "|")
    return "\n".join(lines) + "\n"
