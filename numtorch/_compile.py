"""``torch.compile`` and ``torch.compiler`` for eager numtorch: a compiled callable runs its code as written.

torch compiles to get the same results faster. numtorch has no compiler, so ``compile`` keeps what a
program can observe of torch's wrappers (the ``OptimizedModule`` whose state-dict keys carry the
``_orig_mod.`` prefix and which forwards attributes to the wrapped module, torch's argument checks, and
``is_compiling()`` being true while compiled code runs) and runs the callable eagerly.
"""
import functools
import threading

from .nn.modules.module import Module

__all__ = ["compile", "OptimizedModule"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
# torch 2.13's registered backends (list_backends() hides the debug and experimental ones)
_BACKENDS = ("aot_eager", "aot_eager_decomp_partition", "aot_eager_decomp_partition_crossref",
             "aot_eager_decomp_partition_with_mode", "aot_eager_default_partitioner", "aot_ts", "cudagraphs",
             "eager", "eager_debug", "eager_noexcept", "inductor", "invoke_subgraph", "openxla", "openxla_eval",
             "pre_dispatch_eager", "ts", "tvm")
_LISTED = ("cudagraphs", "inductor", "openxla", "tvm")

_state = threading.local()


class InvalidBackend(RuntimeError):
    """An unknown ``backend`` name (torch._dynamo.exc.InvalidBackend)."""

    def __init__(self, name):
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available "
                         "backends.")


def is_compiling():
    """Whether the calling code runs inside a compiled region (a ``compile``d function or module)."""
    return getattr(_state, "depth", 0) > 0


def _compiled(fn):
    """``fn`` run with ``is_compiling()`` true, as torch's traced code sees it."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        _state.depth = getattr(_state, "depth", 0) + 1
        try:
            return fn(*args, **kwargs)
        finally:
            _state.depth -= 1
    return run


def _check(mode, options, backend):
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same "
                           "time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise InvalidBackend(backend)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            name=None, disable=False, recompile_limit=None, isolate_recompiles=False, shapes_spec=None):
    """Optimizes ``model`` (a function or Module) for later calls; numtorch runs it eagerly, with the same
    results. A Module comes back wrapped in an ``OptimizedModule``; without ``model``, a decorator."""
    _check(mode, options, backend)
    if model is None:
        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, name=name, disable=disable)
        return decorate
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)
    return _compiled(model)


class OptimizedModule(Module):
    """A compiled Module: it holds the original as ``_orig_mod`` (hence the ``_orig_mod.`` prefix of its
    state-dict keys) and forwards attribute reads and writes to it."""

    def __init__(self, mod):
        super().__init__()
        # the wrapper has no training flag of its own: reads and writes reach the original's
        del self.__dict__["training"]
        self._orig_mod = mod
        self.__dict__["forward"] = _compiled(mod.__call__)

    def __reduce__(self):
        # rebuilt around a copy of the original (the compiled forward itself is not picklable)
        return (type(self), (self._orig_mod,))

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(dir(self._orig_mod)))

    def __getattr__(self, name):
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._orig_mod, name)

    def __setattr__(self, name, value):
        if name in ("_orig_mod", "forward") or hasattr(type(self), name) or "_modules" not in self.__dict__:
            super().__setattr__(name, value)
        else:
            setattr(self._orig_mod, name, value)


# ------------------------------------------------------------------------------------- torch.compiler

def disable(fn=None, recursive=True, *, reason=None):
    """Keeps ``fn`` out of compilation: it runs eagerly even when called from compiled code (a decorator
    without ``fn``)."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)

    @functools.wraps(fn)
    def run(*args, **kwargs):
        depth = getattr(_state, "depth", 0)
        _state.depth = 0
        try:
            return fn(*args, **kwargs)
        finally:
            _state.depth = depth
    return run


def is_dynamo_compiling():
    """Whether the calling code is being traced by the compiler (inside a compiled region)."""
    return is_compiling()


def is_exporting():
    """Whether the calling code is being exported (never, in numtorch)."""
    return False


def reset():
    """Clears the compiler's caches (numtorch keeps none)."""


def list_backends(exclude_tags=("debug", "experimental")):
    """The names ``compile(backend=...)`` accepts, without the debug and experimental ones by default."""
    return list(_LISTED) if exclude_tags else list(_BACKENDS)
