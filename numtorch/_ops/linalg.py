"""Matrix products: matmul, mm, bmm, dot, mv (BLAS through the backend's matmul)."""
import math

import numpy as np

from .. import _dtype
from .._dtype import NP2DT
from ..autograd import grad_mode
from . import float8
from ._registry import _copy_into_out, broadcast_error, call, register
from .pointwise import _need_tensor, _reject, public


def _shape_str(s):
    return "x".join(map(str, s))


def _product(xp, a, b):
    if float8.is_float8(a.dtype):
        # torch's CPU gemm sums the exact float8 products in float and rounds once
        return float8.convert(xp.matmul(float8.wide(a), float8.wide(b)), a.dtype)
    r = xp.matmul(a, b)
    # NumPy widens bfloat16 products to float32; torch keeps the input dtype.
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def _mm(xp, a, b):
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {NP2DT[a.dtype]._name} != "
                           f"{NP2DT[b.dtype]._name}".replace("float32", "float").replace("float64", "double"))
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    gemm_reject("addmm_impl_cpu_", a, b)
    return _product(xp, a, b)


def gemm_reject(kernel, a, b):
    """torch's errors for matrix product operands its CPU ``kernel`` was not compiled for; an empty product
    never reaches the kernel, which the limited dtypes notice."""
    dt = NP2DT[a.dtype]
    if not dt._limited or a.size and b.size:
        _reject(kernel, dt, (_dtype.BOOL,))


def _mm_backward(grad, a, b, out):
    return grad.mm(b.mH), a.mH.mm(grad)


def _bmm(xp, a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {NP2DT[a.dtype]._legacy} but found "
                           f"{NP2DT[b.dtype]._legacy}")
    _reject("bmm", NP2DT[a.dtype], (_dtype.BOOL,))
    return _product(xp, a, b)


def _dot(xp, a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{NP2DT[a.dtype]._legacy} and {NP2DT[b.dtype]._legacy}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
                           f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
                           "elements respectively")
    _reject("dot", NP2DT[a.dtype], (_dtype.BOOL,))
    return xp.asarray(_product(xp, a, b))


def _mv(xp, a, b):
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}), vec "
                           f"({b.shape[0]})")
    if a.dtype != b.dtype:
        vec, mat = NP2DT[b.dtype]._legacy, NP2DT[a.dtype]._legacy
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {vec}, {mat}, and {vec}")
    _reject("addmv_impl_cpu", NP2DT[a.dtype], (_dtype.BOOL,))
    return _product(xp, a, b)


register("mm", _mm, _mm_backward, nin=2, save=(0, 1))
register("bmm", _bmm, lambda g, a, b, out: (g.bmm(b.mH), a.mH.bmm(g)), nin=2, save=(0, 1))
register("dot", _dot, lambda g, a, b, out: (g * b.conj(), g * a.conj()), nin=2, save=(0, 1))
register("mv", _mv, lambda g, a, b, out: (g.unsqueeze(-1) * b.conj(), a.mH.mv(g)), nin=2, save=(0, 1))
# The result of a product reshaped without being a view of it (torch's _unsafe_view).
_UNSAFE_VIEW = register("_unsafe_view", lambda xp, a, shape: a.reshape(shape),
                        lambda g, a, out, shape: g.reshape(a.shape), node="UnsafeViewBackward0",
                        method=False, function=False)


def _unsafe_view(t, shape):
    return call(_UNSAFE_VIEW, (t, tuple(shape)), {})


def _foldable(t):
    # Whether the leading dims of t can be flattened into one without a copy.
    if t.numel() == 0:
        return True
    shape, strides = t.shape, t.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t.ndim - 2))


def _should_fold(a, b, has_out):
    """torch folds batch dims into an mm/mv when that needs no copy (or saves a large gradient)."""
    a_larger = a.ndim >= b.ndim
    t1 = a if a_larger else b.mT
    small = b if a_larger else a
    if not (t1.ndim >= 3 and small.ndim <= 2):
        return False
    # torch decides on requires_grad alone, whether or not grad mode is on.
    if small.requires_grad and not has_out:
        return True
    if a.ndim == 2:
        return False
    return _foldable(t1)


def _fold(a, b):
    transpose = b.ndim > a.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a.ndim == 2 else a) if transpose else b
    out_shape = tuple(t1.shape[:-1])
    folded = t1.reshape(math.prod(out_shape), t1.shape[-1])
    if t2.ndim == 1:
        return _unsafe_view(folded.mv(t2), out_shape)
    r = _unsafe_view(folded.mm(t2), out_shape + (t2.shape[1],))
    return r.mT.contiguous() if transpose else r


def _batched(a, b):
    n, m1 = (a.shape[-2] if a.ndim > 1 else 1), a.shape[-1]
    m2, p = (b.shape[-2], b.shape[-1]) if b.ndim > 1 else (b.shape[0], 1)
    ba, bb = tuple(a.shape[:-2]), tuple(b.shape[:-2])
    try:
        batch = tuple(np.broadcast_shapes(ba, bb))
    except ValueError:
        broadcast_error([ba, bb])
    nb = math.prod(batch)
    a3 = a.expand(batch + (n, m1)).reshape(nb, n, m1)
    out_shape = batch + ((n,) if a.ndim > 1 else ()) + ((p,) if b.ndim > 1 else ())
    if b.ndim == 1:
        b3 = b.expand(batch + (m2,)).reshape(nb, m2).unsqueeze(-1)
        return _unsafe_view(a3.bmm(b3).squeeze(-1), out_shape)
    b3 = b.expand(batch + (m2, p)).reshape(nb, m2, p)
    return _unsafe_view(a3.bmm(b3), out_shape)


def _squeeze_unit_batch(a, b):
    # A single-matrix batch that requires grad is squeezed so the product folds into one mm, as torch.
    if b.shape[0] == 1 and a.shape[0] > 1 and b.requires_grad:
        return a, b.squeeze(0)
    if a.shape[0] == 1 and b.shape[0] > 1 and a.requires_grad:
        return a.squeeze(0), b
    return a, b


def _matmul(a, b, has_out):
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return a.dot(b)
    if da == 2 and db == 1:
        return a.mv(b)
    if da == 1 and db == 2:
        return a.unsqueeze(0).mm(b).squeeze_(0)
    if da == 2 and db == 2:
        return a.mm(b)
    if da == 3 and db == 3:
        a, b = _squeeze_unit_batch(a, b)
    if _should_fold(a, b, has_out):
        return _fold(a, b)
    return _batched(a, b)


def matmul(input, other, *, out=None):
    """Matrix product of two tensors, broadcasting batch dimensions (1-D operands are vectors)."""
    _need_tensor("matmul", input)
    _need_tensor("matmul", other, 2, "other")
    if out is None:
        return _matmul(input, other, False)
    if grad_mode.state.enabled and (input.requires_grad or other.requires_grad or out.requires_grad):
        raise RuntimeError("matmul(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    _copy_into_out(out, _matmul(input, other, True))
    return out


public(matmul)
