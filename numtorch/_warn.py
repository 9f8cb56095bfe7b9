"""Warnings raised inside functions that numtorch's autocast wraps, located where torch locates them."""
import os
import sys
import warnings

# torch's autocast runs below Python, in its dispatcher; numtorch's is a Python wrapper around the policy
# functions, one frame that torch's stack levels do not count
_WRAPPER = os.path.join("amp", "autocast_mode.py")


def warn(message, category=UserWarning, stacklevel=1):
    """``warnings.warn`` with ``stacklevel`` counted from the caller as torch counts it, skipping the
    frames of numtorch's autocast wrappers."""
    frame, skipped = sys._getframe(1), 0
    for _ in range(stacklevel - 1):
        frame = frame.f_back
        while frame is not None and frame.f_code.co_filename.endswith(_WRAPPER):
            frame, skipped = frame.f_back, skipped + 1
        if frame is None:
            break
    warnings.warn(message, category, stacklevel=stacklevel + 1 + skipped)
