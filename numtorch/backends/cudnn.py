"""torch.backends.cudnn: cuDNN flags (recorded; numtorch never calls cuDNN)."""
import contextlib

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    """Whether cuDNN can be used (never: numtorch's CUDA path is CuPy without cuDNN)."""
    return False


def version():
    """cuDNN version, or None when cuDNN is absent."""
    return None


def is_acceptable(tensor):
    """Whether cuDNN would handle ``tensor``."""
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Temporarily set the cuDNN flags."""
    g = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    old = {n: g[n] for n in names}
    g.update(zip(names, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)))
    try:
        yield
    finally:
        g.update(old)
