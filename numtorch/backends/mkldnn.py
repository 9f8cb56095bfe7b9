"""torch.backends.mkldnn: oneDNN flags (recorded; NumPy's BLAS does the work)."""
enabled = True
deterministic = False


def is_available():
    """Whether oneDNN is available (answered as torch's CPU build does)."""
    return True
