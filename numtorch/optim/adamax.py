"""Adamax: Adam with the infinity norm."""
from . import _functional as F
from .adam import check_betas
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["Adamax"]


class Adamax(ElementwiseOptimizer):
    """Implements the Adamax algorithm (a variant of Adam based on infinity norm)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["exp_avg"] = new_like(p)
            state["exp_inf"] = new_like(p)
        step = incr(state["step"])
        beta1, beta2 = group["betas"]
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = F.add(grad, param, group["weight_decay"])
        exp_avg = F.real(state["exp_avg"]._data)
        exp_inf = F.real(state["exp_inf"]._data)
        xp = F.xp_of(param)
        F.lerp_(exp_avg, grad, 1 - beta1)
        F.mul_(exp_inf, beta2)
        norm = xp.abs(grad)
        norm += F.sc(norm, group["eps"])
        xp.maximum(exp_inf, norm, out=exp_inf)
        clr = to_scalar(group["lr"]) / (1 - beta1 ** step)
        F.addcdiv_(param, exp_avg, exp_inf, -clr)
