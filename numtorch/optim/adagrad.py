"""Adagrad."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar

__all__ = ["Adagrad"]


class Adagrad(ElementwiseOptimizer):
    """Implements the Adagrad algorithm."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_range(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        check_range(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(0.0 <= initial_accumulator_value,
                    f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        check_range(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = new_scalar(0.0, p)
                init = group["initial_accumulator_value"]
                state["sum"] = new_like(p, complex(init, init) if p.is_complex() else init)

    def share_memory(self):
        """Move the accumulators to shared memory (a no-op on NumPy arrays)."""

    def _update(self, group, p, g, state):
        step = incr(state["step"])
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = F.add(grad, param, group["weight_decay"])
        clr = to_scalar(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        state_sum = F.real(state["sum"]._data)
        F.addcmul_(state_sum, grad, grad, 1)
        std = F.xp_of(param).sqrt(state_sum)
        std += F.sc(std, group["eps"])
        F.addcdiv_(param, grad, std, -clr)
