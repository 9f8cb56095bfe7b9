"""Small Tensor members: to_dense, const_data_ptr, module_load and the leaf ``grad_dtype`` setting."""
from . import _dtype
from ._ops._registry import tensor_method
from ._ops.creation import _AUTOGRAD_KEYS
from ._tensor import Tensor


@tensor_method
def to_dense(self, dtype=None, *, masked_grad=None):
    """A strided copy of this tensor; a strided tensor of the wanted dtype is returned itself."""
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"to_dense(): argument 'dtype' (position 1) must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    if dtype is None or dtype is self.dtype:
        return self
    return self.to(dtype)


@tensor_method
def const_data_ptr(self):
    """Address of the first element, for read-only use."""
    return self.data_ptr()


@tensor_method
def module_load(self, other, assign=False):
    """How ``other`` is turned into the value that replaces ``self`` in ``Module.load_state_dict``."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


# False (the class default) means "follow the tensor's dtype"; None allows any dtype.
Tensor._grad_dtype = False
_AUTOGRAD_KEYS.add("_grad_dtype")


def _get_grad_dtype(self):
    if self._grad_fn is not None:
        raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
    return self.dtype if self._grad_dtype is False else self._grad_dtype


def _set_grad_dtype(self, value):
    if self._grad_fn is not None:
        raise RuntimeError("grad_dtype can only be set on leaf tensors.")
    if value is not None and not isinstance(value, _dtype.dtype):
        raise RuntimeError(f"grad_dtype must be a torch.dtype or None, but got {type(value).__name__}")
    self._grad_dtype = value


Tensor.grad_dtype = property(_get_grad_dtype, _set_grad_dtype,
                             doc="The dtype ``.grad`` must have (None: any); defaults to the tensor's dtype.")


def _set_grad(self, value):
    if value is not None:
        if not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(value).__name__}")
        allowed = self.dtype if self._grad_dtype is False else self._grad_dtype
        if allowed is not None and value.dtype is not allowed:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype '{_dtype.CPP_NAMES[value.dtype._name]}' to a tensor "
                f"with grad_dtype '{allowed._legacy}'. The gradient must match the tensor's grad_dtype "
                "(defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                "specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the "
                "dtypes of a tensor and its gradient may break downstream systems that assume they match.")
        if value._data.shape != self._data.shape:
            raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                               f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                               "and the tensor are the same size")
    self._grad = value


# The .grad setter honours grad_dtype (torch 2.13's check and messages); getter and deleter stay as they are.
Tensor.grad = Tensor.grad.setter(_set_grad)
