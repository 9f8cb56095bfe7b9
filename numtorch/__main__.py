"""``python -m numtorch`` (or the ``numtorch`` command): run PyTorch programs on numtorch; describe it.

    numtorch run script.py [args ...]    run a script with ``import torch``/``torchvision`` meaning numtorch
    numtorch run -m module [args ...]    the same for a module, as ``python -m module``
    numtorch script.py [args ...]        shorthand for ``run``
    numtorch info                        version, Python, NumPy/BLAS, CPU and GPU availability, extras
"""
import builtins
import importlib.machinery
import importlib.util
import os
import runpy
import signal
import sys
import types
import zipfile

from ._alias import install_torch_alias

USAGE = """usage: python -m numtorch run script.py [args ...]
       python -m numtorch run -m module [args ...]
       python -m numtorch info"""


def _script_traceback(tb, filename):
    """``tb`` from the first frame of ``filename`` on: the traceback ``python script.py`` would print."""
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb


def _report(exc, filename):
    """Print an exception that escaped the program the way the interpreter would; give the exit status."""
    exc.__traceback__ = _script_traceback(exc.__traceback__, filename)
    sys.excepthook(type(exc), exc, exc.__traceback__)
    if isinstance(exc, KeyboardInterrupt) and hasattr(signal, "SIGINT") and os.name == "posix":
        # Python ends an interrupted program by dying of SIGINT so shells see it; do the same.
        sys.stdout.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return 130 if isinstance(exc, KeyboardInterrupt) else 1


def _execute(call, filename):
    try:
        call()
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: B036 - the program's own errors end it, like the interpreter's
        return _report(exc, filename)
    return 0


def run(script, args=()):
    """Run ``script`` as ``__main__`` with ``sys.argv == [script, *args]`` and ``torch`` meaning numtorch,
    as ``python script`` would; returns the exit status (a ``SystemExit`` from the script propagates)."""
    install_torch_alias()
    path = os.path.abspath(script)
    sys.argv = [script, *args]
    # ``python script.py`` puts the script's directory (symlinks resolved) first on the path.
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    if os.path.isdir(path) or zipfile.is_zipfile(path):
        return _execute(lambda: runpy.run_path(path, run_name="__main__"), os.path.join(path, "__main__.py"))
    return _execute(lambda: _exec_source(path), path)


def _exec_source(path):
    # Not runpy.run_path: it would overwrite sys.argv[0] with the absolute path, while Python keeps
    # argv[0] as typed and gives only __file__ (and tracebacks) the absolute path.
    main = types.ModuleType("__main__")
    main.__file__, main.__cached__, main.__builtins__ = path, None, builtins
    main.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    with open(path, "rb") as f:
        code = compile(f.read(), path, "exec", dont_inherit=True)
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
    finally:
        sys.modules["__main__"] = saved


def run_module(module, args=()):
    """Run ``module`` as ``python -m module [args]`` would, with ``torch`` meaning numtorch."""
    install_torch_alias()
    sys.path[0] = os.getcwd()
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as e:
        spec, why = None, e
    else:
        why = f"No module named {module}"
    if spec is None or spec.origin is None:
        print(f"numtorch run: {why}", file=sys.stderr)
        return 1
    origin = spec.origin
    if spec.submodule_search_locations is not None:
        main = importlib.util.find_spec(module + ".__main__")
        origin = main.origin if main is not None else origin
    sys.argv = [origin, *args]
    # Python runs -m modules in the real __main__, whose __builtins__ is the module (runpy's is a dict).
    init = {"__builtins__": builtins}
    return _execute(lambda: runpy.run_module(module, init, run_name="__main__", alter_sys=True), origin)


def main(argv):
    """Command-line entry point; ``argv`` excludes the program name. Returns the exit status."""
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv and argv[0] == "info":
        from . import _info
        return _info.main(argv[1:])
    if argv and argv[0] != "run" and os.path.exists(argv[0]):
        argv = ["run", *argv]
    if len(argv) < 2 or argv[0] != "run" or argv[1] == "-m" and len(argv) < 3:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[1] == "-m":
        return run_module(argv[2], argv[3:])
    if not os.path.exists(argv[1]):
        path = os.path.abspath(argv[1])
        print(f"numtorch run: can't open file {path!r}: [Errno 2] No such file or directory", file=sys.stderr)
        return 2
    return run(argv[1], argv[2:])


def cli():
    """The ``numtorch`` console script."""
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
