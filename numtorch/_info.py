"""``python -m numtorch info``: what numtorch runs on, in the spirit of ``torch.utils.collect_env``."""
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import sys

NA = "Could not collect"

# Optional packages numtorch uses when present: (distribution, what it enables).
EXTRAS = [("pillow", "vision: PIL images, transforms, save_image"),
          ("tqdm", "progress bars in the examples"),
          ("matplotlib", "loss curves in the examples"),
          ("threadpoolctl", "set_num_threads sizes the BLAS pool"),
          ("scipy", "SVHN .mat files"),
          ("cupy", "CUDA tensors")]


def _dist_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or NA


def _os_name():
    try:
        name = platform.freedesktop_os_release().get("PRETTY_NAME")
    except (OSError, AttributeError):
        name = None
    if name is None:
        name = f"{platform.system()} {platform.release()}".strip() or NA
    return f"{name} ({platform.machine()})"


def _blas():
    """(BLAS library line, BLAS threads line) from NumPy's build info and threadpoolctl when present."""
    import numpy
    try:
        deps = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        lib = f"{deps.get('name', '?')} {deps.get('version', '')}".strip()
        config = " ".join(str(deps.get("openblas configuration", "")).split())
        lib = f"{lib} ({config})" if config else lib
    except Exception:  # older NumPy builds describe BLAS differently, or not at all
        lib = NA
    if importlib.util.find_spec("threadpoolctl") is None:
        threads = _openblas_threads()
        return lib, f"{threads} (OpenBLAS)" if threads else f"{NA} (install threadpoolctl to see them)"
    from threadpoolctl import threadpool_info
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    return lib, ", ".join(f"{p.get('internal_api')} {p.get('num_threads')}" for p in pools) or NA


def _openblas_threads():
    """OpenBLAS's thread count, asked of the library NumPy loaded (found in /proc/self/maps), or None."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
    except OSError:
        return None
    # NumPy's wheels bundle OpenBLAS with prefixed, 64-bit-integer symbol names.
    names = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads")
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            if hasattr(lib, name):
                return getattr(lib, name)()
    return None


def _gpus_from_driver():
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return "; ".join(line.split(" (UUID")[0] for line in out.splitlines() if line.strip()) or None


def _cuda():
    """Rows about CUDA: whether numtorch can use it (through CuPy) and what the machine has."""
    from ._device import cupy_module
    cp = cupy_module()
    rows = [("Is CUDA available", str(cp is not None)),
            ("CuPy version", _dist_version_of_cupy() or "not installed")]
    if cp is None:
        gpus = _gpus_from_driver()
        hint = " (install CuPy to use it)" if gpus and not _dist_version_of_cupy() else ""
        rows.append(("GPU models and configuration", (gpus + hint) if gpus else "None found"))
        return rows
    rt = cp.cuda.runtime
    names = []
    for i in range(rt.getDeviceCount()):
        name = rt.getDeviceProperties(i)["name"]
        names.append(f"GPU {i}: {name.decode() if isinstance(name, bytes) else name}")
    version = rt.runtimeGetVersion()
    rows += [("CUDA runtime version", f"{version // 1000}.{version % 1000 // 10}"),
             ("GPU models and configuration", "; ".join(names))]
    return rows


def _dist_version_of_cupy():
    # CuPy ships as per-CUDA wheels (cupy-cuda12x, ...); the module spec finds any of them.
    if importlib.util.find_spec("cupy") is None:
        return None
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name == "cupy" or name.startswith("cupy-"):
            return f"{dist.version} ({name})"
    return "unknown"


def get_info():
    """The report as (label, value) rows, in print order; a ``None`` row is a blank line."""
    import numpy
    import numtorch
    blas, blas_threads = _blas()
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    bits = 64 if sys.maxsize > 2**32 else 32
    backend = "numpy (cpu)" + (", cupy (cuda)" if numtorch.cuda.is_available() else "")
    rows = [("numtorch version", f"{_dist_version('numtorch') or 'not installed'} "
                                 f"(PyTorch API {numtorch.__version__})"),
            ("numtorch location", os.path.dirname(os.path.abspath(numtorch.__file__))),
            None,
            ("OS", _os_name()),
            ("Python version", f"{sys.version.replace(chr(10), ' ')} ({bits}-bit runtime)"),
            ("Python platform", platform.platform()),
            None,
            ("NumPy version", numpy.__version__),
            ("ml_dtypes version", _dist_version("ml_dtypes") or "not installed"),
            ("BLAS", blas),
            ("BLAS threads", blas_threads),
            ("Backend", backend),
            None,
            ("CPU", _cpu_model()),
            ("CPU count", f"{cpus} ({usable} usable by this process)"),
            ("numtorch threads", f"{numtorch.get_num_threads()} intra-op, "
                                 f"{numtorch.get_num_interop_threads()} inter-op"),
            *_cuda(),
            None,
            ("Optional extras", "")]
    for dist, use in EXTRAS:
        version = _dist_version_of_cupy() if dist == "cupy" else _dist_version(dist)
        rows.append((f"  {dist}", f"{version or 'not installed'}  [{use}]"))
    return rows


def pretty(rows):
    """Render ``get_info()`` rows as ``label: value`` lines."""
    return "\n".join("" if row is None else f"{row[0]}: {row[1]}".rstrip() for row in rows)


def main(argv=()):
    """``python -m numtorch info``: print the report; returns the exit status."""
    if argv:
        print("usage: python -m numtorch info", file=sys.stderr)
        return 2
    print("Collecting environment information...")
    print(pretty(get_info()))
    return 0
