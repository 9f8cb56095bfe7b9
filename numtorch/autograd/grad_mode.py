"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode, anomaly detection (thread-local)."""
import functools
import inspect
import threading
import warnings

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "set_multithreading_enabled",
           "detect_anomaly", "set_detect_anomaly"]


class _State(threading.local):
    # A new thread starts with grad enabled and inference mode off, as in torch.
    enabled = True  # whether ops record graphs: grad mode on and inference mode off
    grad = True  # grad mode as is_grad_enabled() reports it
    inference = False


state = _State()


# Threads now in inference mode, and callbacks told when the first enters (True) or the last leaves
# (False): tensor creation marks inference tensors only while some thread needs it, so the normal op
# path pays nothing for them.
_inference_threads = [0]
_inference_hooks = []
_inference_lock = threading.Lock()


def _inference_switch(on):
    with _inference_lock:
        n = _inference_threads[0] + (1 if on else -1)
        _inference_threads[0] = n
        if n == (1 if on else 0):
            for hook in _inference_hooks:
                hook(on)


def _set(grad, inference):
    if inference != state.inference:
        _inference_switch(inference)
    state.grad = grad
    state.inference = inference
    state.enabled = grad and not inference
_anomaly = {"enabled": False, "check_nan": True}
_anomaly_listeners = []
_multithreading = [True]


def is_grad_enabled():
    """Returns True if grad mode is currently enabled."""
    return state.grad


def is_inference_mode_enabled():
    """Returns True if inference mode is currently enabled."""
    return state.inference


def is_anomaly_enabled():
    """Returns True if anomaly detection is currently enabled."""
    return _anomaly["enabled"]


def is_anomaly_check_nan_enabled():
    """Returns True if anomaly detection checks backward outputs for NaN."""
    return _anomaly["check_nan"]


def is_multithreading_enabled():
    """Returns True if multithreading is currently enabled in the backward engine."""
    return _multithreading[0]


def _wrap_generator(ctx_factory, gen_fn):
    @functools.wraps(gen_fn)
    def generator(*args, **kwargs):
        gen = gen_fn(*args, **kwargs)
        try:
            with ctx_factory():
                reply = next(gen)
            while True:
                try:
                    sent = yield reply
                except GeneratorExit:
                    with ctx_factory():
                        gen.close()
                    raise
                except BaseException as e:
                    with ctx_factory():
                        reply = gen.throw(e)
                else:
                    with ctx_factory():
                        reply = gen.send(sent)
        except StopIteration as e:
            return e.value
    return generator


def _decorate(ctx_factory, fn):
    """Run ``fn`` (a function, generator function or, deprecated, a class) inside a fresh context."""
    if inspect.isclass(fn):
        warnings.warn("Decorating classes is deprecated and will be disabled in future versions. You should "
                      "only decorate functions or methods. To preserve the current behavior of class "
                      "decoration, you can directly decorate the `__init__` method and nothing else.",
                      FutureWarning, stacklevel=3)
        return lambda *args, **kwargs: _call_in(ctx_factory, fn, args, kwargs)
    if inspect.isgeneratorfunction(fn):
        return _wrap_generator(ctx_factory, fn)

    @functools.wraps(fn)
    def decorate_context(*args, **kwargs):
        with ctx_factory():
            return fn(*args, **kwargs)
    return decorate_context


def _call_in(ctx_factory, fn, args, kwargs):
    with ctx_factory():
        return fn(*args, **kwargs)


class _DecoratorContextManager:
    """A context manager that also decorates functions and generator functions."""

    def __call__(self, orig_func):
        return _decorate(self.clone, orig_func)

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Context-manager that disables gradient calculation."""

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = state.grad
        _set(False, state.inference)

    def __exit__(self, exc_type, exc_value, traceback):
        _set(self.prev, state.inference)


class enable_grad(_NoParamDecoratorContextManager):
    """Context-manager that enables gradient calculation."""

    def __enter__(self):
        self.prev = state.grad
        _set(True, state.inference)

    def __exit__(self, exc_type, exc_value, traceback):
        _set(self.prev, state.inference)


def _check_bool(mode, fn, arg):
    if not isinstance(mode, bool):
        raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be bool, not {type(mode).__name__}")


class set_grad_enabled(_DecoratorContextManager):
    """Context-manager that sets gradient calculation on or off (it takes effect when called)."""

    def __init__(self, mode):
        _check_bool(mode, "set_grad_enabled", "enabled")
        self.prev = state.grad
        self.mode = mode
        _set(mode, state.inference)

    def __call__(self, orig_func):
        # Used as a decorator: undo the switch made at construction, apply it per call instead.
        _set(self.prev, state.inference)
        return super().__call__(orig_func)

    def __enter__(self):
        _set(self.mode, state.inference)

    def __exit__(self, exc_type, exc_value, traceback):
        _set(self.prev, state.inference)

    def __repr__(self):
        return f"{type(self).__module__}.{type(self).__name__}(mode={self.mode})"

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Context-manager that enables or disables inference mode (no autograd recording)."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self.prev = (state.grad, state.inference)
        # As torch's InferenceMode guard: grad mode is the opposite of the inference flag, both ways.
        _set(not self.mode, bool(self.mode))

    def __exit__(self, exc_type, exc_value, traceback):
        _set(*self.prev)

    def clone(self):
        return self.__class__(self.mode)


class set_multithreading_enabled(_DecoratorContextManager):
    """Context-manager that sets multithreaded backwards on or off (the engine here runs on one thread)."""

    def __init__(self, mode):
        self.prev = _multithreading[0]
        self.mode = mode
        _multithreading[0] = mode

    def __enter__(self):
        pass

    def __exit__(self, exc_type, exc_value, traceback):
        _multithreading[0] = self.prev

    def clone(self):
        return self.__class__(self.mode)


def _set_anomaly(enabled, check_nan):
    _anomaly["enabled"], _anomaly["check_nan"] = enabled, check_nan
    for fn in _anomaly_listeners:
        fn(enabled)


class detect_anomaly:
    """Context-manager that enables anomaly detection: backward raises on NaN gradients."""

    def __init__(self, check_nan=True):
        self.prev = _anomaly["enabled"]
        self.check_nan = check_nan
        self.prev_check_nan = _anomaly["check_nan"]
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        _set_anomaly(True, self.check_nan)

    def __exit__(self, exc_type, exc_value, traceback):
        _set_anomaly(self.prev, self.prev_check_nan)

    def __call__(self, orig_func):
        return _decorate(lambda: detect_anomaly(self.check_nan), orig_func)


class set_detect_anomaly:
    """Context-manager (or function) that sets anomaly detection on or off."""

    def __init__(self, mode, check_nan=True):
        self.prev = _anomaly["enabled"]
        self.prev_check_nan = _anomaly["check_nan"]
        _set_anomaly(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, exc_type, exc_value, traceback):
        _set_anomaly(self.prev, self.prev_check_nan)
