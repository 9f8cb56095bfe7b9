"""Rprop: resilient backpropagation."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["Rprop"]


class Rprop(ElementwiseOptimizer):
    """Implements the resilient backpropagation algorithm."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_range(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            lr = to_scalar(group["lr"])
            state["step"] = new_scalar(0.0, p)
            state["prev"] = new_like(p)
            state["step_size"] = new_like(p, complex(lr, lr) if p.is_complex() else lr)
        incr(state["step"])
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        param = F.real(p._data)
        grad = F.real(g._data)
        xp = F.xp_of(param)
        if group["maximize"]:
            grad = -grad
        prev = F.real(state["prev"]._data)
        step_size = F.real(state["step_size"]._data)
        sign = xp.sign(grad * prev)
        factor = xp.where(sign > 0, F.sc(sign, etaplus), xp.where(sign < 0, F.sc(sign, etaminus), sign))
        factor[sign == 0] = 1
        step_size *= factor
        xp.clip(step_size, F.sc(step_size, lo), F.sc(step_size, hi), out=step_size)
        shrink = factor == F.sc(factor, etaminus)
        grad = xp.where(shrink, grad.dtype.type(0), grad)
        param -= xp.sign(grad) * step_size
        prev[...] = grad
