"""Adadelta."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["Adadelta"]


class Adadelta(ElementwiseOptimizer):
    """Implements the Adadelta algorithm."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        check_range(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["square_avg"] = new_like(p)
            state["acc_delta"] = new_like(p)
        incr(state["step"])
        rho = group["rho"]
        eps = group["eps"]
        param = F.real(p._data)
        grad = F.real(g._data)
        xp = F.xp_of(param)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = F.add(grad, param, group["weight_decay"])
        square_avg = F.real(state["square_avg"]._data)
        acc_delta = F.real(state["acc_delta"]._data)
        F.mul_(square_avg, rho)
        F.addcmul_(square_avg, grad, grad, 1 - rho)
        std = xp.sqrt(square_avg + F.sc(square_avg, eps))
        delta = xp.sqrt(acc_delta + F.sc(acc_delta, eps))
        delta /= std
        delta *= grad
        F.mul_(acc_delta, rho)
        F.addcmul_(acc_delta, delta, delta, 1 - rho)
        F.add(param, delta, -to_scalar(group["lr"]), out=param)
