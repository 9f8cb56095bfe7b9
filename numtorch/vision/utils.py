"""numtorch.vision.utils: image grids and saving, as torchvision.utils."""
import math
import pathlib

import numtorch
from .datasets._utils import _pil_image

__all__ = ["make_grid", "save_image"]


def _check_tensor_or_list(tensor):
    if isinstance(tensor, numtorch.Tensor):
        return
    if not isinstance(tensor, list):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    for t in tensor:
        if not isinstance(t, numtorch.Tensor):
            raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")


def _normalize_(tensor, value_range, scale_each):
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
    if value_range is not None:
        low, high = value_range
    elif not scale_each:
        low, high = float(tensor.min()), float(tensor.max())
    else:
        # per-image bounds, computed for the whole batch at once
        low = tensor.amin(dim=(1, 2, 3), keepdim=True)
        high = tensor.amax(dim=(1, 2, 3), keepdim=True)
    tensor.clamp_(min=low, max=high)
    if isinstance(low, numtorch.Tensor):
        # torchvision divides by a Python float, which the kernel rounds to the op's compute dtype
        opmath = numtorch.float32 if tensor.dtype in (numtorch.float16, numtorch.bfloat16) else tensor.dtype
        span = (high.double() - low.double()).clamp_(min=1e-5).to(opmath)
        tensor.sub_(low).div_(span)
    else:
        tensor.sub_(low).div_(max(high - low, 1e-5))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Make a grid of images from a (B, C, H, W) tensor or a list of (C, H, W) tensors."""
    _check_tensor_or_list(tensor)
    if isinstance(tensor, list):
        tensor = numtorch.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = numtorch.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = numtorch.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()
        _normalize_(tensor, value_range, scale_each)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    h, w = int(tensor.size(2)), int(tensor.size(3))
    height, width = h + padding, w + padding
    channels = tensor.size(1)
    grid = tensor.new_full((channels, height * ymaps + padding, width * xmaps + padding), pad_value)
    missing = ymaps * xmaps - nmaps
    if missing:
        tensor = numtorch.cat((tensor, tensor.new_full((missing, channels, h, w), pad_value)), 0)
    # cell (y, x) starts at (y * height + padding, x * width + padding): one strided view covers all cells
    cells = grid[:, padding:, padding:].view(channels, ymaps, height, xmaps, width)[:, :, :h, :, :w]
    cells.copy_(tensor.view(ymaps, xmaps, channels, h, w).permute(2, 0, 3, 1, 4))
    return grid


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a batch, as a grid via make_grid) to an image file with Pillow."""
    Image = _pil_image()
    with numtorch.no_grad():
        grid = make_grid(tensor, **kwargs)
        # +0.5 rounds to nearest when the cast to uint8 truncates
        ndarr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", numtorch.uint8).numpy()
    im = Image.fromarray(ndarr)
    im.save(fp, format=format)
