"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local, as torch)."""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    inference = False


state = _State()


def is_grad_enabled():
    """Whether gradient recording is currently enabled in this thread."""
    return state.enabled


def is_inference_mode_enabled():
    """Whether inference mode is currently enabled in this thread."""
    return state.inference


class _DecoratorContextManager:
    """A context manager that also works as a decorator (on functions and generators)."""

    def __call__(self, fn):
        if inspect.isclass(fn):
            raise RuntimeError("Grad mode context managers cannot decorate classes")
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen(*args, **kwargs):
                g = fn(*args, **kwargs)
                with self.clone():
                    reply = next(g)
                while True:
                    try:
                        sent = yield reply
                    except GeneratorExit:
                        g.close()
                        raise
                    with self.clone():
                        try:
                            reply = g.send(sent)
                        except StopIteration as e:
                            return e.value
            return gen

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Context manager / decorator that disables gradient recording."""

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc):
        state.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Context manager / decorator that enables gradient recording."""

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Sets gradient recording on or off; usable as a function, context manager or decorator."""

    def __init__(self, mode):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __call__(self, fn):
        state.enabled = self.prev
        return super().__call__(fn)

    def __enter__(self):
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad, and marks tensors created inside as inference tensors."""

    def __init__(self, mode=True):
        self.mode = mode

    def __new__(cls, mode=True):
        # torch allows the bare decorator form ``@inference_mode`` as well as ``@inference_mode()``.
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled, state.inference = False, True
        else:
            state.inference = False

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)
