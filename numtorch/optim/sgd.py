"""Stochastic gradient descent, optionally with momentum."""
from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, to_scalar
from .._tensor import Tensor

__all__ = ["SGD"]


class SGD(ElementwiseOptimizer):
    """Implements stochastic gradient descent (optionally with momentum)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_range(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        check_range(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused and differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _uses_state(self, group):
        return group["momentum"] != 0

    def _update(self, group, p, g, state):
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        wd = to_scalar(group["weight_decay"])
        if wd != 0:
            grad = F.add(grad, param, wd)
        momentum = group["momentum"]
        if momentum != 0:
            grad = self._momentum(group, grad, state, p)
        F.add(param, grad, -to_scalar(group["lr"]), out=param)

    def _momentum(self, group, grad, state, p):
        buf = state.get("momentum_buffer")
        momentum = group["momentum"]
        if buf is None:
            state["momentum_buffer"] = Tensor._wrap(grad.copy().view(p._data.dtype).reshape(p._data.shape))
            arr = grad
        else:
            arr = F.real(buf._data)
            F.mul_(arr, momentum)
            F.add(arr, grad, 1 - group["dampening"], out=arr)
        if group["nesterov"]:
            return F.add(grad, arr, momentum)
        return arr
