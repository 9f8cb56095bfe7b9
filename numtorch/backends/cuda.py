"""torch.backends.cuda: CUDA matmul flags (recorded; CuPy chooses its own kernels)."""
from .._config import SDP as _SDP
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




def _switch(key, what, getter, setter):
    """The query and the setter of one attention-kernel flag."""
    def enabled():
        return _SDP[key]

    def enable(enabled):
        _SDP[key] = bool(enabled)
    enabled.__name__ = enabled.__qualname__ = getter
    enable.__name__ = enable.__qualname__ = setter
    enabled.__doc__ = f"Whether {what} may run."
    enable.__doc__ = f"Allows or forbids {what}."
    return enabled, enable


flash_sdp_enabled, enable_flash_sdp = _switch("flash", "the flash attention kernel", "flash_sdp_enabled",
                                              "enable_flash_sdp")
mem_efficient_sdp_enabled, enable_mem_efficient_sdp = _switch(
    "mem_efficient", "the memory-efficient attention kernel", "mem_efficient_sdp_enabled", "enable_mem_efficient_sdp")
math_sdp_enabled, enable_math_sdp = _switch("math", "the math (reference) attention kernel", "math_sdp_enabled",
                                            "enable_math_sdp")
cudnn_sdp_enabled, enable_cudnn_sdp = _switch("cudnn", "the cuDNN attention kernel", "cudnn_sdp_enabled",
                                              "enable_cudnn_sdp")
fp16_bf16_reduction_math_sdp_allowed, allow_fp16_bf16_reduction_math_sdp = _switch(
    "fp16_bf16_reduction_math", "half-precision reduction in the math attention kernel",
    "fp16_bf16_reduction_math_sdp_allowed", "allow_fp16_bf16_reduction_math_sdp")
