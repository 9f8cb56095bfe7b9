"""torch.cuda streams and events over CuPy's."""
from .._device import cupy_module


def _require(what):
    if cupy_module() is None:
        raise RuntimeError(f"torch.cuda.{what} requires CUDA support")
    from . import _lazy_init
    _lazy_init()
    return cupy_module()


class Stream:
    """A CUDA stream: an ordered queue of kernels on one device."""

    def __init__(self, device=None, priority=0, **kwargs):
        self._cp = _require("Stream").cuda.Stream(non_blocking=False)

    @classmethod
    def _wrap(cls, cp_stream):
        s = object.__new__(cls)
        s._cp = cp_stream
        return s

    def synchronize(self):
        """Wait for all work queued on this stream."""
        self._cp.synchronize()

    def wait_stream(self, stream):
        """Make later work on this stream wait for the work already queued on ``stream``."""
        self._cp.wait_event(stream._cp.record())

    def wait_event(self, event):
        """Make later work on this stream wait for ``event``."""
        self._cp.wait_event(event._cp)

    def record_event(self, event=None):
        """Record an event on this stream."""
        event = event if event is not None else Event()
        event.record(self)
        return event

    def query(self):
        """Whether all work on this stream has finished."""
        return self._cp.done

    def __eq__(self, other):
        return isinstance(other, Stream) and self._cp == other._cp

    def __repr__(self):
        dev = getattr(self._cp, "device_id", None)
        if dev is None:
            dev = cupy_module().cuda.Device().id
        return f"<torch.cuda.Stream device=cuda:{dev} cuda_stream={hex(self._cp.ptr)}>"

    def __hash__(self):
        return hash(self._cp)


class Event:
    """A CUDA event: a marker in a stream, used for synchronization and timing."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if cupy_module() is None:
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self._cp = _require("Event").cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        """Record the event on ``stream`` (the current stream by default)."""
        self._cp.record((stream or current_stream())._cp)

    def synchronize(self):
        """Wait until the event has completed."""
        self._cp.synchronize()

    def query(self):
        """Whether the event has completed."""
        return self._cp.done

    def wait(self, stream=None):
        """Make later work on ``stream`` wait for this event."""
        (stream or current_stream()).wait_event(self)

    def elapsed_time(self, end_event):
        """Milliseconds between this event and ``end_event``."""
        return cupy_module().cuda.get_elapsed_time(self._cp, end_event._cp)


def current_stream(device=None):
    """The stream currently selected on the device."""
    from . import _lazy_init
    _lazy_init()
    return Stream._wrap(cupy_module().cuda.get_current_stream())


def default_stream(device=None):
    """The default stream of the device."""
    from . import _lazy_init
    _lazy_init()
    return Stream._wrap(cupy_module().cuda.Stream.null)


def synchronize(device=None):
    """Wait for all kernels on the device to finish."""
    from . import _lazy_init
    _lazy_init()
    cupy_module().cuda.Device().synchronize()


class StreamContext:
    """Context manager that selects a stream (a no-op for None)."""

    def __init__(self, stream):
        self.stream = stream
        self._prev = None

    def __enter__(self):
        if self.stream is None:
            return
        self._prev = cupy_module().cuda.get_current_stream()
        self.stream._cp.use()

    def __exit__(self, *exc):
        if self._prev is not None:
            self._prev.use()
        return False


def stream(stream):
    """Context manager that selects a stream."""
    return StreamContext(stream)
