"""Adam, and AdamW through ``decoupled_weight_decay``."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar
from .._tensor import Tensor

__all__ = ["Adam"]


def check_betas(betas):
    """torch's range checks on ``betas``."""
    check_range(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    check_range(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")


def check_adam_args(lr, betas, eps, weight_decay):
    """The argument checks Adam and AdamW share."""
    check_lr(lr)
    check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
    check_betas(betas)
    check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
    floats = isinstance(betas[0], float) and isinstance(betas[1], float)
    tensors = isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)
    if not (floats or tensors):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, b in enumerate(betas):
        if isinstance(b, Tensor) and b.numel() != 1:
            raise ValueError(f"Tensor betas[{i}] must be 1-element")
    return tuple(to_scalar(b) for b in betas)


def check_fused(fused, foreach, differentiable):
    """torch's errors for incompatible implementation flags."""
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def adam_moments(exp_avg, exp_avg_sq, grad, beta1, beta2):
    """Decay the running averages of the gradient and of its square."""
    F.lerp_(exp_avg, grad, 1 - beta1)
    F.mul_(exp_avg_sq, beta2)
    F.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)


class Adam(ElementwiseOptimizer):
    """Implements the Adam algorithm."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        betas = check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            state["exp_avg"] = new_like(p)
            state["exp_avg_sq"] = new_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = new_like(p)
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
        max_sq = F.real(state["max_exp_avg_sq"]._data) if group["amsgrad"] else None
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        F.adam_step_(param, grad, exp_avg, exp_avg_sq, max_sq, beta1, beta2, bias_correction2_sqrt,
                     group["eps"], step_size)
