"""Matrix products: matmul, mm, bmm, dot, mv (BLAS through the backend's matmul)."""
from ._registry import OPS as OPS_BY_NAME, call, register
from .pointwise import public


def _check_same_dtype(a, b, what):
    if a.dtype != b.dtype:
        from .._dtype import NP2DT
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {NP2DT[a.dtype]} != "
                           f"{NP2DT[b.dtype]}" if what == "mm" else
                           f"expected scalar type {NP2DT[a.dtype]._legacy} but found {NP2DT[b.dtype]._legacy}")


def _shape_str(s):
    return "x".join(map(str, s))


def _mm(xp, a, b):
    if a.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    _check_same_dtype(a, b, "mm")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)})")
    return xp.matmul(a, b)


def _mm_backward(grad, a, b, out):
    return grad.mm(b.mH) if a is not None else None, a.mH.mm(grad)


register("mm", _mm, _mm_backward, nin=2, save=(0, 1))


def _bmm(xp, a, b):
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _check_same_dtype(a, b, "mm")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {a.shape[0]} and "
                           f"{b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return xp.matmul(a, b)


register("bmm", _bmm, lambda g, a, b, out: (g.bmm(b.mH), a.mH.bmm(g)), nin=2, save=(0, 1))


def _dot(xp, a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    _check_same_dtype(a, b, "dot")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                           "have the same number of elements, but got 0 and 1 elements respectively"
                           .replace("0 and 1", f"{a.shape[0]} and {b.shape[0]}"))
    return xp.dot(a, b)


register("dot", _dot, lambda g, a, b, out: (g * b.conj(), g * a.conj()), nin=2, save=(0, 1))


def _mv(xp, a, b):
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
    _check_same_dtype(a, b, "mm")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}), vec "
                           f"({b.shape[0]})")
    return xp.matmul(a, b)


register("mv", _mv, lambda g, a, b, out: (g.unsqueeze(-1) * b.conj(), a.mH.mv(g)), nin=2, save=(0, 1))


def _matmul(xp, a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                           f"{b.ndim}D")
    _check_same_dtype(a, b, "mm")
    k1 = a.shape[-1]
    k2 = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k1 != k2:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k1}] and src [{k2}] to have the same "
                               f"number of elements, but got {k1} and {k2} elements respectively")
        sa = _shape_str(a.shape if a.ndim > 1 else (1, k1))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_mat2d(a)} and {_mat2d(b, True)})")
    return xp.matmul(a, b)


def _mat2d(a, second=False):
    if a.ndim == 1:
        return f"{a.shape[0]}x1" if second else f"1x{a.shape[0]}"
    lead = 1
    for s in a.shape[:-1]:
        lead *= s
    return f"{lead}x{a.shape[-1]}" if not second or a.ndim == 2 else _shape_str(a.shape[-2:])


def _matmul_backward(grad, a, b, out):
    a_, b_, g = a, b, grad
    if a.ndim == 1:
        a_ = a.unsqueeze(0)
        g = g.unsqueeze(-2)
    if b.ndim == 1:
        b_ = b.unsqueeze(-1)
        g = g.unsqueeze(-1)
    ga = g.matmul(b_.mH)
    gb = a_.mH.matmul(g)
    if a.ndim == 1:
        ga = ga.squeeze(-2)
    if b.ndim == 1:
        gb = gb.squeeze(-1)
    # Batch dims that were broadcast are summed away by the registry.
    return ga, gb


_MATMUL = register("_matmul", _matmul, _matmul_backward, nin=2, save=(0, 1), node="UnsafeViewBackward0",
                   method=False, function=False)


def matmul(input, other, *, out=None):
    """Matrix product with NumPy-style broadcasting of batch dims (1-D operands are vectors)."""
    kw = {} if out is None else {"out": out}
    na, nb = input.ndim, other.ndim
    if na == 2 and nb == 2:
        return call(OPS_BY_NAME["mm"], (input, other), kw)
    if na == 1 and nb == 1:
        return call(OPS_BY_NAME["dot"], (input, other), kw)
    if na == 2 and nb == 1:
        return call(OPS_BY_NAME["mv"], (input, other), kw)
    return call(_MATMUL, (input, other), kw)

public(matmul)
