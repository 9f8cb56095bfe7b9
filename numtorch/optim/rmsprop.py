"""RMSprop."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["RMSprop"]


class RMSprop(ElementwiseOptimizer):
    """Implements the RMSprop algorithm."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_range(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["square_avg"] = new_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = new_like(p)
            if group["centered"]:
                state["grad_avg"] = new_like(p)
        incr(state["step"])
        alpha = group["alpha"]
        param = F.real(p._data)
        grad = F.real(g._data)
        xp = F.xp_of(param)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = F.add(grad, param, group["weight_decay"])
        square_avg = F.real(state["square_avg"]._data)
        F.mul_(square_avg, alpha)
        F.addcmul_(square_avg, grad, grad, 1 - alpha)
        if group["centered"]:
            grad_avg = F.real(state["grad_avg"]._data)
            F.lerp_(grad_avg, grad, 1 - alpha)
            avg = F.addcmul_(square_avg, grad_avg, grad_avg, -1, out=xp.empty_like(square_avg))
            xp.sqrt(avg, out=avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += F.sc(avg, group["eps"])
        lr = to_scalar(group["lr"])
        if group["momentum"] > 0:
            buf = F.real(state["momentum_buffer"]._data)
            F.mul_(buf, group["momentum"])
            F.addcdiv_(buf, grad, avg, 1)
            F.add(param, buf, -lr, out=param)
        else:
            F.addcdiv_(param, grad, avg, -lr)
