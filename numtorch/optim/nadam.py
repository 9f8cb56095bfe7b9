"""NAdam: Adam with Nesterov momentum."""
from . import _functional as F
from .adam import adam_moments, check_betas
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["NAdam"]


class NAdam(ElementwiseOptimizer):
    """Implements the NAdam algorithm."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["mu_product"] = new_scalar(1.0, p)
            state["exp_avg"] = new_like(p)
            state["exp_avg_sq"] = new_like(p)
        step = incr(state["step"])
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        wd = group["weight_decay"]
        if wd != 0 and group["decoupled_weight_decay"]:
            F.mul_(param, 1 - lr * wd)
        elif wd != 0:
            grad = F.add(grad, param, wd)
        decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        prod = state["mu_product"]._data
        F.mul_(prod, mu)
        mu_product = float(prod)
        exp_avg = F.real(state["exp_avg"]._data)
        exp_avg_sq = F.real(state["exp_avg_sq"]._data)
        adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        denom = exp_avg_sq / F.sc(exp_avg_sq, 1 - beta2 ** step)
        F.xp_of(denom).sqrt(denom, out=denom)
        denom += F.sc(denom, group["eps"])
        F.addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
        F.addcdiv_(param, exp_avg, denom, -lr * mu_next / (1.0 - mu_product * mu_next))
