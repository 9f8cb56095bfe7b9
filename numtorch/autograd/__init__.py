"""numtorch.autograd: the backward engine, grad modes, custom Functions, gradcheck."""
from . import function, graph, grad_mode, variable
from .engine import backward, grad
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .function import Function
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
