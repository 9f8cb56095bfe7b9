"""torch.backends: flags and availability probes for the compute backends.

numtorch runs on NumPy (CPU) or CuPy (CUDA), so these flags are recorded for scripts that set or read
them; cuDNN/MPS/MKL-DNN kernels are never used, and the probes answer as a CPU-only torch build does.
"""
from . import cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401
