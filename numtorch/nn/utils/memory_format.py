"""Converting convolution weights to a memory format (channels-last) in place."""
import numtorch

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, kinds):
    if isinstance(module, kinds):
        data = module.weight.detach().clone(memory_format=memory_format)
        if memory_format == numtorch.preserve_format:
            # torch re-strides the copy with resize_, which takes no preserve_format
            raise RuntimeError("Unsupported memory formatPreserve")
        module.weight.data = data
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Lays out the weights of every Conv2d / ConvTranspose2d in ``module`` in ``memory_format``; returns
    ``module``."""
    from .. import Conv2d, ConvTranspose2d
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Lays out the weights of every Conv3d / ConvTranspose3d in ``module`` in ``memory_format``; returns
    ``module``."""
    from .. import Conv3d, ConvTranspose3d
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
