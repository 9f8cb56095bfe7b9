"""Averaged stochastic gradient descent."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["ASGD"]


class ASGD(ElementwiseOptimizer):
    """Implements Averaged Stochastic Gradient Descent."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _update(self, group, p, g, state):
        lr = to_scalar(group["lr"])
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["eta"] = new_scalar(lr, p)
            state["mu"] = new_scalar(1.0, p)
            state["ax"] = new_like(p)
        step = incr(state["step"])
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = F.add(grad, param, group["weight_decay"])
        eta = state["eta"]._data
        mu = state["mu"]._data
        eta_value = float(eta)
        lambd = group["lambd"]
        F.mul_(param, 1 - lambd * eta_value)
        F.add(param, grad, -eta_value, out=param)
        ax = F.real(state["ax"]._data)
        if float(mu) != 1:
            diff = param - ax
            diff *= mu.astype(diff.dtype) if diff.dtype.kind == "f" else mu
            ax += diff
        else:
            ax[...] = param
        # torch stores the new values through a default-dtype (float32) tensor first.
        eta[...] = F.xp_of(eta).float32(lr / (1 + lambd * lr * step) ** group["alpha"])
        mu[...] = F.xp_of(mu).float32(1 / max(1, step - group["t0"]))
