"""numtorch.utils: hooks and (in later issues) data, checkpoint helpers."""
from . import hooks


def __getattr__(name):
    # data needs the finished numtorch namespace, while utils is imported early (hooks), so load it lazily
    if name in ("data", "checkpoint"):
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
