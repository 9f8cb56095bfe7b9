"""Helpers behind DataLoader: collation, fetching, worker processes, shared-memory transport."""
import atexit
import sys
import traceback

# seconds between checks that workers (or, in a worker, the main process) are still alive
MP_STATUS_CHECK_INTERVAL = 5.0

python_exit_status = False


class KeyErrorMessage(str):
    """A message that a KeyError prints without quoting, so the worker traceback stays readable."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its formatted traceback, carried from a worker to the main process."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type here, its message holding the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # the type needs other constructor arguments; keep the text at least
            raise RuntimeError(msg) from None
        raise exception


def _set_python_exit_flag():
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)

from . import collate, fetch, shm, worker  # noqa: E402
