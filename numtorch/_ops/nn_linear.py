"""nn.functional.linear and bilinear: a fused ``x @ W.T + b`` with a closed-form backward."""
import math

import numpy as np

from .._dtype import CPP_NAMES, NP2DT
from .._tensor import Tensor
from ..autograd import grad_mode
from ._registry import FUNCTIONS, call, no_complex_autograd, register
from . import float8
from . import limited
from ._interp import fma
from .linalg import _product
from .pointwise import kernel_error

_state = grad_mode.state


def _addmm_fwd(xp, x, w, b, needs):
    if x.shape[1] == 1 and w.shape[0] > 1 and xp is np and x.dtype in (np.float32, np.float64):
        # one input feature and several outputs: torch's product fuses the bias in, x * w + b rounded once
        # (with one output it takes a matrix-vector product, which adds the bias after)
        return fma(np.broadcast_to(x, (x.shape[0], w.shape[0])), w.T, b)
    if float8.is_float8(x.dtype):
        # torch sums the exact products and the bias in float and rounds once
        return float8.convert(xp.matmul(float8.wide(x), float8.wide(w).T) + float8.wide(b), x.dtype)
    if x.dtype == np.float16:
        # torch adds the bias to the float32 product and rounds once (NumPy's half product rounds first,
        # and has no BLAS)
        out = xp.matmul(x.astype(np.float32), w.T.astype(np.float32))
        out += b
        return out.astype(x.dtype)
    out = xp.matmul(x, w.T)
    out += b
    # NumPy widens bfloat16 products to float32; torch rounds the result back to the input dtype once
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _mm_fwd(xp, x, w, needs):
    if float8.is_float8(x.dtype):
        return _product(xp, x, w.T)
    out = xp.matmul(x, w.T)
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _grads(g, x, w, needs):
    # ``needs`` (input, weight) comes from the forward: skip the product whose input takes no gradient.
    gd, xd, wd = g._data, x._data, w._data
    if not _state.enabled and type(gd) is np.ndarray and gd.dtype == xd.dtype == wd.dtype:
        # first order: the products on arrays, without building graph nodes
        if gd.dtype.kind == "c":
            xd, wd = xd.conj(), wd.conj()
        gx = Tensor._wrap(_product(np, gd, wd)) if needs[0] else None
        gw = Tensor._wrap(_product(np, gd.T, xd)) if needs[1] else None
        return gx, gw
    if x.is_complex():
        x, w = x.conj(), w.conj()
    gx = g.mm(w) if needs[0] else None
    gw = g.t().mm(x) if needs[1] else None
    return gx, gw


def _addmm_bwd(g, x, w, b, out, needs):
    gx, gw = _grads(g, x, w, needs)
    gb = g.sum(0) if needs[2] and len(b.shape) == 1 else g if needs[2] else None
    return gx, gw, gb


def _mm_bwd(g, x, w, out, needs):
    return _grads(g, x, w, needs)


_ADDMM = register("_linear_addmm", _addmm_fwd, _addmm_bwd, nin=3, save=(0, 1), node="AddmmBackward0",
                  method=False, function=False)
_MM = register("_linear_mm", _mm_fwd, _mm_bwd, nin=2, save=(0, 1), node="MmBackward0", method=False,
               function=False)


def _need_tensor(name, value, pos):
    if not isinstance(value, Tensor):
        raise TypeError(f"linear(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(value).__name__}")


def _check(input, weight, bias):
    _need_tensor("input", input, 1)
    _need_tensor("weight", weight, 2)
    if bias is not None:
        _need_tensor("bias", bias, 3)
    xd, wd = input._data, weight._data
    if xd.ndim == 0 or wd.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {xd.ndim}D and "
                           f"{wd.ndim}D")
    if wd.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {wd.ndim}D")
    if xd.dtype != wd.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {CPP_NAMES[xd.dtype.name]} != "
                           f"{CPP_NAMES[wd.dtype.name]}")
    if xd.shape[-1] != wd.shape[-1]:
        rows = math.prod(xd.shape[:-1])
        w_shape = wd.shape[::-1] if wd.ndim == 2 else (wd.shape[0], 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} and "
                           f"{w_shape[0]}x{w_shape[1]})")
    if bias is not None and bias._data.dtype != xd.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {NP2DT[bias._data.dtype]._legacy} "
                           f"and {NP2DT[xd.dtype]._legacy}")
    if xd.dtype == np.bool_:
        raise kernel_error("addmm_impl_cpu_", NP2DT[xd.dtype])
    dt = NP2DT[xd.dtype]
    if dt._limited and xd.size and wd.size:
        limited.check("addmm_impl_cpu_", dt)


def linear(input, weight, bias=None):
    """Applies a linear transformation to the incoming data: y = xA^T + b."""
    _check(input, weight, bias)
    xd, wd = input._data, weight._data
    if wd.ndim == 1 and bias is not None:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    if wd.ndim == 1 or bias is not None and bias._data.ndim > 1 and xd.ndim != 2:
        out = FUNCTIONS["matmul"](input, weight.t())
        return out if bias is None else out + bias
    needs = (input._requires_grad, weight._requires_grad, bias is not None and bias._requires_grad)
    if xd.ndim == 2:
        return _fused(input, weight, bias, needs)
    lead = xd.shape[:-1]
    flat = input.reshape(-1, xd.shape[-1])
    return _fused(flat, weight, bias, needs).view(*lead, wd.shape[0])


def _fused(x, w, b, needs):
    if b is None:
        return call(_MM, (x, w, needs), {})
    _check_bias(b, x._data.shape[0], w._data.shape[0])
    return call(_ADDMM, (x, w, b, needs), {})


def _check_bias(b, rows, cols):
    shape = b._data.shape
    if len(shape) > 2 or any(s not in (1, t) for s, t in zip(shape[::-1], (cols, rows))):
        got = shape[-1] if shape else 1
        raise RuntimeError(f"The expanded size of the tensor ({cols}) must match the existing size ({got}) at "
                           f"non-singleton dimension 1.  Target sizes: [{rows}, {cols}].  Tensor sizes: "
                           f"{list(shape)}")


def bilinear(input1, input2, weight, bias=None):
    """Applies a bilinear transformation to the incoming data: y = x_1^T A x_2 + b."""
    for name, t, pos in (("input1", input1, 1), ("input2", input2, 2), ("weight", weight, 3)):
        if not isinstance(t, Tensor):
            raise TypeError(f"bilinear(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for i in range(len(s1) - 1):
        if s1[i] != s2[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {s1[i]} and "
                               f"{s2[i]}")
    if len(sw) != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got {len(sw)}")
    if s1[-1] != sw[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected "
                           f"{sw[1]}")
    if s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected "
                           f"{sw[2]}")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != sw[0]):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.shape[-1]} but "
                           f"expected {sw[0]}")
    if input1.dtype._legacy == "Bool":
        raise kernel_error("bmm", input1.dtype)
    no_complex_autograd("_trilinear", input1, weight, input2)
    out = FUNCTIONS["einsum"]("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias
