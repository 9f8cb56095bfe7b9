"""``python -m numtorch run`` / ``info`` and ``install_torch_alias``, in fresh subprocesses.

The oracles: the interpreter itself (``python script.py`` for argv, paths, tracebacks and exit codes) and
real torch (which module names exist, error messages).
"""
import importlib.metadata
import importlib.util
import json
import os
import pkgutil
import re
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numtorch
from numtorch import _info
from numtorch.__main__ import main

from conftest import need_torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Module names PyTorch programs import most; each must be the very numtorch module object.
CORE = ["torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.optim",
        "torch.optim.lr_scheduler", "torch.autograd", "torch.utils.data", "torch.serialization",
        "torch.linalg", "torch.fft", "torch.cuda"]
TORCHVISION = {"torchvision": "numtorch.vision", "torchvision.transforms": "numtorch.vision.transforms",
               "torchvision.transforms.functional": "numtorch.vision.transforms.functional",
               "torchvision.datasets": "numtorch.vision.datasets",
               "torchvision.models": "numtorch.vision.models",
               "torchvision.utils": "numtorch.vision.utils", "torchvision.io": "numtorch.vision.io"}


def _torch_has(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a few torch packages (torch.backends) have no usable __spec__
        return False


def aliased():
    """torch name -> numtorch name for every public numtorch module that real torch also has."""
    need_torch()
    names = {"torch": "numtorch"}
    for info in pkgutil.walk_packages(numtorch.__path__, "numtorch."):
        parts = info.name.split(".")
        if parts[1] == "vision" or any(p.startswith("_") for p in parts):
            continue
        torch_name = "torch" + info.name[len("numtorch"):]
        if _torch_has(torch_name):
            names[torch_name] = info.name
    assert set(CORE) <= set(names)
    return names


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([ROOT, *filter(None, [e.get("PYTHONPATH")])])
    e.pop("NUMTORCH_RUNS", None)
    return e


def python(*args, cwd=ROOT, **extra_env):
    """Run the interpreter on ``args``; returns (exit status, stdout, stderr)."""
    res = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                         env={**env(), **extra_env})
    return res.returncode, res.stdout, res.stderr


def write(tmp_path, name, source):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


IDENTITY = """
    import importlib, json, sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch import optim
    from torch.utils import hooks
    from torch.utils.data import DataLoader
    import torchvision.transforms as T
    from torchvision import datasets
    names = json.loads(sys.argv[1])
    same = {a: importlib.import_module(a) is importlib.import_module(b) and sys.modules[a] is sys.modules[b]
            for a, b in names.items()}
    import numtorch
    def import_error(name):
        try:
            __import__(name)
        except ImportError as e:
            return [type(e).__name__, str(e), e.name]
    bound = [torch is numtorch, nn is numtorch.nn, F is numtorch.nn.functional, optim is numtorch.optim,
             hooks is numtorch.utils.hooks, torch.nn.functional is numtorch.nn.functional,
             DataLoader is numtorch.utils.data.DataLoader,
             T is numtorch.vision.transforms and datasets is numtorch.vision.datasets]
    print(json.dumps({"same": same, "bound": bound,
                      "missing": [import_error(name) for name in json.loads(sys.argv[2])]}))
"""


@pytest.fixture(scope="module")
def alias_probe(tmp_path_factory):
    script = write(tmp_path_factory.mktemp("alias"), "identity.py", IDENTITY)
    names = {**aliased(), **TORCHVISION}
    rc, out, err = python("-m", "numtorch", "run", str(script), json.dumps(names), json.dumps(MISSING))
    assert rc == 0, err
    return json.loads(out)


def test_alias_gives_one_module_object_per_name(alias_probe):
    assert alias_probe["same"] == {name: True for name in {**aliased(), **TORCHVISION}}
    assert alias_probe["bound"] == [True] * 8


MISSING = ["torch.no_such_module", "torch.nn.no_such_module", "torch.vision", "torch.random.sub"]


def import_error(name):
    try:
        __import__(name)
    except ImportError as e:
        return [type(e).__name__, str(e), e.name]
    return None


def test_missing_modules_fail_like_torch(alias_probe):
    need_torch()
    assert alias_probe["missing"] == [import_error(name) for name in MISSING]


PROBE = """
    import os, pickle, sys
    class Point:
        pass
    print(sys.argv)
    print(__name__, __file__, __package__, __spec__ and __spec__.name, __doc__, type(__builtins__).__name__)
    print(sys.path[0], os.getcwd(), type(__loader__).__name__)
    print(sys.modules["__main__"].__file__ == __file__, type(pickle.loads(pickle.dumps(Point()))) is Point)
"""


def test_run_matches_python_script_semantics(tmp_path):
    write(tmp_path, "sub/probe.py", PROBE)
    args = [os.path.join("sub", "probe.py"), "-x", "--flag", "value", "run"]
    assert python(*args, cwd=tmp_path) == python("-m", "numtorch", "run", *args, cwd=tmp_path)


def test_run_module_matches_python_dash_m(tmp_path):
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/mod.py", PROBE)
    args = ["pkg.mod", "a", "--b"]
    assert python("-m", *args, cwd=tmp_path) == python("-m", "numtorch", "run", "-m", *args, cwd=tmp_path)


ERRORS = {
    "raise": """
        def inner(x):
            return {}[x]
        def outer():
            try:
                int("x")
            except ValueError:
                inner("key")
        outer()
    """,
    "syntax": """
        def f(:
            pass
    """,
    "exit3": "raise SystemExit(3)\n",
    "exitmsg": "import sys\nsys.exit('bad arguments')\n",
    "interrupt": "raise KeyboardInterrupt\n",
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_and_exit_codes_match_python(tmp_path, case):
    script = write(tmp_path, f"{case}.py", ERRORS[case])
    want = python(script.name, cwd=tmp_path)
    got = python("-m", "numtorch", "run", script.name, cwd=tmp_path)
    assert got == want
    if case == "interrupt":
        assert got[0] == -signal.SIGINT


TORCH_ERROR = """
    import torch

    def add(a, b):
        return a + b

    add(torch.zeros(2), torch.zeros(3))
"""


def test_script_traceback_starts_in_the_script(tmp_path):
    torch = need_torch()
    script = write(tmp_path, "shape.py", TORCH_ERROR)
    rc, out, err = python("-m", "numtorch", "run", str(script))
    with pytest.raises(RuntimeError) as info:
        torch.zeros(2) + torch.zeros(3)
    lines = err.splitlines()
    assert rc == 1 and out == ""
    assert lines[:5] == ["Traceback (most recent call last):",
                         f'  File "{script}", line 7, in <module>',
                         "    add(torch.zeros(2), torch.zeros(3))",
                         f'  File "{script}", line 5, in add',
                         "    return a + b"]
    assert lines[-1] == f"RuntimeError: {info.value}"
    assert "numtorch/__main__.py" not in err and "runpy" not in err


def test_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "numtorch run script.py" in out and "numtorch info" in out


def test_shorthand_without_run():
    rc, out, err = python("-m", "numtorch", os.path.join("examples", "linear_regression.py"), "--steps", "1")
    assert rc == 0, err
    assert out.startswith("step    0  loss ")


@pytest.mark.parametrize("argv", [(), ("run",), ("run", "-m"), ("walk", "x.py"), ("run", "does_not_exist.py"),
                                  ("info", "--bad")])
def test_usage_errors(argv, capsys):
    assert main(list(argv)) == 2
    assert capsys.readouterr().err


def test_run_module_not_found(capsys, monkeypatch):
    monkeypatch.setattr("numtorch.__main__.install_torch_alias", lambda: None)  # real torch is loaded here
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert main(["run", "-m", "no_such_module_anywhere"]) == 1
    assert "No module named no_such_module_anywhere" in capsys.readouterr().err


INSTALL = """
    import sys
    import numtorch
    numtorch.install_torch_alias()
    numtorch.install_torch_alias()
    import torch, torch.nn.functional as F
    from numtorch import _alias
    print(torch is numtorch, F is numtorch.nn.functional,
          sum(isinstance(f, _alias.TorchAlias) for f in sys.meta_path))
    _alias.uninstall_torch_alias()
    print("torch" in sys.modules, "torch.nn.functional" in sys.modules, "numtorch.nn" in sys.modules)
"""


def test_install_torch_alias_from_python():
    rc, out, err = python("-c", textwrap.dedent(INSTALL))
    assert rc == 0, err
    assert out.split() == ["True", "True", "1", "False", "False", "True"]


def test_install_torch_alias_refuses_after_real_torch():
    torch = need_torch()
    assert sys.modules["torch"] is torch
    with pytest.raises(RuntimeError, match="already imported from PyTorch"):
        numtorch.install_torch_alias()
    assert sys.modules["torch"] is torch
    assert not any(type(f).__name__ == "TorchAlias" for f in sys.meta_path)


def test_info_rows():
    rows = dict(r for r in _info.get_info() if r is not None)
    assert rows["NumPy version"] == np.__version__
    assert rows["Python version"].startswith(sys.version.replace("\n", " "))
    assert rows["CPU count"].startswith(f"{os.cpu_count()} (")
    assert rows["Is CUDA available"] == str(numtorch.cuda.is_available())
    assert rows["numtorch version"].endswith(f"(PyTorch API {numtorch.__version__})")
    assert rows["numtorch threads"].startswith(f"{numtorch.get_num_threads()} intra-op")
    assert rows["Backend"].startswith("numpy (cpu)")
    for dist in ["pillow", "tqdm", "matplotlib"]:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        assert rows[f"  {dist}"].split("  [")[0] == version
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    assert rows["BLAS"].startswith(f"{blas['name']} {blas['version']}")


def test_info_command_and_console_script():
    pyproject = open(os.path.join(ROOT, "pyproject.toml")).read()
    assert 'numtorch = "numtorch.__main__:cli"' in pyproject
    rc, out, err = python("-c", "import sys; from numtorch.__main__ import cli; "
                                "sys.argv = ['numtorch', 'info']; sys.exit(cli())", OPENBLAS_NUM_THREADS="1")
    assert rc == 0, err
    lines = out.splitlines()
    if "openblas" in np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]:
        threads = next(line for line in lines if line.startswith("BLAS threads: "))
        assert re.search(r"\b1\b", threads), threads  # the pool size OpenBLAS took from the environment
    assert lines[0] == "Collecting environment information..."
    assert f"NumPy version: {np.__version__}" in lines
    assert "Optional extras:" in lines
    assert all(line == "" or ": " in line or line.endswith(":") for line in lines[1:])
