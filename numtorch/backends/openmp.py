"""torch.backends.openmp: OpenMP availability (answered as torch's CPU build does)."""


def is_available():
    """Whether OpenMP is available."""
    return True
