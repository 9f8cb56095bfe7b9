"""torch.func's transforms: vmap, grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian.

vmap runs the function once per slice of the mapped dimension and stacks the results (numtorch has no
batched tensors); the derivative transforms run the function on fresh leaves (or, when an enclosing
computation tracks their inputs, on aliases of them) and ask autograd for the products. Forward-mode
products come from the double-backward trick: J v is the derivative of (u -> u^T J) applied to v.
"""
import functools

from . import random as _random
from ._tensor import Tensor
from .autograd import grad_mode
from .autograd.engine import grad as _autograd_grad

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


# ------------------------------------------------------------------------------------------ pytrees

class _Spec:
    """The structure of a nested tuple/list/dict/namedtuple; everything else is a leaf."""

    __slots__ = ("kind", "context", "children", "leaves")

    def __init__(self, kind, context=None, children=()):
        self.kind, self.context, self.children = kind, context, children
        self.leaves = 1 if kind is None else sum(c.leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, _Spec) and self.kind == other.kind and self.context == other.context
                and self.children == other.children)

    def pretty(self):
        """The short form torch's messages use: ``*`` for a leaf, containers in Python syntax."""
        if self.kind is None:
            return "*"
        parts = [c.pretty() for c in self.children]
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.context, parts)) + "}"
        if self.kind is list:
            return "[" + ", ".join(parts) + "]"
        inner = ", ".join(parts) + ("," if len(parts) == 1 else "")
        return ("(" if self.kind is tuple else f"{self.kind.__name__}(") + inner + ")"

    def __repr__(self):
        if self.kind is None:
            return "*"
        inner = ",\n  ".join(map(repr, self.children))
        return f"TreeSpec({self.kind.__name__}, {self.context}, [{inner}])"


def _flatten(tree):
    """(leaves, spec) of ``tree``."""
    leaves = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree, leaves):
    kind = type(tree)
    if kind in (tuple, list) or (isinstance(tree, tuple) and hasattr(kind, "_fields")):
        return _Spec(kind, None, tuple(_flatten_into(t, leaves) for t in tree))
    if kind is dict:
        keys = list(tree)
        return _Spec(kind, keys, tuple(_flatten_into(tree[k], leaves) for k in keys))
    leaves.append(tree)
    return _Spec(None)


def _unflatten(leaves, spec):
    it = iter(leaves)
    return _build(it, spec)


def _build(it, spec):
    if spec.kind is None:
        return next(it)
    parts = [_build(it, c) for c in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.context, parts))
    if spec.kind in (tuple, list):
        return spec.kind(parts)
    return spec.kind(*parts)


def _broadcast(prefix, spec):
    """The leaves of ``prefix`` repeated over the subtrees of ``spec`` they stand for, or None when
    ``prefix`` does not match ``spec``'s structure."""
    leaves, pspec = _flatten(prefix)
    out = []
    return out if _broadcast_into(iter(leaves), pspec, spec, out) else None


def _broadcast_into(it, pspec, spec, out):
    if pspec.kind is None:
        out.extend([next(it)] * spec.leaves)
        return True
    if pspec.kind != spec.kind or pspec.context != spec.context or len(pspec.children) != len(spec.children):
        return False
    return all(_broadcast_into(it, p, s, out) for p, s in zip(pspec.children, spec.children))


def _name(func):
    return getattr(func, "__name__", repr(func))


# --------------------------------------------------------------------------------------------- vmap

_RANDOMNESS = ("error", "different", "same")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Returns a function that maps ``func`` over dimension ``in_dims`` of its inputs and stacks the
    results along ``out_dims`` (here by calling ``func`` once per slice). ``randomness`` says whether
    random operations inside raise ('error'), differ per slice ('different') or repeat ('same')."""
    if randomness not in _RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return _vmap_call(func, in_dims, out_dims, randomness, args, kwargs)
    return wrapped


def _vmap_call(func, in_dims, out_dims, randomness, args, kwargs):
    name = _name(func)
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                         "trying to vmap over a function with no inputs. The latter is unsupported.")
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    leaves, spec = _flatten(args)
    dims = [in_dims] * len(leaves) if isinstance(in_dims, int) else _broadcast(in_dims, spec)
    if dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. in_dims has "
                         f"structure {_flatten(in_dims)[1]} but inputs has structure {spec}.")
    size = _batch_size(where, leaves, dims)
    if size == 0:
        # nothing to slice: run once on a zero slice for the outputs' structure and shapes, keep none of it
        per_sample = [_call_sample(func, [_zero_slice(x, d) for x, d in zip(leaves, dims)], spec, kwargs,
                                   randomness, None)]
    else:
        state = _random.default_generator.get_state() if randomness == "same" else None
        per_sample = [_call_sample(func, [x if d is None else x.select(d, i) for x, d in zip(leaves, dims)],
                                   spec, kwargs, randomness, state) for i in range(size)]
    return _stack_outputs(name, per_sample, out_dims, size)


def _batch_size(where, leaves, dims):
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if not isinstance(d, int) or isinstance(d, bool):
            raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be either an integer "
                             "dimension or None.")
        if not isinstance(x, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We "
                             "cannot vmap over non-Tensor arguments, please use None as the respective in_dim")
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                             f"dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim < {n}.")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0]


def _zero_slice(x, d):
    if d is None:
        return x
    shape = list(x.shape)
    del shape[d]
    return x.new_zeros(shape)


def _call_sample(func, leaves, spec, kwargs, randomness, state):
    if state is not None:
        _random.default_generator.set_state(state)
    _random.VMAP_RANDOMNESS.append(randomness)
    try:
        return func(*_unflatten(leaves, spec), **kwargs)
    finally:
        _random.VMAP_RANDOMNESS.pop()


def _stack_outputs(name, per_sample, out_dims, size):
    from ._ops.shape import stack
    flat = [_flatten(o) for o in per_sample]
    spec = flat[0][1]
    dims = _broadcast(out_dims, spec)
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {_flatten(out_dims)[1]} but outputs "
                         f"has structure {spec}.")
    results = []
    for k, d in enumerate(dims):
        column = [leaves[k] for leaves, _ in flat]
        if d is None:
            results.append(_unbatched(name, column))
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(column[0])}. Did you mean to set out_dims= to None for output?")
        batched = stack(column) if size else column[0].unsqueeze(0)[:0]
        results.append(batched.movedim(0, d))
    return _unflatten(results, spec)


def _unbatched(name, column):
    # an output mapped to None must not vary over the batch: the slices' values all agree
    first = column[0]
    if isinstance(first, Tensor):
        if any(not (isinstance(c, Tensor) and c.shape == first.shape and bool((c == first).all()))
               for c in column[1:]):
            raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
    return first


# ------------------------------------------------------------------------------ derivative transforms

def _check_argnums(argnums, nargs):
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        picked = (argnums,)
    elif isinstance(argnums, tuple) and all(isinstance(a, int) and not isinstance(a, bool) for a in argnums):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        picked = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in picked:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
    return picked


class _Lifted:
    """The differentiated arguments of one transform call, replaced by leaves autograd can reach: fresh
    leaves, or aliases of inputs that an enclosing computation already tracks."""

    def __init__(self, args, argnums):
        self.args = list(args)
        self.argnums = _check_argnums(argnums, len(args))
        self.specs, self.inner = [], []
        # what an enclosing computation can track is decided by the grad mode the transform is called in
        self.tracked = tracked = grad_mode.is_grad_enabled()
        for a in self.argnums:
            leaves, spec = _flatten(self.args[a])
            lifted = [_lift(x, tracked) for x in leaves]
            self.specs.append(spec)
            self.inner.append(lifted)
            self.args[a] = _unflatten(lifted, spec)
        self.flat = [x for group in self.inner for x in group]

    def arranged(self, grads, single):
        """Per-leaf results back in the arguments' structure (one argument's, or a tuple of them)."""
        it = iter(grads)
        out = tuple(_unflatten([next(it) for _ in group], spec) for group, spec in zip(self.inner, self.specs))
        return out[0] if single else out


def _lift(x, tracked):
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if tracked and x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _outer(outputs, lifted):
    """Whether the graph of ``outputs`` reaches a tensor requiring grad other than ``lifted``'s fresh
    leaves -- an alias of a tracked input, or anything captured from outside -- so that the results must
    stay differentiable for the enclosing computation."""
    if not lifted.tracked:
        return False
    inner = lifted.flat
    own = {id(x) for x in inner if x.grad_fn is None}
    aliases = {id(x.grad_fn) for x in inner if x.grad_fn is not None}
    stack, seen = [], set()
    for o in outputs:
        if isinstance(o, Tensor) and o.requires_grad:
            if o.grad_fn is None and id(o) not in own:
                return True
            stack.append(o.grad_fn)
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        var = getattr(node, "variable", None)
        if id(node) in aliases or (var is not None and id(var) not in own):
            return True
        stack.extend(n for n, _ in node.next_functions)
    return False


def _grads(outputs, seeds, inputs, create_graph, retain_graph=None, batch=None):
    """autograd.grad of ``outputs`` (those that require grad) seeded with ``seeds``; zeros for inputs they
    do not reach. ``batch`` is the leading size of batched seeds."""
    pairs = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
    found = (None,) * len(inputs)
    if pairs:
        outs, gs = zip(*pairs)
        found = _autograd_grad(outs, inputs, gs, retain_graph=retain_graph, create_graph=create_graph,
                               allow_unused=True, is_grads_batched=batch is not None)
    lead = () if batch is None else (batch,)
    return [x.new_zeros(lead + tuple(x.shape)) if g is None else g for g, x in zip(found, inputs)]


def _settle(tree, keep):
    """Detach every tensor of ``tree`` unless an enclosing computation tracks it."""
    if keep:
        return tree
    leaves, spec = _flatten(tree)
    return _unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    for leaf in _flatten(output[1])[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    return output


def _tensor_leaves(output, api):
    leaves, spec = _flatten(output)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                               f"{type(leaf)}")
    return leaves, spec


_VJP, _JVP = "vjp(f, *primals)", "jvp(f, primals, tangents)"


def grad_and_value(func, argnums=0, has_aux=False):
    """Returns a function computing ``(gradient, value)`` of ``func``'s scalar output with respect to the
    positional arguments ``argnums`` (``((gradient, (value, aux))`` with ``has_aux``)."""
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        api = "grad_and_value(f)(*args)"
        lifted = _Lifted(args, argnums)
        with grad_mode.enable_grad():
            output, aux = _split_aux(func(*lifted.args, **kwargs), has_aux, api)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                   f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            keep = _outer([output], lifted)
            grads = _grads([output], [None], lifted.flat, keep)
        result = _settle(lifted.arranged(grads, isinstance(argnums, int)), keep)
        value = _settle(output, keep)
        return (result, (value, _settle(aux, keep))) if has_aux else (result, value)
    return wrapped


def grad(func, argnums=0, has_aux=False):
    """Returns a function computing the gradient of ``func``'s scalar output with respect to the positional
    arguments ``argnums`` (and ``func``'s auxiliary output with ``has_aux``)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapped


def vjp(func, *primals, has_aux=False):
    """Returns ``(func(*primals), vjp_fn)`` (and the auxiliary output with ``has_aux``); ``vjp_fn(cotangents)``
    gives the vector-Jacobian products with respect to every primal."""
    lifted = _Lifted(primals, tuple(range(len(primals))))
    with grad_mode.enable_grad():
        output, aux = _split_aux(func(*lifted.args), has_aux, _VJP)
        out_leaves, out_spec = _tensor_leaves(output, _VJP)
        keep = _outer(out_leaves, lifted)

    def vjp_fn(cotangents):
        leaves, spec = _flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {spec.pretty()}, primal output: {out_spec.pretty()}")
        with grad_mode.enable_grad():
            grads = _grads(out_leaves, leaves, lifted.flat, keep, retain_graph=True)
        return _settle(lifted.arranged(grads, False), keep)

    result = (_settle(output, keep), vjp_fn)
    return result + (_settle(aux, keep),) if has_aux else result


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Returns ``(func(*primals), J @ tangents)`` (and the auxiliary output with ``has_aux``); ``strict`` is
    accepted and, as in torch, has no effect."""
    from ._ops.creation import zeros_like
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    (p_leaves, p_spec), (t_leaves, t_spec) = _flatten(primals), _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python structure. For "
                           "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with "
                           f"structure {p_spec} and tangents with structure {t_spec}")
    if not p_leaves:
        raise RuntimeError(f"{_JVP}: Expected primals to contain at least one Tensor.")
    for what, leaves in (("primals", p_leaves), ("tangents", t_leaves)):
        for leaf in leaves:
            if not isinstance(leaf, Tensor):
                raise RuntimeError(f"{_JVP}: Expected {what} to only contain Tensors, got {type(leaf)}")
    for p, t in zip(p_leaves, t_leaves):
        if t.shape != p.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the "
                               f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} while "
                               f"the given forward gradient is of size {list(t.shape)}.")
    lifted = _Lifted(primals, tuple(range(len(primals))))
    with grad_mode.enable_grad():
        output, aux = _split_aux(func(*lifted.args), has_aux, _JVP)
        out_leaves, out_spec = _tensor_leaves(output, _JVP)
        keep = _outer(out_leaves, lifted)
        # u -> J^T u is linear in u; its derivative along the tangents is J v
        dummies = [zeros_like(o).requires_grad_(True) for o in out_leaves]
        back = _grads(out_leaves, dummies, lifted.flat, True)
        pushed = _grads(back, t_leaves, dummies, keep)
    result = (_settle(output, keep), _settle(_unflatten(pushed, out_spec), keep))
    return result + (_settle(aux, keep),) if has_aux else result


def _jacobian(func, argnums, has_aux, api, forward):
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        lifted = _Lifted(args, argnums)
        with grad_mode.enable_grad():
            output, aux = _split_aux(func(*lifted.args, **kwargs), has_aux, api)
            out_leaves, out_spec = _tensor_leaves(output, api)
            keep = _outer(out_leaves, lifted)
            per_output = [_jacobian_of(o, lifted.flat, keep, forward) for o in out_leaves]
        single = isinstance(argnums, int)
        jac = _unflatten([_settle(lifted.arranged(blocks, single), keep) for blocks in per_output], out_spec)
        return (jac, _settle(aux, keep)) if has_aux else jac
    return wrapped


def _jacobian_of(out, inputs, keep, forward):
    from ._ops.creation import eye, zeros_like
    n = out.numel()
    if not forward:
        # one vector-Jacobian product per output element: the rows
        if n == 0:
            return [out.new_zeros(tuple(out.shape) + tuple(x.shape)) for x in inputs]
        basis = eye(n, dtype=out.dtype, device=out.device).view((n,) + tuple(out.shape))
        rows = _grads([out], [basis], inputs, keep, retain_graph=True, batch=n)
        return [r.reshape(tuple(out.shape) + tuple(x.shape)) for r, x in zip(rows, inputs)]
    # one Jacobian-vector product per input element: the columns, moved behind the output's dims
    dummy = zeros_like(out).requires_grad_(True)
    back = _grads([out], [dummy], inputs, True)
    blocks = []
    for x, b in zip(inputs, back):
        m = x.numel()
        if m == 0 or n == 0:
            blocks.append(out.new_zeros(tuple(out.shape) + tuple(x.shape)))
            continue
        basis = eye(m, dtype=x.dtype, device=x.device).view((m,) + tuple(x.shape))
        cols = _grads([b], [basis], [dummy], keep, retain_graph=True, batch=m)[0]
        blocks.append(cols.reshape(m, n).t().reshape(tuple(out.shape) + tuple(x.shape)))
    return blocks


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Returns a function computing the Jacobian of ``func`` with respect to the arguments ``argnums``, by
    reverse-mode products (one per output element)."""
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, _VJP, forward=False)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Returns a function computing the Jacobian of ``func`` with respect to the arguments ``argnums``, by
    Jacobian-vector products (one per input element)."""
    return _jacobian(func, argnums, has_aux, _JVP, forward=True)


def hessian(func, argnums=0):
    """Returns a function computing the Hessian of ``func`` with respect to the arguments ``argnums``
    (the forward-mode Jacobian of the reverse-mode Jacobian)."""
    return jacfwd(jacrev(func, argnums), argnums)
