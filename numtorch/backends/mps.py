"""torch.backends.mps: Apple Metal (never available in numtorch)."""


def is_available():
    """Whether MPS can be used (never)."""
    return False


def is_built():
    """Whether numtorch was built with MPS (never)."""
    return False


def is_macos_or_newer(major, minor):
    """Whether the MPS device runs at least that macOS version (no MPS, so never)."""
    return False
