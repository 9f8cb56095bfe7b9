"""Import aliases that make ``import torch`` and ``import torchvision`` load numtorch."""
import importlib
import importlib.abc
import importlib.util
import sys

# Top-level names a PyTorch program imports, and the numtorch package each one means.
ALIASES = {"torch": "numtorch", "torchvision": "numtorch.vision"}


def target_name(name):
    """The numtorch module that ``name`` (``torch``, ``torch.nn``, ``torchvision.transforms``...) means,
    or None when ``name`` is not under an aliased package."""
    top, dot, rest = name.partition(".")
    if top not in ALIASES:
        return None
    return ALIASES[top] + dot + rest


def _missing(name, reason=""):
    return ModuleNotFoundError(f"No module named {name!r}{reason}", name=name)


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder that resolves ``torch[.sub]`` / ``torchvision[.sub]`` to the numtorch module."""

    def find_spec(self, name, path=None, target=None):
        real = target_name(name)
        if real is None:
            return None
        if name == "torch.vision" or name.startswith("torch.vision."):
            # numtorch keeps torchvision inside the package; real torch has no torch.vision.
            raise _missing(name)
        try:
            spec = importlib.util.find_spec(real)
        except ModuleNotFoundError as e:
            if e.name is not None and real.startswith(e.name + "."):
                # A parent package is missing: name it by its torch spelling, as Python would.
                depth = e.name.count(".") - real.count(".") + name.count(".")
                raise _missing(".".join(name.split(".")[:depth + 1])) from None
            parent = name.rpartition(".")[0]
            raise _missing(name, f"; {parent!r} is not a package") from None
        if spec is None:
            # Declining would let the next finder load real torch (or numtorch's file a second time
            # under the torch name), so a missing counterpart is reported here.
            raise _missing(name)
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # The import system hands out whatever sits in sys.modules[name] once exec_module returns, so
        # the placeholder makes way for the numtorch module: both names then share one module object.
        sys.modules[module.__name__] = importlib.import_module(target_name(module.__name__))


def _is_real(name, module):
    real = target_name(name)
    return module is not sys.modules.get(real, None)


def install_torch_alias():
    """Make ``import torch`` / ``import torchvision`` (and their submodules) import numtorch."""
    loaded = [n for n in list(sys.modules) if n.partition(".")[0] in ALIASES]
    real = [n for n in loaded if _is_real(n, sys.modules[n])]
    if real:
        # Swapping modules under an already-imported PyTorch would leave it half numtorch, half torch.
        raise RuntimeError(f"install_torch_alias(): {real[0]!r} is already imported from PyTorch; "
                           "install the alias before the first 'import torch'")
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())


def uninstall_torch_alias():
    """Undo ``install_torch_alias``: ``torch`` names are forgotten and import normally again."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, TorchAlias)]
    for name in [n for n in list(sys.modules) if n.partition(".")[0] in ALIASES]:
        if not _is_real(name, sys.modules[name]):
            del sys.modules[name]
