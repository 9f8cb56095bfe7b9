"""numtorch.vision.utils: image grids and saving, as torchvision.utils."""
import math
import warnings

import numpy as np

import numtorch
from .datasets.utils import _pil_image

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks"]


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


def _generate_color_palette(num_objects):
    steps = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * steps) % 255) for i in range(num_objects)]


def _parse_colors(colors, *, num_objects):
    """Turn None, one color, or a list of colors (names or RGB triplets) into ``num_objects`` RGB tuples."""
    from PIL import ImageColor
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError("Number of colors must be equal or larger than the number of objects, "
                             f"but got {len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    return [ImageColor.getrgb(c) if isinstance(c, str) else c for c in colors]


def _dashed_line(draw, start, end, fill, width, dash=5, gap=5):
    # Alternate dash/gap along the segment from its start; the last piece may be shorter.
    (x1, y1), (x2, y2) = start, end
    remaining = math.hypot(x2 - x1, y2 - y1)
    angle = math.atan2(y2 - y1, x2 - x1)
    drawing = True
    while remaining > 0:
        step = min(remaining, dash if drawing else gap)
        nx, ny = x1 + math.cos(angle) * step, y1 + math.sin(angle) * step
        if drawing:
            draw.line([(x1, y1), (nx, ny)], fill, width, None)
        remaining -= step
        x1, y1 = nx, ny
        drawing = not drawing


def _oriented_rectangle(draw, xy, fill, outline, width):
    # The first edge is dashed so the box's orientation can be read off the drawing.
    _dashed_line(draw, (xy[0], xy[1]), (xy[2], xy[3]), outline, width)
    n = len(xy)
    for i in range(2, n, 2):
        draw.line(((xy[i], xy[i + 1]), (xy[(i + 2) % n], xy[(i + 3) % n])), width=width, fill=outline)
    draw.polygon(xy, fill=fill, outline=None, width=0)


def _check_draw_image(image, type_msg):
    # The checks torchvision's drawing utilities share, in their order.
    if not isinstance(image, numtorch.Tensor):
        raise TypeError(f"{type_msg}, got {type(image)}")
    if not (image.dtype == numtorch.uint8 or image.is_floating_point()):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")


def _check_box_image(image, boxes):
    _check_draw_image(image, "Tensor expected")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")
    if boxes.shape[-1] == 4 and bool(((boxes[:, 0] > boxes[:, 2]) | (boxes[:, 1] > boxes[:, 3])).any()):
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. "
                         "Use torchvision.ops.box_convert to convert them")


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None,
                        font_size=None, label_colors=None, label_background_colors=None, fill_labels=False):
    """Draw (xmin, ymin, xmax, ymax) or 8-coordinate oriented boxes, with labels, on a (C, H, W) image."""
    Image = _pil_image()
    from PIL import ImageDraw, ImageFont
    _check_box_image(image, boxes)
    num_boxes = boxes.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. "
                         "Please specify labels for each box.")
    colors = _parse_colors(colors, num_objects=num_boxes)
    if label_colors or fill_labels:
        label_colors = _parse_colors(label_colors if label_colors else "black", num_objects=num_boxes)
    else:
        label_colors = list(colors)
    if fill_labels and label_background_colors:
        label_background_colors = _parse_colors(label_background_colors, num_objects=num_boxes)
    else:
        label_background_colors = list(colors)
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    if image.size(0) == 1:
        image = numtorch.tile(image, (3, 1, 1))
    original_dtype = image.dtype
    if original_dtype.is_floating_point:
        # scale by 256 - eps so that values just below 1.0 still reach 255 (torchvision's to_dtype)
        image = image.mul(255 + 1.0 - 1e-3).to(numtorch.uint8)
    canvas = Image.fromarray(np.ascontiguousarray(image.detach().cpu().permute(1, 2, 0).numpy()))
    draw = ImageDraw.Draw(canvas, "RGBA" if fill else None)
    for bbox, color, label, label_color, label_bg in zip(boxes.to(numtorch.int64).tolist(), colors, labels,
                                                         label_colors, label_background_colors):
        fill_color = tuple(color) + (100,) if fill else None
        if len(bbox) > 4:
            _oriented_rectangle(draw, bbox, fill_color, color, width)
        else:
            draw.rectangle(bbox, width=width, outline=color, fill=fill_color)
        if label is not None:
            margin = width + 1
            anchor = (bbox[0] + margin, bbox[1] + margin)
            if fill_labels:
                left, top, right, bottom = draw.textbbox(anchor, label, font=txt_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=label_bg)
            draw.text(anchor, label, fill=label_color, font=txt_font)
    out = numtorch.from_numpy(np.array(canvas).transpose(2, 0, 1).copy())
    if original_dtype.is_floating_point:
        out = out.to(original_dtype).mul_(1.0 / 255)
    return out


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """Blend boolean masks (N, H, W) or (H, W), one color each, onto an RGB (3, H, W) image."""
    _check_draw_image(image, "The image must be a tensor")
    if image.size(0) != 3:
        raise ValueError("Pass an RGB image. Other Image formats are not supported")
    if masks.ndim == 2:
        masks = masks[None, :, :]
    if masks.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if masks.dtype != numtorch.bool:
        raise ValueError(f"The masks must be of dtype bool. Got {masks.dtype}")
    if masks.shape[-2:] != image.shape[-2:]:
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = masks.size(0)
    if num_masks == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    dt = image.dtype
    rgb = _parse_colors(colors, num_objects=num_masks)
    if dt.is_floating_point:
        rgb = [tuple(v / 255 for v in c) for c in rgb]
    with numtorch.no_grad():
        m = masks.detach().cpu().numpy()
        img = image.detach().cpu().numpy()
        palette = np.array(rgb[:num_masks], dtype=img.dtype)
        count = m.sum(axis=0)
        # Masks are painted in order and overlaps then blacked out, so a pixel takes its only mask's color.
        painted = palette[m.argmax(axis=0)].transpose(2, 0, 1)
        drawn = np.where(count == 1, painted, np.where(count > 1, np.zeros((), img.dtype), img))
        drawn = numtorch.from_numpy(np.ascontiguousarray(drawn)).to(image.device)
        out = image * (1 - alpha) + drawn * alpha
        return out.to(dt)
