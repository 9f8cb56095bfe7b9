"""torch.backends.mkl: MKL availability (answered as torch's CPU build does)."""


def is_available():
    """Whether MKL is available."""
    return True
