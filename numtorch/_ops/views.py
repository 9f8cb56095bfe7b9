"""In-place writes through views: the CopySlices node that rewires a base's graph."""
from .._tensor import Tensor
from ..autograd.graph import Node, _seq, edge
from ..autograd import grad_mode


def _apply_chain(t, chain):
    from ._registry import call
    for op, rest, kwargs in chain:
        t = call(op, (t,) + tuple(rest), dict(kwargs))
    return t


class CopySlices(Node):
    """Gradient of ``base`` after a view of it was overwritten in place with a computed value."""

    __slots__ = ("_chain", "_shape", "_dtype")

    def name(self):
        return "CopySlices"

    def _apply(self, grads):
        g = grads[0]
        from . import creation
        with grad_mode.no_grad():
            mask = creation.ones_like(g)
            _apply_chain(mask, self._chain).zero_()
        g_base = g * mask
        g_value = _apply_chain(g, self._chain)
        return [g_base, g_value]


def copy_slices(base, view, value):
    """``view`` (of ``base``) now holds ``value``'s data: route base's gradient through a CopySlices node."""
    node = CopySlices.__new__(CopySlices)
    node._seq = next(_seq)
    node._chain = view._view_chain()
    node.next_functions = (edge(base) if base._requires_grad else (None, 0), edge(value))
    base._grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    view._regenerate_view()
