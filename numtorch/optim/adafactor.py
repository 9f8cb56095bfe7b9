"""Adafactor: Adam-like steps from a factored (row x column) estimate of the squared gradient."""
import numpy as np

from . import _functional as F
from .optimizer import ElementwiseOptimizer, check_lr, check_range, incr, new_like, new_scalar, to_scalar
from .._tensor import Tensor

__all__ = ["Adafactor"]


def _norm(a):
    """``a.norm(2).item()``: the 2-norm rounded to ``a``'s dtype, as a Python float."""
    xp = F.xp_of(a)
    # A double accumulator agrees with torch's full reduction more often than a float32 dot does.
    flat = a.reshape(-1).astype(np.float64)
    return float(a.dtype.type(xp.sqrt(xp.dot(flat, flat))))


def _mean_square(grad, axis):
    """``grad.norm(dim=axis, keepdim=True).square_().div_(size)``, rounding as torch does."""
    xp = F.xp_of(grad)
    r = xp.sqrt(xp.sum(grad * grad, axis=axis, keepdims=True))
    r *= r
    r /= F.sc(r, grad.shape[axis])
    return r


class Adafactor(ElementwiseOptimizer):
    """Implements the Adafactor algorithm."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        check_range(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        check_range(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        check_range(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        check_range(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        check_range(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        check_range(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            for p in group["params"]:
                p_state = self.state.get(p, {})
                if p_state and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = new_scalar(float(p_state["step"]), p)

    def _begin_group(self, group):
        for p in group["params"]:
            if p.grad is not None and p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
        # torch picks epsilon1 from the first updated parameter's dtype and keeps it for the whole group.
        self._eps1 = group["eps"][0]

    def _update(self, group, p, g, state):
        if not state:
            state["step"] = new_scalar(0.0, p)
            if g.dim() > 1:
                state["row_var"] = Tensor._wrap(F.xp_of(g._data).zeros(g.shape[:-1] + (1,), g._data.dtype))
                state["col_var"] = Tensor._wrap(F.xp_of(g._data).zeros(g.shape[:-2] + (1, g.shape[-1]),
                                                                       g._data.dtype))
            else:
                state["variance"] = new_like(g)
        if self._eps1 is None:
            self._eps1 = float(np.finfo(p._data.dtype).eps)
        eps1 = self._eps1
        step = incr(state["step"])
        lr = to_scalar(group["lr"])
        weight = step ** group["beta2_decay"]
        param = F.real(p._data)
        grad = F.real(g._data)
        if group["maximize"]:
            grad = -grad
        alpha = max(group["eps"][1], _norm(param) / (param.size ** 0.5)) * min(lr, 1 / step ** 0.5)
        if group["weight_decay"] != 0:
            F.mul_(param, 1 - lr * group["weight_decay"])
        xp = F.xp_of(param)
        if g.dim() > 1:
            row_var, col_var = state["row_var"]._data, state["col_var"]._data
            F.lerp_(row_var, _mean_square(grad, -1), weight)
            F.lerp_(col_var, _mean_square(grad, -2), weight)
            est = xp.matmul(row_var, col_var)
            row_mean = xp.mean(row_var, axis=-2, keepdims=True)
            est /= xp.maximum(row_mean, F.sc(row_mean, eps1))
        else:
            variance = F.real(state["variance"]._data)
            F.lerp_(variance, grad * grad, weight)
            est = variance.copy()
        xp.maximum(est, F.sc(est, eps1 * eps1), out=est)
        update = xp.sqrt(est, out=est)
        xp.divide(F.sc(update, 1.0), update, out=update)
        update *= grad
        denom = max(1.0, _norm(update) / ((update.size ** 0.5) * group["d"]))
        F.add(param, update, -alpha / denom, out=param)
