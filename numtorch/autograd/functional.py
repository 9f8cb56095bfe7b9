"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp built on autograd.grad."""
import contextlib

from . import grad_mode
from .engine import grad as _grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_STRICT_INDEP = ("The output of the user-provided function is independent of input {}. This is not allowed "
                 "in strict mode.")


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


def _tupled(x, arg, fn):
    """(was_tuple, tuple_of_tensors), rejecting non-tensors with torch's TypeError."""
    was = isinstance(x, tuple)
    items = x if was else (x,)
    for i, el in enumerate(items):
        if not _is_tensor(el):
            where = f"value at index {i}" if was else f"given {arg}"
            raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                            f"{where} has type {type(el)}.")
    return was, items


def _unpack(res, out_tuple, in_tuple=None):
    """Undo the tuple wrapping of single-tensor inputs/outputs, as the caller passed them."""
    if in_tuple is not None and not in_tuple:
        res = tuple(r[0] for r in res)
    return res if out_tuple else res[0]


def _prepare(inputs, create_graph, need_graph):
    # With create_graph the result must stay connected to the caller's tensors, so take a view instead of
    # a detached copy.
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in inputs)


def _finish(ts, create_graph):
    if ts and isinstance(ts[0], tuple):
        return tuple(_finish(t, create_graph) for t in ts)
    return ts if create_graph else tuple(t.detach() for t in ts)


def _check_v(v, other, other_tuple):
    if len(v) != len(other):
        if other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            pre = f"Entry {i} in " if other_tuple else ""
            raise RuntimeError(f"{pre}v has invalid size: should be {b.size()} but got {a.size()}.")


_NOGRAD_MSG = {
    "outputs": ("Output {} of the user-provided function does not require gradients. The outputs must be "
                "computed in a differentiable manner from the input when running in strict mode."),
    "grad_inputs": ("The gradient with respect to input {} is independent of the inputs of the user-provided "
                    "function. This is not allowed in strict mode."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided function with "
                 "respect to input {} is independent of the input. This is not allowed in strict mode. You "
                 "should ensure that your function is twice differentiable and that the jacobian depends on "
                 "the inputs (this would be violated by a linear function for example)."),
    "hessian": ("The hessian of the user-provided function with respect to input {} is independent of the "
                "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                "differentiable and that the hessian depends on the inputs."),
}


def _strict_requires_grad(ts, kind, strict):
    if not strict:
        return
    for i, t in enumerate(ts):
        if t is None:
            raise RuntimeError(_STRICT_INDEP.format(i))
        if not t.requires_grad:
            raise RuntimeError(_NOGRAD_MSG[kind].format(i))


def _grad_of(outputs, inputs, seeds=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; unused inputs give None."""
    if seeds is None:
        seeds = (None,) * len(outputs)
    pairs = [(o, s) for o, s in zip(outputs, seeds) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gs = zip(*pairs)
    return _grad(outs, inputs, gs, retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


_MISSING_MSG = {
    "back": _STRICT_INDEP,
    "back_trick": ("The gradient with respect to the input is independent of entry {} in the grad_outputs "
                   "when using the double backward trick to compute forward mode gradients. This is not "
                   "allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {}. This is not "
                    "allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry {} in the "
                          "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                          "double backward trick to replace forward mode AD."),
}


def _zeros_for_missing(grads, refs, strict, create_graph, stage):
    from .._ops.creation import zeros_like
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_MISSING_MSG[stage].format(i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This "
                               "is not allowed in strict mode when create_graph=True.")
        res.append(g)
    return tuple(res)


def _seed_v(v, ref, ref_tuple, fn, create_graph, none_msg):
    if v is None:
        if len(ref) != 1 or ref[0].nelement() != 1:
            raise RuntimeError(none_msg)
        return None
    _, v = _tupled(v, "v", fn)
    v = _prepare(v, create_graph, False)
    _check_v(v, ref, ref_tuple)
    return v


_V_NONE_IN = ("The vector v can only be None if the input to the user-provided function is a single Tensor "
              "with a single element.")


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns func(inputs) and the vector-Jacobian product v^T J at the inputs."""
    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "vjp")
        _strict_requires_grad(outputs, "outputs", strict)
        v = _seed_v(v, outputs, out_tuple, "vjp", create_graph,
                    "The vector v can only be None if the user-provided function returns a single Tensor "
                    "with a single element.")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_missing(_grad_of(outputs, inputs, v, create_graph), inputs, strict, create_graph,
                                 "back")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns func(inputs) and the Jacobian-vector product J v (by the double-backward trick)."""
    from .._ops.creation import zeros_like
    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, True)
        v = _seed_v(v, inputs, in_tuple, "jvp", create_graph, _V_NONE_IN)
        out_tuple, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "jvp")
        _strict_requires_grad(outputs, "outputs", strict)
        # J^T u is linear in the dummy u; differentiating it w.r.t. u against v gives J v.
        dummies = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        gin = _grad_of(outputs, inputs, dummies, create_graph=True)
        _strict_requires_grad(gin, "grad_inputs", strict)
    with grad_mode.set_grad_enabled(True) if create_graph else contextlib.nullcontext():
        res = _zeros_for_missing(_grad_of(gin, dummies, v, create_graph), outputs, strict, create_graph,
                                 "back_trick")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), out_tuple))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """Computes the Jacobian of ``func`` with respect to ``inputs``."""
    _check_strategy(create_graph, strict, vectorize, strategy)
    if strategy == "forward-mode":
        # torch's forward-mode result is never detached: it stays attached to inputs that require grad.
        raw = inputs if isinstance(inputs, tuple) else (inputs,)
        create_graph = any(_is_tensor(t) and t.requires_grad for t in raw)
    return _jacobian(func, inputs, create_graph, strict)


def _check_strategy(create_graph, strict, vectorize, strategy):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more '
                             'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and `strategy=\"forward-mode\"` are "
                "not supported together (yet). Please either set `create_graph=False` or "
                "`strategy=\"reverse-mode\"`.")
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` are not "
                "supported together (yet). Please either set `strict=False` or `strategy=\"reverse-mode\"`.")
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian "
                                      "isonly implemented for `vectorize=True`.")
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")


def _jacobian(func, inputs, create_graph, strict):
    from .._ops.creation import zeros_like
    from .._ops.shape import stack
    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, True)
        out_tuple, outputs = _tupled(func(*inputs), "outputs of the user-provided function", "jacobian")
        _strict_requires_grad(outputs, "outputs", strict)
        jac = []
        for i, out in enumerate(outputs):
            flat = out.reshape(-1)
            cols = [[] for _ in inputs]
            # One backward per output element gives one row of the Jacobian for every input.
            for j in range(out.nelement()):
                row = _grad_of((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (g, x) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {k}. This is not allowed in strict mode.")
                        g = zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is independent of "
                                           f"input {i}. This is not allowed in strict mode when "
                                           "create_graph=True.")
                    cols[k].append(g)
            jac.append(tuple(stack(c, dim=0).view(out.size() + x.size()) for c, x in zip(cols, inputs)))
        return _unpack(_finish(tuple(jac), create_graph), out_tuple, in_tuple)


def _single_output(func, strict, fn):
    def wrapped(*inp):
        out = func(*inp)
        was, outs = _tupled(out, "outputs of the user-provided function", fn)
        _strict_requires_grad(outs, "outputs", strict)
        if was or not _is_tensor(out):
            raise RuntimeError(f"The function given to {fn} should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single "
                               "element")
        return out.squeeze()
    return wrapped


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """Computes the Hessian of a scalar-valued ``func`` with respect to ``inputs``."""
    in_tuple, inputs = _tupled(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')
    scalar_fn = _single_output(func, strict, "hessian")

    def jac_fn(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        j = jacobian(scalar_fn, inp, create_graph=True)
        _strict_requires_grad(j, "jacobian", strict)
        return j

    _check_strategy(create_graph, strict, vectorize, outer_jacobian_strategy)
    # Forward-over-reverse in torch keeps the result attached to the inner graph it differentiates.
    res = _jacobian(jac_fn, inputs, create_graph or outer_jacobian_strategy == "forward-mode", strict)
    return _unpack(res, in_tuple, in_tuple)


def _scalar_setup(func, inputs, v, create_graph, strict, fn):
    in_tuple, inputs = _tupled(inputs, "inputs", fn)
    inputs = _prepare(inputs, create_graph, True)
    v = _seed_v(v, inputs, in_tuple, fn, create_graph, _V_NONE_IN)
    out = func(*inputs)
    out_tuple, outputs = _tupled(out, "outputs of the user-provided function", fn)
    _strict_requires_grad(outputs, "outputs", strict)
    if out_tuple or not _is_tensor(outputs[0]):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single "
                           "element")
    jac = _grad_of(outputs, inputs, create_graph=True)
    _strict_requires_grad(jac, "jacobian", strict)
    return in_tuple, out_tuple, inputs, outputs, v, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns func(inputs) and the vector-Hessian product v^T H of a scalar function."""
    with grad_mode.enable_grad():
        in_tuple, out_tuple, inputs, outputs, v, jac = _scalar_setup(func, inputs, v, create_graph, strict,
                                                                     "vhp")
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_missing(_grad_of(jac, inputs, v, create_graph), inputs, strict, create_graph,
                                 "double_back")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns func(inputs) and the Hessian-vector product H v (by the double-backward trick)."""
    from .._ops.creation import zeros_like
    with grad_mode.enable_grad():
        in_tuple, out_tuple, inputs, outputs, v, jac = _scalar_setup(func, inputs, v, create_graph, strict,
                                                                     "hvp")
        dummies = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        twice = _grad_of(jac, inputs, dummies, create_graph=True)
        _strict_requires_grad(jac, "hessian", strict)
    with grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled()):
        res = _zeros_for_missing(_grad_of(twice, dummies, v, create_graph), inputs, strict, create_graph,
                                 "double_back_trick")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(res, create_graph), in_tuple))
