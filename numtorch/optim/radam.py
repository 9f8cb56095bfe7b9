"""RAdam: Adam with a rectified adaptive learning rate."""
from . import _functional as F
from .adam import adam_moments, check_betas
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["RAdam"]


class RAdam(ElementwiseOptimizer):
    """Implements the RAdam algorithm."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
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
        exp_avg = F.real(state["exp_avg"]._data)
        exp_avg_sq = F.real(state["exp_avg_sq"]._data)
        adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2)
        bias_correction2 = 1 - beta2 ** step
        update = exp_avg / F.sc(exp_avg, 1 - beta1 ** step)
        update *= F.sc(update, lr)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
        if rho_t > 5.0:
            self._rectify(update, exp_avg_sq, group["eps"], bias_correction2, rho_inf, rho_t)
        param -= update

    @staticmethod
    def _rectify(update, exp_avg_sq, eps, bias_correction2, rho_inf, rho_t):
        xp = F.xp_of(update)
        # torch divides a Python number by a tensor as ``reciprocal(t) * number``.
        adaptive = xp.sqrt(exp_avg_sq)
        adaptive += F.sc(adaptive, eps)
        xp.reciprocal(adaptive, out=adaptive)
        adaptive *= F.sc(adaptive, bias_correction2 ** 0.5)
        update *= adaptive
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        update *= F.sc(update, rect)
