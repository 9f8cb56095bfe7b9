"""``torch.jit``'s annotations for eager code: numtorch never scripts or traces, so model code written for
TorchScript runs as plain Python, as it does under torch outside ``torch.jit.script``."""
import typing
import warnings

__all__ = ["Final", "annotate", "export", "ignore", "is_scripting", "is_tracing", "unused"]

Final = typing.Final


def is_scripting():
    """Whether the code runs under TorchScript: never in numtorch."""
    return False


def is_tracing():
    """Whether the code runs under ``torch.jit.trace``: never in numtorch."""
    return False


def annotate(the_type, the_value):
    """``the_value`` itself (the type only informs the TorchScript compiler)."""
    return the_value


def export(fn):
    """Marks a method for TorchScript compilation; ``fn`` itself."""
    return fn


def unused(fn):
    """Marks ``fn`` as left out of TorchScript compilation; ``fn`` itself."""
    return fn


def ignore(drop=False, **kwargs):
    """Marks a function for TorchScript to leave as Python; usable bare (``@ignore``) or called."""
    if callable(drop):
        return drop
    if not isinstance(drop, bool):
        raise RuntimeError(f"Argument to @torch.jit.ignore must be a bool or a function but got {drop}")
    drop_on_export = kwargs.pop("drop_on_export", None)
    if drop_on_export:
        warnings.warn("ignore(drop_on_export=True) has been deprecated. TorchScript will now drop the function "
                      "call on compilation. Use torch.jit.unused now. {}", category=FutureWarning, stacklevel=2)
    elif drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function call on "
                      "compilation. Use torch.jit.unused now. {}", category=FutureWarning, stacklevel=2)
    return lambda fn: fn
