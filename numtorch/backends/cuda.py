"""torch.backends.cuda: CUDA matmul flags (recorded; CuPy chooses its own kernels)."""
from .._device import cupy_module


class cuBLASModule:
    """Matmul precision flags of torch.backends.cuda.matmul."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True
        self.allow_fp16_accumulation = False


matmul = cuBLASModule()


def is_built():
    """Whether numtorch can use CUDA (CuPy and a GPU are present)."""
    return cupy_module() is not None
