"""numtorch.autograd: the backward engine, grad modes, custom Functions, gradcheck."""
from . import function, graph, grad_mode, variable, functional, anomaly_mode
from .engine import backward, grad
from .grad_mode import (detect_anomaly, enable_grad, inference_mode, is_anomaly_check_nan_enabled,
                        is_anomaly_enabled, is_grad_enabled, is_inference_mode_enabled,
                        is_multithreading_enabled, no_grad, set_detect_anomaly, set_grad_enabled,
                        set_multithreading_enabled)
from .function import Function
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
