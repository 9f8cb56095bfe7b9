"""Tensor: a thin object over a backend array (NumPy on cpu, CuPy on cuda) plus autograd metadata."""
import warnings

import numpy as np

from . import _dtype
from ._device import CPU, device_of
from ._dtype import NP2DT
from ._size import _fast_size
from .autograd import grad_mode

_state = grad_mode.state
_plain_new = object.__new__
INPLACE_INFERENCE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a "
    "normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.")

SAVE_INFERENCE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and "
    "use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")


class InferenceVersion(list):
    """The version counter of an inference tensor detached outside inference mode: torch gives that one a
    working counter (so it counts and accepts in-place updates) while it stays an inference tensor."""
    __slots__ = ()


class _NoVersion(InferenceVersion):
    """The version counter every inference tensor shares: it never counts, and (as torch, after the write)
    refuses the bump of an in-place update outside inference mode. Views share their source's counter, so
    they are inference tensors exactly when their source is."""
    __slots__ = ()

    def __setitem__(self, i, v):
        if not _state.inference:
            raise RuntimeError(INPLACE_INFERENCE)


NO_VERSION = _NoVersion([0])
# Module namespaces whose ``_new`` creates the tensors of the op paths; while any thread is in inference
# mode it is swapped for ``_new_inference``, so outside it tensor creation costs nothing extra.
_NEW_USERS = []


def _new_inference(cls):
    t = _plain_new(cls)
    if _state.inference:
        t._vc = NO_VERSION
    return t


def _mark_new(on):
    fn = _new_inference if on else _plain_new
    for g in _NEW_USERS:
        g["_new"] = fn


def uses_new(namespace):
    """Register a module's globals so its ``_new`` marks inference tensors while inference mode is on."""
    _NEW_USERS.append(namespace)
    namespace["_new"] = _new_inference if grad_mode._inference_threads[0] else _plain_new


uses_new(globals())
grad_mode._inference_hooks.append(_mark_new)

NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make "
    "sure you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
    "information. (Triggered internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")


def bump(t):
    """Increment ``t``'s version counter (shared with its views) after an in-place write."""
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


def needs_grad_any(tensors):
    for t in tensors:
        if t._requires_grad:
            return True
    return False


def make_view(out, src, op, rest, kwargs):
    """Mark ``out`` as a view of ``src`` produced by ``op``: shared version counter and base."""
    vc = src._vc
    if vc is None:
        vc = src._vc = [0]
    elif vc.__class__ is InferenceVersion:
        # torch's views of such a detached inference tensor track no version again
        vc = NO_VERSION
    out._vc = vc
    out._base = src._base if src._base is not None else src
    out._view_src = (src, op, rest, kwargs)
    out._view_ver = vc[0]


_PY_SCALARS = frozenset((float, int, bool, complex))


def _ml_dtype(np_dtype):
    """Whether ``np_dtype`` is one of ml_dtypes' (bfloat16, the float8s): kind "V", or float8_e5m2's "f"."""
    k = np_dtype.kind
    return k == "V" or k == "f" and np_dtype.itemsize == 1


_UNSET = object()  # is_contiguous(memory_format=None) is torch's TypeError, unlike leaving it out


class Tensor:
    """A multi-dimensional array with autograd support, as ``torch.Tensor``."""

    __module__ = "numtorch"
    __slots__ = ("_data", "__dict__", "__weakref__")
    # Rarely-set metadata lives in the instance dict; these class attributes are the defaults, so
    # creating a tensor costs a single slot store.
    _vc = None
    _requires_grad = False
    _grad_fn = None
    _output_nr = 0
    _grad = None
    _base = None
    _view_src = None
    _hooks = None
    _retains_grad = False
    _accum = None
    _view_ver = 0
    __array_priority__ = 1000

    def __new__(cls, *args, device=None):
        from ._ops import creation
        return creation.legacy_new(cls, _dtype.get_default_dtype(), args, device, check_dtype=False)

    # ------------------------------------------------------------------ construction helpers
    @staticmethod
    def _wrap(arr):
        t = _new(Tensor)
        t._data = arr
        return t

    @staticmethod
    def _from_saved(data, vc, node):
        t = _new(Tensor)
        t._data = data
        t._vc = vc
        t._requires_grad = True
        t._grad_fn = node
        return t

    def _bump(self):
        bump(self)

    def _snapshot(self, copy=True):
        """A copy of the data that keeps this tensor's place in the graph (for in-place autograd); with
        ``copy=False`` it shares the data, for ops that never read their input after the forward."""
        t = _new(Tensor)
        t._data = self._data.copy() if copy else self._data
        if self._grad_fn is not None:
            t._requires_grad = True
            t._grad_fn = self._grad_fn
            t._output_nr = self._output_nr
        return t

    def _view_chain(self):
        chain = []
        t = self
        while t._view_src is not None:
            src, op, rest, kwargs = t._view_src
            chain.append((op, rest, kwargs))
            t = src
        chain.reverse()
        return chain

    def _regenerate_view(self):
        """Recompute this view's graph from its base's current graph."""
        from ._ops._registry import call
        t = self._base
        with grad_mode.enable_grad():
            for op, rest, kwargs in self._view_chain():
                t = call(op, (t,) + tuple(rest), dict(kwargs))
        self._grad_fn = t._grad_fn
        self._output_nr = t._output_nr
        self._requires_grad = t._requires_grad
        self._view_ver = self._vc[0]
        return self

    # ------------------------------------------------------------------ basic attributes
    @property
    def shape(self):
        return _fast_size(self._data.shape)

    def size(self, dim=None):
        """Returns the size of the tensor (a torch.Size), or of dimension ``dim``."""
        if dim is None:
            return _fast_size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def _wrap_dim(self, dim, ndim=None):
        n = self._data.ndim if ndim is None else ndim
        if not isinstance(dim, int):
            if hasattr(dim, "__index__"):
                dim = dim.__index__()
            else:
                raise TypeError(f"dim must be int, got {type(dim).__name__}")
        lo, hi = (-n, n - 1) if n else (-1, 0)
        if dim < lo or dim > hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return dim % n if n else 0

    @property
    def dtype(self):
        return NP2DT[self._data.dtype]

    @property
    def device(self):
        d = self._data
        return CPU if type(d) is np.ndarray else device_of(d)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    @property
    def _xp(self):
        d = self._data
        if type(d) is np.ndarray:
            return np
        import cupy
        return cupy

    def dim(self):
        """Returns the number of dimensions."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        """Returns the total number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self):
        """Size in bytes of one element."""
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return False

    @property
    def layout(self):
        from . import strided
        return strided

    def is_floating_point(self):
        """Whether the dtype is a floating point type."""
        return self.dtype.is_floating_point

    def is_complex(self):
        """Whether the dtype is a complex type."""
        return self.dtype.is_complex

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        d = self._data
        return -1 if type(d) is np.ndarray else d.device.id

    # ------------------------------------------------------------------ autograd attributes
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Sets whether autograd records operations on this (leaf) tensor, in place."""
        if requires_grad and isinstance(self._vc, InferenceVersion) and not _state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not "
                               "allowed.")
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                                   "to use a computed variable in a subgraph that doesn't require "
                                   "differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._data.dtype.kind not in "fcV" and NP2DT[self._data.dtype]._cat < 2:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    def is_inference(self):
        """Returns True if this tensor is an inference tensor (created in inference mode)."""
        return isinstance(self._vc, InferenceVersion)

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad_fn(self):
        fn = self._grad_fn
        if fn is not None and self._base is not None and self._view_ver != self._vc[0]:
            if self._base._requires_grad:
                self._regenerate_view()
            return self._grad_fn
        return fn

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        vc = self._vc
        if vc is NO_VERSION:
            raise RuntimeError("Inference tensors do not track version counter.")
        return vc[0] if vc is not None else 0

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Makes this non-leaf tensor keep its ``.grad`` after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._grad_fn._retain(self._output_nr, self)
        self._retains_grad = True

    def register_hook(self, hook):
        """Registers ``hook(grad)`` called with this tensor's gradient; it may return a new gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        from .utils.hooks import RemovableHandle
        if self._hooks is None:
            self._hooks = {}
        h = RemovableHandle(self._hooks)
        self._hooks[h.id] = hook
        return h

    def register_post_accumulate_grad_hook(self, hook):
        """Registers ``hook(tensor)`` called after the gradient is accumulated into this leaf."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .utils.hooks import RemovableHandle
        hooks = self.__dict__.setdefault("_post_acc_hooks", {})
        h = RemovableHandle(hooks)
        hooks[h.id] = hook
        return h

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Computes the gradient of current tensor wrt graph leaves."""
        from .autograd.engine import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """Returns a new tensor sharing data (and version counter) with this one, outside the graph."""
        t = _new(Tensor)
        t._data = self._data
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        elif vc is NO_VERSION and not _state.inference:
            vc = InferenceVersion([0])
        t._vc = vc
        return t

    def detach_(self):
        """Detaches this tensor from the graph that created it, making it a leaf."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                               "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                               "be called on these gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def volatile(self):
        warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
        return False

    @volatile.setter
    def volatile(self, value):
        warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                      UserWarning, stacklevel=2)

    @property
    def data(self):
        # Unlike detach(), .data does not share the version counter: changes to it are invisible to autograd.
        # It is an inference tensor exactly when this one is, in either mode (counting only outside it).
        t = _plain_new(Tensor)
        t._data = self._data
        vc = self._vc
        if vc is not None and vc.__class__ is not list:
            t._vc = NO_VERSION if _state.inference else InferenceVersion([0])
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    # ------------------------------------------------------------------ Python protocol
    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def _scalar(self, what):
        d = self._data
        if d.size != 1:
            raise RuntimeError(f"a Tensor with {d.size} elements cannot be converted to Scalar")
        return d.reshape(()).item() if type(d) is np.ndarray else d.reshape(()).get().item()

    def item(self):
        """Returns the value of this one-element tensor as a Python number."""
        v = self._scalar("item")
        if v.__class__ not in _PY_SCALARS:
            return float(v)  # a bfloat16 or float8 scalar of ml_dtypes
        return v

    def __bool__(self):
        d = self._data
        if d.size != 1:
            what = "no values" if d.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self.item())

    def _one_value(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._one_value())

    def __int__(self):
        return int(self._one_value())

    def __complex__(self):
        return complex(self._one_value())

    def __index__(self):
        if self.dtype._cat != 1 and self.dtype is not _dtype.bool or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __contains__(self, element):
        if isinstance(element, (Tensor, int, float, bool)):
            return bool((self == element).any())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{type(element)}.")

    def tolist(self):
        """Returns the tensor as a (nested) Python list, or a number for a 0-d tensor."""
        d = self._data
        if type(d) is not np.ndarray:
            d = d.get()
        if _ml_dtype(d.dtype):
            d = d.astype(np.float32)
        return d.tolist()

    def numpy(self, *, force=False):
        """Returns the data as a NumPy array sharing memory (cpu tensors that do not require grad)."""
        if not force:
            if self._requires_grad:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if type(self._data) is not np.ndarray:
                raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
                                "the tensor to host memory first.")
        if _ml_dtype(self._data.dtype):
            raise TypeError(f"Got unsupported ScalarType {NP2DT[self._data.dtype]._legacy}")
        d = self._data
        return d if type(d) is np.ndarray else d.get()

    def __array__(self, dtype=None, copy=None):
        d = self.numpy()
        return d if dtype is None else d.astype(dtype, copy=False)

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        return Tensor._wrap(np.asarray(arr))

    # ------------------------------------------------------------------ memory layout
    def stride(self, dim=None):
        """Strides in elements (a tuple), or the stride of dimension ``dim``."""
        d = self._data
        isz = d.itemsize
        st = tuple(s // isz for s in d.strides)
        if d.size == 0 and not any(st):
            # NumPy zeroes the strides of freshly made empty arrays; torch keeps contiguous ones.
            st = _contiguous_strides(d.shape)
        return st if dim is None else st[self._wrap_dim(dim)]

    def _root(self):
        d = self._data
        while isinstance(d.base, type(d)):
            d = d.base
        return d

    def _ptr(self, d):
        if type(d) is np.ndarray:
            return d.__array_interface__["data"][0]
        return d.data.ptr

    def storage_offset(self):
        """Offset of the first element within the underlying storage, in elements."""
        d = self._data
        return (self._ptr(d) - self._ptr(self._root())) // d.itemsize

    def data_ptr(self):
        """Address of the first element."""
        return self._ptr(self._data)

    def is_contiguous(self, *, memory_format=_UNSET):
        """Whether the tensor is contiguous in memory in C order, or in ``memory_format``'s order."""
        d = self._data
        if memory_format is not _UNSET:
            from ._ops.layouts import check_format
            from ._ops.shape import is_channels_last
            if check_format("is_contiguous", memory_format, optional=False).name.startswith("channels_last"):
                return is_channels_last(self, memory_format)
        if d.size == 0:
            return True
        expected = d.itemsize
        for n, s in zip(reversed(d.shape), reversed(d.strides)):
            if n != 1:
                if s != expected:
                    return False
                expected *= n
        return True

    def untyped_storage(self):
        """The untyped storage holding this tensor's data."""
        from ._storage import UntypedStorage
        return UntypedStorage._of(self)

    def storage(self):
        from ._storage import TypedStorage
        return TypedStorage._of(self)

    def is_set_to(self, tensor):
        return (self.data_ptr() == tensor.data_ptr() and self._data.shape == tensor._data.shape
                and self.stride() == tensor.stride())

    def __deepcopy__(self, memo):
        from ._ops.creation import deepcopy_tensor
        return deepcopy_tensor(self, memo)

    def __reduce_ex__(self, proto):
        from ._ops.creation import reduce_tensor
        return reduce_tensor(self)

    def __setstate__(self, state):
        from ._ops.creation import setstate_tensor
        setstate_tensor(self, state)


def _contiguous_strides(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))


def _register_with_graph():
    from .autograd import graph as _graph
    _graph.Tensor = Tensor


_register_with_graph()
