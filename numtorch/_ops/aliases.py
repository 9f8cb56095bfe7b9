"""torch-level spellings of nn.functional ops (ATen's positional forms) and small namespace utilities."""
import warnings

import numpy as np

from .._tensor import Tensor
from .._device import device as _device
from ._registry import FUNCTIONS
from . import shape as _shape, embedding as _emb, loss as _loss, nn_linear as _lin, pooling as _pool

# ATen's loss entries take the reduction as an int (at::Reduction): 0 none, 1 mean, 2 sum. torch's binding
# parses the declared default (Mean) as 0, so an omitted reduction leaves the loss unreduced.
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(name, reduction):
    if type(reduction) is not int:
        raise TypeError(f"{name}(): argument 'reduction' must be int, not {type(reduction).__name__}")
    # ATen reduces only for the two known codes and leaves any other int unreduced.
    return _REDUCTIONS[reduction] if reduction in (1, 2) else "none"


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over a 1-D signal (torch.max_pool1d: values only)."""
    return _pool.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over a 2-D signal (torch.max_pool2d: values only)."""
    return _pool.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over a 3-D signal (torch.max_pool3d: values only)."""
    return _pool.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling over a 1-D signal."""
    return _pool.avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling over a 1-D signal."""
    return _pool.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """Adaptive max pooling over a 1-D signal; returns ``(values, indices)``."""
    return _pool.adaptive_max_pool1d(input, output_size, True)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Row lookup ``weight[indices]`` (ATen order: weight first; a negative padding_idx means none)."""
    pad = padding_idx if padding_idx >= 0 else None
    return _emb.embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)


def bilinear(input1, input2, weight, bias=None):
    """Bilinear map ``x1^T W x2 + b``."""
    return _lin.bilinear(input1, input2, weight, bias)


def kl_div(input, target, reduction=0, *, log_target=False):
    """Pointwise KL divergence; ``reduction`` is ATen's int code."""
    red = _reduction("kl_div", reduction)
    with warnings.catch_warnings():
        # ATen's mean is a plain mean; the batchmean hint is nn.functional's alone.
        warnings.simplefilter("ignore", UserWarning)
        return _loss.kl_div(input, target, reduction=red, log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """Binary cross entropy on logits; ``reduction`` is ATen's int code."""
    red = _reduction("binary_cross_entropy_with_logits", reduction)
    if input.shape != target.shape:
        # ATen broadcasts input to target's shape where nn.functional insists on equal sizes.
        shape = _shape.broadcast_shapes(input.shape, target.shape)
        if shape != target.shape:
            raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
        input = input.expand(shape)
    return _loss.binary_cross_entropy_with_logits(input, target, weight, reduction=red, pos_weight=pos_weight)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """Margin ranking loss; ``reduction`` is ATen's int code."""
    red = _reduction("margin_ranking_loss", reduction)
    return _loss.margin_ranking_loss(input1, input2, target, margin, reduction=red)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """Hinge embedding loss; ``reduction`` is ATen's int code."""
    red = _reduction("hinge_embedding_loss", reduction)
    return _loss.hinge_embedding_loss(input, target, margin, reduction=red)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """Cosine embedding loss; ``reduction`` is ATen's int code."""
    red = _reduction("cosine_embedding_loss", reduction)
    return _loss.cosine_embedding_loss(input1, input2, target, margin, reduction=red)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0):
    """Triplet margin loss; ``reduction`` is ATen's int code."""
    red = _reduction("triplet_margin_loss", reduction)
    return _loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=red)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Poisson negative log likelihood; every argument is required, as in ATen."""
    red = _reduction("poisson_nll_loss", reduction)
    return _loss.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=red)


def is_storage(obj, /):
    """Whether ``obj`` is a storage object."""
    from .._storage import TypedStorage, UntypedStorage
    return isinstance(obj, (TypedStorage, UntypedStorage))


def typename(obj, /):
    """Fully qualified name of the type of ``obj`` (a tensor gives its legacy type name)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    # numtorch objects report torch's module path; names re-exported from private modules live at top level.
    if module == "numtorch" or module.startswith("numtorch."):
        import numtorch
        private = any(part.startswith("_") for part in module.split("."))
        public = getattr(numtorch, qualname, None)
        module = "torch" if private and (public is obj or public is type(obj)) else "torch" + module[8:]
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


_WARN_ALWAYS = [False]
_FLUSH_DENORMAL = [False]
_DEFAULT_DEVICE = [None]


def set_warn_always(b, /):
    """Makes warnings that torch issues once per process be issued every time."""
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _WARN_ALWAYS[0] = b


def is_warn_always_enabled():
    """Whether the warn-always flag is set."""
    return _WARN_ALWAYS[0]


def set_flush_denormal(mode):
    """Requests flushing denormal floats to zero; returns True because x86 CPUs support it."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    _FLUSH_DENORMAL[0] = mode
    return True


def set_default_device(device):
    """Sets the device new tensors are created on (only ``cpu`` is available)."""
    if device is None:
        _DEFAULT_DEVICE[0] = None
        return
    dev = _device(device) if not isinstance(device, int) else _device("cuda", device)
    if dev.type != "cpu":
        raise RuntimeError(f"numtorch: set_default_device supports only cpu, got {dev}")
    _DEFAULT_DEVICE[0] = dev


def get_default_device():
    """The device new tensors are created on."""
    return _DEFAULT_DEVICE[0] or _device("cpu")


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor sharing memory with an object that exposes the buffer protocol."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    nbytes, item = view.nbytes, dtype.itemsize
    if nbytes <= 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({nbytes} bytes) minus 1")
    if count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if count < 0 and (nbytes - offset) % item != 0:
        raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} bytes) must be a "
                         f"multiple of element size ({item})")
    if count > 0 and count * item > nbytes - offset:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) "
                         f"must not be greater than actual buffer length ({nbytes} bytes)")
    if view.readonly:
        warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. "
                      "This means you can write to the underlying (supposedly non-writable) buffer using the "
                      "tensor. You may want to copy the buffer to protect its data or make it writable "
                      "before "
                      "converting it to a tensor. This type of warning will be suppressed for the rest of "
                      "this program.", UserWarning, stacklevel=2)
    # A read-only buffer stays read-only here: NumPy cannot lift the flag that torch ignores.
    arr = np.frombuffer(view.cast("B"), dtype=dtype._np, count=count, offset=offset)
    out = Tensor._wrap(arr)
    return out.requires_grad_(requires_grad) if requires_grad else out


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """A tensor sharing memory with any object exporting ``__dlpack__`` (through NumPy)."""
    from .creation import from_numpy
    if isinstance(ext_tensor, Tensor):
        return ext_tensor if not copy else ext_tensor.clone()
    if device is not None and _device(device).type != "cpu":
        raise RuntimeError(f"numtorch: from_dlpack supports only cpu, got {device}")
    arr = np.from_dlpack(ext_tensor, copy=copy)
    return from_numpy(arr)


for _fn in (max_pool1d, max_pool2d, max_pool3d, avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d,
            embedding, bilinear, kl_div, binary_cross_entropy_with_logits, margin_ranking_loss,
            hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss, poisson_nll_loss, is_storage,
            typename, set_warn_always, is_warn_always_enabled, set_flush_denormal, set_default_device,
            get_default_device, frombuffer, from_dlpack):
    FUNCTIONS[_fn.__name__] = _fn
FUNCTIONS["newaxis"] = None
