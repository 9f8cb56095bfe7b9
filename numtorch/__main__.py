"""``python -m numtorch run script.py [args...]``: run a PyTorch script with ``torch`` meaning numtorch."""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

USAGE = "usage: python -m numtorch run script.py [args ...]"


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves ``torch`` and ``torch.<sub>`` to ``numtorch`` and ``numtorch.<sub>`` when those exist."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch" and not name.startswith("torch."):
            return None
        if importlib.util.find_spec(_real_name(name)) is None:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # The import system returns whatever sits in sys.modules after exec_module, so the placeholder
        # steps aside for the numtorch module itself: both names then share one module object.
        sys.modules[module.__name__] = importlib.import_module(_real_name(module.__name__))


def _real_name(name):
    return "numtorch" + name[len("torch"):]


def install():
    """Make ``import torch`` (and its submodules) import numtorch in this process."""
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]


def run(script, args):
    """Run ``script`` as ``__main__`` with ``sys.argv == [script, *args]``, as ``python script`` does."""
    install()
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")


def main(argv):
    if len(argv) < 2 or argv[0] != "run":
        print(USAGE, file=sys.stderr)
        return 2
    if not os.path.isfile(argv[1]):
        print(f"numtorch run: can't open file {argv[1]!r}", file=sys.stderr)
        return 2
    run(argv[1], argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
