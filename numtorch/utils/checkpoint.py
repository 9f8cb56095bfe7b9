"""torch.utils.checkpoint: trade compute for memory by recomputing a block's activations in backward."""
import contextlib
import warnings
import weakref

# This module is only loaded on demand (numtorch.utils.checkpoint), after autograd is complete.
from .. import random
from .._tensor import Tensor
from ..amp import autocast_mode as amp
from ..autograd import engine, grad_mode
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn"]

_USE_REENTRANT_WARNING = (
    "torch.utils.checkpoint{}: the use_reentrant parameter should be passed explicitly. {} "
    "use_reentrant=False is recommended, but if you need to preserve the current default behavior, you can "
    "pass use_reentrant=True. Refer to docs for more details on the differences between the two variants.")
_DEBUG_TIP = ("\nTip: To see a more detailed error message, either pass `debug=True` to "
              "`torch.utils.checkpoint.checkpoint(...)` or wrap the code block\nwith "
              "`with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to\nenable checkpoint-debug "
              "mode globally.\n")


class CheckpointError(RuntimeError):
    """Raised when a checkpointed block recomputes differently from its original forward."""


def noop_context_fn():
    """The default ``context_fn``: no extra context for the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _is_tensor(x):
    return isinstance(x, Tensor)


def detach_variable(inputs):
    """Detaches each tensor of the tuple ``inputs``, keeping its requires_grad flag."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for x in inputs:
        if _is_tensor(x):
            d = x.detach()
            d.requires_grad = x.requires_grad
            x = d
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs):
    """Warns when no tensor among ``inputs`` requires grad (the checkpoint would give no gradients)."""
    if not any(x.requires_grad for x in inputs if _is_tensor(x)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


class _State:
    """RNG and autocast state of the original forward, reinstated for the recomputation."""

    def __init__(self, preserve_rng_state):
        self.rng = random.get_rng_state() if preserve_rng_state else None
        self.cast = [(d, amp.is_autocast_enabled(d), amp.get_autocast_dtype(d)) for d in ("cpu", "cuda")]

    @contextlib.contextmanager
    def restored(self):
        with contextlib.ExitStack() as stack:
            if self.rng is not None:
                # Replay the forward's random numbers, then leave the caller's stream where it was.
                stack.enter_context(random.fork_rng())
                random.set_rng_state(self.rng)
            for dev, on, dt in self.cast:
                if on:
                    stack.enter_context(amp.autocast(dev, dtype=dt))
            yield


class CheckpointFunction(Function):
    """The reentrant checkpoint: forward without saving activations, backward reruns the block with grad."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.state = _State(preserve_rng_state)
        ctx.inputs = [None if _is_tensor(a) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if _is_tensor(a)]
        ctx.save_for_backward(*(a for a in args if _is_tensor(a)))
        with grad_mode.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if engine._tasks and engine._tasks[-1].targets is not None:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an "
                "`inputs` parameter to .backward(). To resolve this error, you can either set "
                "use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with ctx.state.restored():
            detached = detach_variable(tuple(inputs))
            with grad_mode.enable_grad():
                outputs = ctx.run_function(*detached)
        if _is_tensor(outputs):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if _is_tensor(o) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        engine.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if _is_tensor(x) else None for x in detached)


def _default_meta(x):
    return {"shape": x.shape, "dtype": x.dtype, "device": x.device}


_META_FNS = {"default": _default_meta, "none": lambda x: None}


class _Frame:
    """One non-reentrant checkpointed call: metadata of what its forward saved, recomputed on demand."""

    def __init__(self, fn, args, kwargs, state, recompute_ctx, meta_fn, early_stop):
        self.fn, self.args, self.kwargs, self.early_stop = fn, args, kwargs, early_stop
        self.state, self.recompute_ctx, self.meta_fn = state, recompute_ctx, meta_fn
        self.metas = []
        # One recomputation per backward pass; a retained graph recomputes again in the next one.
        self.recomputed = weakref.WeakKeyDictionary()

    def pack(self, t):
        self.metas.append(self.meta_fn(t))
        return self, len(self.metas) - 1

    def _recompute(self):
        got = []

        def keep(t):
            if len(got) == len(self.metas):
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during "
                                      f"recomputation than during the original forward pass.\n{_DEBUG_TIP}")
            got.append(t.detach())
            if self.early_stop and len(got) == len(self.metas):
                raise _StopRecompute

        try:
            with self.state.restored(), grad_mode.enable_grad(), saved_tensors_hooks(keep, _never_unpacked):
                with self.recompute_ctx:
                    self.fn(*self.args, **self.kwargs)
        except _StopRecompute:
            # Everything the backward needs is back: the rest of the block need not run again.
            pass
        self._check(got)
        return got

    def _check(self, got):
        if len(got) != len(self.metas):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the original forward "
                f"and recomputation.\nNumber of tensors saved during forward: {len(self.metas)}\nNumber of "
                f"tensors saved during recomputation: {len(got)}.\n{_DEBUG_TIP}")
        bad = [(i, m, self.meta_fn(t)) for i, (m, t) in enumerate(zip(self.metas, got))
               if m != self.meta_fn(t)]
        if bad:
            text = "".join(f"tensor at position {i}:\nsaved metadata: {m}\nrecomputed metadata: {r}\n"
                           for i, m, r in bad)
            raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors have "
                                  f"different metadata than during the forward pass.\n{text}.\n{_DEBUG_TIP}")

    def values(self):
        task = engine._tasks[-1] if engine._tasks else None
        if task is None:
            return self._recompute()
        got = self.recomputed.get(task)
        if got is None:
            got = self.recomputed[task] = self._recompute()
        return got


class _StopRecompute(Exception):
    """Ends a recomputation early, once every saved tensor has been recomputed."""


def _never_unpacked(packed):
    raise RuntimeError("torch.utils.checkpoint: a tensor saved during recomputation was unpacked")


def _unpack(holder):
    frame, i = holder
    return frame.values()[i]


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, early_stop, args,
                                  kwargs):
    if determinism_check not in _META_FNS:
        raise ValueError(f"determinism_check should be one of {list(_META_FNS)}, but got {determinism_check}")
    forward_ctx, recompute_ctx = context_fn()
    if not grad_mode.is_grad_enabled():
        with forward_ctx:
            return function(*args, **kwargs)
    frame = _Frame(function, args, kwargs, _State(preserve), recompute_ctx, _META_FNS[determinism_check],
                   early_stop)
    with saved_tensors_hooks(frame.pack, _unpack), forward_ctx:
        return function(*args, **kwargs)


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, early_stop=True, **kwargs):
    """Checkpoints a model or part of the model: its activations are recomputed during backward."""
    if use_reentrant is None:
        warnings.warn(_USE_REENTRANT_WARNING.format(
            "", "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception."),
            stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, early_stop, args,
                                         kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Checkpoints a sequential model in ``segments`` chunks (the last chunk runs normally)."""
    from ..nn import Sequential
    if use_reentrant is None:
        warnings.warn(_USE_REENTRANT_WARNING.format(
            ".checkpoint_sequential", "In version 2.9 we will raise an exception if use_reentrant is not "
            "passed."), stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run(start, stop):
        def segment(x):
            for f in functions[start:stop]:
                x = f(x)
            return x
        return segment

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    size = len(functions) // segments
    stop = 0
    for start in range(0, size * (segments - 1), size):
        stop = start + size
        input = checkpoint(run(start, stop), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(stop, len(functions))(input)
