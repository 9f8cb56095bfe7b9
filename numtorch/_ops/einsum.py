"""``torch.einsum``: an equation parsed to NumPy's einsum, with a derivative per operand."""
import string

from .._tensor import Tensor
from ._registry import call, register
from . import float8
from .limited import kernel_error
from .pointwise import _need_tensor, public
from .matrix import _eye_like, _f


# ---------------------------------------------------------------------------------------- einsum

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _einsum(xp, *arrays_and_eq):
    *arrays, eq = arrays_and_eq
    dt = arrays[0].dtype if arrays else None
    if dt is not None and (dt.kind == "V" or float8.is_float8(dt)):
        # NumPy's einsum has no bfloat16 (or float8) loop: contract in float32 (torch accumulates there too)
        # and round once.
        wide = [a.astype("float32") for a in arrays]
        return float8.astype(xp.einsum(eq, *wide, optimize=len(arrays) > 2), dt)
    return xp.einsum(eq, *arrays, optimize=len(arrays) > 2)


def _einsum_backward(grad, *rest):
    *ops, out, eq = rest
    lhs, rhs = eq.split("->")
    terms = lhs.split(",")
    sizes = {c: n for t, op in zip(terms, ops) for c, n in zip(t, op.shape)}
    return tuple(_einsum_grad(grad, ops, terms, rhs, i, sizes) for i in range(len(ops)))


def _einsum_grad(grad, ops, terms, rhs, i, sizes):
    """Gradient of operand i: contract the output gradient with the other operands back to term i."""
    subs = [rhs] + [t for j, t in enumerate(terms) if j != i]
    args = [grad] + [op.conj() for j, op in enumerate(ops) if j != i]
    target, seen = "", set()
    fresh = iter(c for c in _LETTERS if c not in sizes)
    for c in terms[i]:
        if c in seen:
            # A repeated label is a diagonal: spread the gradient with an identity matrix.
            new = next(fresh)
            subs.append(c + new)
            args.append(_eye_like(grad, sizes[c]))
            target += new
        else:
            seen.add(c)
            target += c
    present = set("".join(subs))
    for c in seen - present:
        subs.append(c)
        args.append(_f("ones")(sizes[c], dtype=grad.dtype, device=grad.device))
    return call(_EINSUM, (args, ",".join(subs) + "->" + target), {})


_EINSUM = register("einsum", _einsum, _einsum_backward, listin=True, save=tuple(range(64)), method=False,
                   function=False)


def _sublist_equation(args):
    ops, terms = list(args[0::2]), list(args[1::2])
    out = None
    if len(terms) < len(ops):
        ops, out = ops[:-1], None
    elif len(args) % 2:
        out = args[-1]
    if len(args) % 2:
        ops, terms, out = list(args[0:-1:2]), list(args[1:-1:2]), args[-1]

    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)
    eq = ",".join(letters(t) for t in terms)
    return (eq if out is None else eq + "->" + letters(out)), ops


def _ellipsis_letters(eq, ops, terms):
    spare = [c for c in _LETTERS if c not in eq]
    nell = 0
    for t, op in zip(terms, ops):
        if "..." in t:
            nell = max(nell, op.ndim - len(t) + 3)
    return "".join(spare[:nell]), nell


def _expand_ellipsis(ops, terms, ell, nell):
    """Replace '...' by letters; expand operands whose ellipsis dims broadcast."""
    sizes = {}
    for t, op in zip(terms, ops):
        if "..." in t:
            k = op.ndim - len(t) + 3
            shape = op.shape[t.index("."):t.index(".") + k]
            for c, n in zip(ell[nell - k:], shape):
                if n != 1 or c not in sizes:
                    sizes[c] = n
    new_terms, new_ops = [], []
    for t, op in zip(terms, ops):
        if "..." in t:
            k = op.ndim - len(t) + 3
            t = t.replace("...", ell[nell - k:])
            target = [sizes.get(c, n) for c, n in zip(t, op.shape)]
            if list(op.shape) != target:
                op = op.expand(*target)
        new_terms.append(t)
        new_ops.append(op)
    return new_terms, new_ops


def _check_term(t, op, i):
    if "..." not in t and len(t) != op.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not "
                           "match the "
                           f"number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given")
    if "..." in t and len(t) - 3 > op.ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t) - 3}) is "
                           "more than the "
                           f"number of dimensions ({op.ndim}) for operand {i}")


def _implicit_output(terms, ell):
    counts = {}
    for t in terms:
        for c in t:
            counts[c] = counts.get(c, 0) + 1
    return ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))


def einsum(*args):
    """Sums the product of the operands' elements over the dimensions named by the Einstein equation."""
    if args and isinstance(args[0], Tensor):
        eq, ops = _sublist_equation(args)
    else:
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ops):
        what = "more" if len(ops) > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {what} operands were provided than specified in the equation")
    for i, (t, op) in enumerate(zip(terms, ops)):
        _need_tensor("einsum", op, i + 1, "operands")
        _check_term(t, op, i)
    if any(op.dtype != ops[0].dtype for op in ops):
        bad = next(op for op in ops if op.dtype != ops[0].dtype)
        raise RuntimeError(f"expected scalar type {ops[0].dtype._legacy} but found {bad.dtype._legacy}")
    ell, nell = _ellipsis_letters(eq, ops, terms)
    terms, ops = _expand_ellipsis(ops, terms, ell, nell)
    rhs = rhs.replace("...", ell) if arrow else _implicit_output(terms, ell)
    for c in rhs:
        if c not in "".join(terms):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for "
                               "any input "
                               "operand")
    if ops and ops[0].dtype._limited and _limited_sums(terms, rhs, ops[0].dtype):
        ops = [op.long() for op in ops]
    return call(_EINSUM, (ops, ",".join(terms) + "->" + rhs), {})


def _limited_sums(terms, rhs, dt):
    """Whether the equation sums over some index. torch contracts operands through bmm and reduces single
    ones through sum, neither compiled for the limited dtypes, except that sum takes the unsigned ones (into
    int64); products and permutations are elementwise."""
    summed = set("".join(terms)) - set(rhs)
    if any(sum(c in t for t in terms) > 1 for c in summed):
        raise kernel_error("bmm", dt)
    if summed and dt.is_floating_point:
        raise kernel_error("sum_cpu", dt)
    return bool(summed)


public(einsum, method=False)
