"""nn.DataParallel: wraps a module as ``self.module`` (state_dict keys gain the ``module.`` prefix).

Without CUDA the wrapper just calls the module, as torch does on a CPU-only machine. With CuPy, the whole
batch runs on ``device_ids[0]`` and the output is moved to ``output_device``: numtorch does not split a
batch over several GPUs.
"""
import itertools

from ..modules.module import Module


def _device_index(d):
    from ..._device import to_device
    return d if isinstance(d, int) else to_device(d).index or 0


def _move(obj, device):
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_move(o, device) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _move(v, device)) for k, v in obj.items())
    return obj


class DataParallel(Module):
    """Implements data parallelism at the module level (single device in numtorch)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        from ... import cuda
        from ..._device import device
        if not cuda.is_available():
            self.module = module
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = [_device_index(d) for d in device_ids]
        self.output_device = _device_index(output_device)
        self.src_device_obj = device("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in itertools.chain(self.module.parameters(), self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError(f"module must have its parameters and buffers on device "
                                   f"{self.src_device_obj} (device_ids[0]) but found one of them on device: "
                                   f"{t.device}")
        out = self.module(*_move(inputs, self.src_device_obj), **_move(kwargs, self.src_device_obj))
        if self.output_device == self.device_ids[0]:
            return out
        from ..._device import device
        return _move(out, device("cuda", self.output_device))
