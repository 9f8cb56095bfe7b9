"""gradcheck / gradgradcheck: compare backward's Jacobians with central finite differences."""
import warnings

import numpy as np

from .. import _tensor
from . import grad_mode
from .engine import grad as _grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

_NONDET_NOTE = (
    "\n\nNOTE: If your op relies on non-deterministic operations i.e., it is listed here:\n"
    "https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html\n"
    "this failure might be expected.\n\n"
    "If you are adding a new operator, please file an issue and then use one of the\n"
    "workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.\n"
    "If the test\n"
    "- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck\n"
    "  with `nondet_tol=<tol>` as a keyword argument.\n")

_FAST_NOTE = (
    "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
    "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
    "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n")


_DOUBLE = ("torch.float64", "torch.complex128")


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck when a check fails."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _host(a):
    return a if isinstance(a, np.ndarray) else a.get()


def _diff_inputs(inputs):
    return [x for x in inputs if isinstance(x, _tensor.Tensor) and x._requires_grad]


def _check_inputs(inputs):
    found = False
    for i, x in enumerate(inputs):
        if not (isinstance(x, _tensor.Tensor) and x._requires_grad):
            continue
        if str(x.dtype) not in _DOUBLE:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                          "complex. This check will likely fail if all the inputs are not of double "
                          "precision floating point or complex. ", UserWarning, stacklevel=4)
        if any(s == 0 and n > 1 for s, n in zip(x._data.strides, x._data.shape)):
            raise RuntimeError(f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                               "inputs that are non-overlapping to be able to compute the numerical "
                               "gradients correctly. You should call .contiguous on the input before "
                               "passing it to gradcheck.")
        found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "them have requires_grad=True.")


def _parts(out):
    """(label, grad_output scale) for each real part of an output that gradcheck examines."""
    if out.dtype.is_complex:
        return (("real", 1), ("imag", 1j))
    return ((None, 1),)


def _take(a, label):
    if label == "imag":
        return a.imag
    return a.real if np.iscomplexobj(a) else a


def _evaluate(func, inputs):
    outs = _as_tuple(func(*inputs))
    return [_host(o._data).copy() if isinstance(o, _tensor.Tensor) else None for o in outs]


def _directional(func, inputs, x, idx, step):
    """(f(x + step) - f(x - step)) / (2 |step|) for each output, perturbing element ``idx`` of ``x``."""
    arr = x._data
    orig = arr[idx].copy()
    arr[idx] = orig + step
    plus = _evaluate(func, inputs)
    arr[idx] = orig - step
    minus = _evaluate(func, inputs)
    arr[idx] = orig
    return [None if p is None else (p - m) / (2 * abs(step)) for p, m in zip(plus, minus)]


def _numerical(func, inputs, outs, eps):
    """num[j][i][label]: d(part of output i)/d(input j) as an (input numel, output numel) array."""
    res = []
    for x in _diff_inputs(inputs):
        steps = (eps, eps * 1j) if x.dtype.is_complex else (eps,)
        cols = {}
        for k in range(x._data.size):
            idx = np.unravel_index(k, x._data.shape)
            for s in steps:
                d = _directional(func, inputs, x, idx, s)
                cols.setdefault(s, []).append(d)
        res.append(_assemble(x, outs, steps, cols))
    return res


def _assemble(x, outs, steps, cols):
    n_in = x._data.size
    per_out = []
    for i, o in enumerate(outs):
        parts = {}
        if not isinstance(o, _tensor.Tensor):
            per_out.append(parts)
            continue
        for label, _ in _parts(o):
            jac = np.zeros((n_in, o._data.size), dtype=_host(x._data).dtype)
            for s in steps:
                for k in range(n_in):
                    col = _take(cols[s][k][i], label).reshape(-1)
                    jac[k] += col * (1 if s == steps[0] else 1j)
            parts[label] = jac
        per_out.append(parts)
    return per_out


def _vjp_rows(out, diff, scale):
    """Jacobian rows of ``out`` (times ``scale``) for every diff input, via one backward per row."""
    from .._ops.creation import zeros
    # A C-contiguous seed, so that the flat view below writes into it.
    g = zeros(out.shape, dtype=out.dtype, device=out.device)
    flat = g._data.reshape(-1)
    rows = [[] for _ in diff]
    for k in range(out._data.size):
        flat[...] = 0
        flat[k] = scale
        grads = _grad(out, diff, g, retain_graph=True, allow_unused=True)
        for r, gi in zip(rows, grads):
            r.append(None if gi is None else gi.detach().clone())
    return rows


def _analytical(out, diff, scale, nondet_tol, check_grad_dtypes):
    first = _vjp_rows(out, diff, scale)
    second = _vjp_rows(out, diff, scale)
    jacs, jacs2 = [], []
    sizes_ok = types_ok = True
    for x, rows, rows2 in zip(diff, first, second):
        for gi in rows:
            if gi is not None and gi._data.shape != x._data.shape:
                sizes_ok = False
            elif gi is not None and gi.dtype is not x.dtype:
                types_ok = False
        jacs.append(_stack(x, out, rows))
        jacs2.append(_stack(x, out, rows2) if sizes_ok else jacs[-1])
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(jacs, jacs2):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
                "times gives different values, although analytical gradient matches numerical gradient.The "
                f"tolerance for nondeterminism was {nondet_tol}." + _NONDET_NOTE)
    return jacs


def _stack(x, out, rows):
    jac = np.zeros((x._data.size, out._data.size), dtype=_host(x._data).dtype)
    for k, gi in enumerate(rows):
        if gi is not None and gi._data.size == x._data.size:
            jac[:, k] = _host(gi._data).reshape(-1)
    return jac


def _close(a, n, rtol, atol):
    return bool(np.all(np.abs(a - n) <= atol + rtol * np.abs(n)))


def _mismatch_msg(a, n, i, j, label):
    part = "imaginary" if label == "imag" else label
    prefix = f"While considering the {part} part of complex outputs only, " if label else ""
    return (f"{prefix}Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{_tensor.Tensor._wrap(n)}\nanalytical:{_tensor.Tensor._wrap(a)}\n")


def _no_diff_outputs(func, inputs, func_out, eps):
    for per_input in _numerical(func, inputs, func_out, eps):
        for parts in per_input:
            if any(np.any(jac != 0) for jac in parts.values()):
                raise GradcheckError("Numerical gradient for function expected to be zero")
    return True


def _slow_check(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol, check_grad_dtypes):
    if not outputs:
        return _no_diff_outputs(func, inputs, func_out, eps)
    numerical = _numerical(func, inputs, func_out, eps)
    diff = _diff_inputs(inputs)
    diff_pos = [k for k, o in enumerate(func_out) if isinstance(o, _tensor.Tensor) and o._requires_grad]
    # As torch: with complex outputs, the imaginary parts are checked first, then the real parts.
    rounds = ("imag", "real") if any(o.dtype.is_complex for o in outputs) else (None,)
    for part in rounds:
        for i, (o, pos) in enumerate(zip(outputs, diff_pos)):
            label = part if o.dtype.is_complex else None
            scale = 1j if label == "imag" else 1
            an = _analytical(o, diff, scale, nondet_tol, check_grad_dtypes)
            for j, a in enumerate(an):
                n = numerical[j][pos][label]
                if not _close(a, n, rtol, atol):
                    raise GradcheckError(_mismatch_msg(a, n, i, j, label))
    return True


def _fast_check(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol, check_grad_dtypes):
    """Compare v^T J u from finite differences with v^T J u from backward, for random u and v."""
    # A private, fixed-seed stream: the user's generators are left untouched.
    gen = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    us = [_unit(gen, x._data.size) for x in diff]
    vs = [_unit(gen, o._data.size) for o in outputs]
    diff_pos = [k for k, o in enumerate(func_out) if isinstance(o, _tensor.Tensor) and o._requires_grad]
    for j, (x, u) in enumerate(zip(diff, us)):
        ju = _numerical_jvp(func, inputs, x, u, eps)
        for i, (o, v, pos) in enumerate(zip(outputs, vs, diff_pos)):
            n = float(np.real(np.dot(ju[pos].reshape(-1), v)))
            a = _analytical_vju(o, diff, j, v, u)
            if not _close(a, n, rtol, atol * u.sum() * v.sum()):
                slow = _slow_error(func, inputs, func_out, o, diff, i, j, pos, eps)
                raise GradcheckError(_fast_msg(a, n, i, j) + slow)
    if not outputs:
        _no_diff_outputs(func, inputs, func_out, eps)
    return True


def _unit(gen, n):
    u = gen.random(n)
    norm = np.sqrt((u * u).sum())
    return u / norm if norm else u


def _numerical_jvp(func, inputs, x, u, eps):
    arr = x._data
    orig = arr.copy()
    step = (u * eps).reshape(arr.shape).astype(_host(arr).dtype)
    arr[...] = orig + (step if isinstance(arr, np.ndarray) else _to_device(step, arr))
    plus = _evaluate(func, inputs)
    arr[...] = orig - (step if isinstance(arr, np.ndarray) else _to_device(step, arr))
    minus = _evaluate(func, inputs)
    arr[...] = orig
    return [None if p is None else (p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _to_device(a, like):
    import cupy
    return cupy.asarray(a)


def _analytical_vju(out, diff, j, v, u):
    from .._ops.creation import tensor
    g = tensor(v.reshape(out._data.shape), dtype=out.dtype, device=out.device)
    gi = _grad(out, diff, g, retain_graph=True, allow_unused=True)[j]
    if gi is None:
        return 0.0
    return float(np.real(np.dot(_host(gi._data).reshape(-1), u)))


def _fast_msg(a, n, i, j):
    return (f"Jacobian mismatch for output {i:d} with respect to input {j:d},\n"
            f"numerical:{n}\nanalytical:{a}\n")


def _slow_error(func, inputs, func_out, out, diff, i, j, pos, eps):
    n = _numerical(func, inputs, func_out, eps)[j][pos][_parts(out)[0][0]]
    a = _stack(diff[j], out, _vjp_rows(out, diff, 1)[j])
    worst = float(np.abs(a - n).max()) if a.size else 0.0
    return (_FAST_NOTE + f"Numerical:\n {_tensor.Tensor._wrap(n)}\nAnalytical:\n{_tensor.Tensor._wrap(a)}\n\n"
            f"The max per-element difference (slow mode) is: {worst}.\n")


def _check_mul_by_grad_output(outputs, inputs):
    from .._ops.creation import zeros_like
    diff = _diff_inputs(inputs)
    grads = _grad(outputs, diff, [zeros_like(o) for o in outputs], allow_unused=True)
    for gi, x in zip(grads, diff):
        if gi is None:
            continue
        if np.any(_host(gi._data) != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != x.device:
            raise GradcheckError("grad is incorrect device")
        if gi._data.shape != x._data.shape:
            raise GradcheckError("grad is incorrect size")
    return True


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """Check gradients computed via small finite differences against analytical gradients w.r.t.
    tensors in ``inputs`` that are of floating point or complex type and with ``requires_grad=True``."""
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes, fast_mode):
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    with grad_mode.enable_grad():
        func_out = _as_tuple(func(*inputs))
    # torch reads .requires_grad of every output: a non-tensor output is an AttributeError there too.
    outputs = tuple(o for o in func_out if o.requires_grad)
    check = _fast_check if fast_mode else _slow_check
    with grad_mode.enable_grad():
        check(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol, check_grad_dtypes)
        if outputs:
            _check_mul_by_grad_output(outputs, inputs)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_rev_over_rev=True, fast_mode=False, masked=False):
    """Check gradients of gradients computed via small finite differences against analytical gradients
    w.r.t. tensors in ``inputs`` and ``grad_outputs``."""
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        with grad_mode.enable_grad():
            outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, _tensor.Tensor) and o._requires_grad]
        grad_outputs = _random_grad_outputs(outs, gen_non_contig_grad_outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_in = {i for i, x in enumerate(inputs) if isinstance(x, _tensor.Tensor) and x._requires_grad}

    def new_func(*args):
        ins = args[:len(args) - n_out]
        outs = [o for o in _as_tuple(func(*ins)) if isinstance(o, _tensor.Tensor) and o._requires_grad]
        wrt = [x for i, x in enumerate(ins) if i in diff_in]
        grads = _grad(outs, wrt, args[len(args) - n_out:], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode, masked=masked)


def _random_grad_outputs(outs, non_contig):
    from .. import _dtype
    from .._ops.creation import tensor
    gen = np.random.default_rng(0)
    res = []
    for o in outs:
        dt = o.dtype if o.dtype.is_floating_point or o.dtype.is_complex else _dtype.float64
        g = tensor(gen.uniform(-1, 1, tuple(o.shape)), dtype=dt, device=o.device)
        if non_contig and g.dim():
            g = _non_contiguous(g)
        res.append(g.requires_grad_(True))
    return tuple(res)


def _non_contiguous(g):
    # Every other element of a buffer twice as wide: same values, non-unit last stride.
    d = g._data
    wide = g._xp.zeros(d.shape[:-1] + (2 * d.shape[-1],), dtype=d.dtype)
    view = wide[..., ::2]
    view[...] = d
    return _tensor.Tensor._wrap(view)
