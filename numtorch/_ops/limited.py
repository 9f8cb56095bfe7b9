"""Which of torch's CPU kernels accept its limited dtypes (uint16/32/64 and the float8s).

torch compiles most kernels for the classic dtypes only: for the limited ones they raise
``NotImplementedError: "<kernel>" not implemented for 'UInt16'``. A kernel absent from ``ACCEPTS`` accepts
none of them. Registry ops whose forward does not already name its kernel (through ``pointwise._reject``)
get one from ``KERNELS``; the registry checks it only for limited dtypes, outside the common path.
"""
from .. import _dtype
from .layouts import dense

U = _dtype.LIMITED_UINTS
F8 = _dtype.FLOAT8S
LIMITED = _dtype.LIMITED
# float8_e5m2 is the only float8 with infinities: torch's isinf/isfinite kernels take it alone
_E5M2 = (_dtype.float8_e5m2,)

ACCEPTS = {
    "abs_cpu": F8,
    "mul_cpu_reduced_float": U,
    "bitwise_and_cpu": U, "bitwise_or_cpu": U, "bitwise_xor_cpu": U,
    "eq_cpu": LIMITED, "ne_cpu": LIMITED,
    "isfinite": U + _E5M2, "isinf": U + _E5M2,
    "sorting_kernel_method_name": U,
    "unique": U, "unique_dim": U, "eye": F8,
    "masked_select": F8, "index_put": F8, "addmm_impl_cpu_": F8,
    "random_update_from_to": U, "random_from_to_range_calc": U,
    "where_cpu": LIMITED,
    "fill_cpu": LIMITED,
    # torch returns integer inputs of these unchanged (or answers without looking at the values)
    "ceil_vml_cpu": U, "floor_vml_cpu": U, "trunc_vml_cpu": U, "round_vml_cpu": U, "round_cpu": U,
    "signbit_cpu": U, "isneginf_cpu": U, "isposinf_cpu": U, "nan_to_num": U, "angle_cpu": U,
}


def _numel(x):
    return x.numel() if hasattr(x, "_data") else 1


def _reduced_float_scalar(kernel, scalar_kernel):
    """torch sends a float8 tensor combined with a number (or a one-element second tensor) to a separate
    reduced-float kernel, which rejects float8; the tensor-tensor kernel is ``kernel``."""
    def gate(dt, ins):
        if len(ins) > 1 and _numel(ins[1]) == 1:
            if dt.is_floating_point:
                raise kernel_error(scalar_kernel, dt)
        elif kernel is not None:
            check(kernel, dt)
    return gate


# registry op -> the torch kernel its forward stands for: a name, a pair (name for the unsigned dtypes, for
# the float8s), or a callable gate(dt, inputs)
KERNELS = {
    # arithmetic
    "add": "add_stub", "sub": "add_stub", "_rsub_tensor": "add_stub", "dist": "add_stub",
    "mul": _reduced_float_scalar(None, "mul_cpu_reduced_float"),
    "div": _reduced_float_scalar("div_cpu", "div_cpu_reduced_float"),
    "floor_divide": "div_floor_cpu", "_remainder": "remainder_cpu", "_fmod": "fmod_cpu", "_pow": "pow",
    "maximum": "maximum_cpu", "minimum": "minimum_cpu", "_max_binary": "maximum_cpu",
    "_min_binary": "minimum_cpu",
    # torch sends integer fmax/fmin to maximum/minimum
    "fmax": ("maximum_cpu", "fmax_cpu"), "fmin": ("minimum_cpu", "fmin_cpu"),
    "bitwise_and": "bitwise_and_cpu", "bitwise_or": "bitwise_or_cpu", "bitwise_xor": "bitwise_xor_cpu",
    "bitwise_left_shift": "lshift_cpu", "bitwise_right_shift": "rshift_cpu",
    "lt": "lt_cpu", "le": "le_cpu", "gt": "gt_cpu", "ge": "ge_cpu", "eq": "eq_cpu", "ne": "ne_cpu",
    "logical_and": "logical_and_cpu", "logical_or": "logical_or_cpu", "logical_xor": "logical_xor_cpu",
    "logical_not": "logical_not_cpu",
    "_clamp_tensor": lambda dt, ins: check(clamp_kernel(ins[1], ins[2], ""), dt),
    "_clamp_min_tensor": "maximum_cpu", "_clamp_max_tensor": "minimum_cpu",
    "_hardtanh": "clamp_scalar_cpu", "relu": "clamp_min_scalar_cpu", "_threshold": "threshold_cpu",
    "_heaviside": "heaviside_cpu", "_copysign_scalar": "copysign_cpu", "ldexp": "pow",
    "_xlogy_scalar": "xlogy_cpu", "_xlogy_rscalar": "xlogy_cpu",
    # unary math
    "neg": "neg_cpu", "sign": "sign_cpu", "sgn": "sign_cpu", "angle": "angle_cpu",
    "ceil": "ceil_vml_cpu", "floor": "floor_vml_cpu", "trunc": "trunc_vml_cpu",
    "exp": "exp_vml_cpu", "exp2": "exp2", "expm1": "expm1_vml_cpu",
    "log": "log_vml_cpu", "log2": "log2_vml_cpu", "log10": "log10_vml_cpu", "log1p": "log1p_vml_cpu",
    "sin": "sin_vml_cpu", "cos": "cos_vml_cpu", "tan": "tan_vml_cpu",
    "asin": "asin_vml_cpu", "acos": "acos_vml_cpu", "atan": "atan_vml_cpu",
    "sinh": "sinh_cpu", "cosh": "cosh_cpu", "tanh": "tanh_vml_cpu",
    "asinh": "asinh_cpu", "acosh": "acosh_cpu", "atanh": "atanh_cpu",
    "sqrt": "sqrt_vml_cpu", "rsqrt": "rsqrt_cpu", "reciprocal": "reciprocal_cpu",
    "sigmoid": "sigmoid_cpu_reduced_float", "sinc": "sinc_cpu",
    "erf": "erf_vml_cpu", "erfc": "erfc_vml_cpu", "erfinv": "erfinv_vml_cpu",
    "digamma": "digamma", "i0": "i0_vml_cpu", "igamma": "igamma_cpu", "igammac": "igammac_cpu",
    "_mvlgamma": "arange_cpu", "deg2rad": "mul_cpu_reduced_float", "rad2deg": "mul_cpu_reduced_float",
    "signbit": "signbit_cpu", "isneginf": "isneginf_cpu", "isposinf": "isposinf_cpu",
    "isfinite": "isfinite", "isinf": "isinf", "nan_to_num": "nan_to_num", "isclose": "mul_cpu_reduced_float",
    # reductions and scans
    "_max_all": "max_all", "_min_all": "min_all", "amax": "max_values_cpu", "amin": "min_values_cpu",
    "logsumexp": "max_values_cpu", "_vector_norm": "norm_cpu", "histc": "aminmax_cpu",
    "logcumsumexp": "logcumsumexp_out_cpu",
    # indexing
    "_masked_fill": "masked_fill", "_masked_fill_t": "masked_fill", "_masked_scatter": "masked_scatter",
    "masked_select": "masked_select", "_take": "take_cpu", "_put": "take_put_cpu",
    "_index_add": "scatter_gather_tensor_cpu", "_index_copy": "index_copy_cpu",
    "_index_fill": "index_fill_cpu", "_index_fill_t": "index_fill_cpu", "_index_put": "index_put",
    "_gather": "scatter_gather_tensor_cpu", "_scatter_src": "scatter_gather_tensor_cpu",
    "_scatter_val": "scatter_gather_scalar_cpu", "_scatter_add": "scatter_gather_tensor_cpu",
    "_scatter_src_reduce": "scatter_gather_tensor_cpu", "_scatter_val_reduce": "scatter_gather_scalar_cpu",
    # shapes, linear algebra, nn
    "tril": "tril", "triu": "triu", "linalg_cross": "cross", "cdist": "cdist", "pdist": "pdist",
    "_pixel_shuffle": "pixel_shuffle", "_pixel_unshuffle": "pixel_unshuffle",
    "_channel_shuffle": "channel_shuffle", "poisson": "poisson_cpu",
    "binary_cross_entropy_with_logits": "log_sigmoid_cpu", "binary_cross_entropy": "binary_cross_entropy",
    "mse_loss": "mse_cpu", "smooth_l1_loss": "smooth_l1_cpu", "huber_loss": "huber_cpu",
    "nll_loss": "nll_loss_out_frame", "nll_loss2d": "nll_loss2d_forward_out_frame",
    "_cross_entropy": lambda dt, ins: check("log_softmax_lastdim_kernel_impl" if ins[0].ndim <= 2 else
                                            "log_softmax_kernel_impl", dt),
}


def kernel_error(kernel, dt):
    """The error torch raises when its CPU kernel ``kernel`` was not compiled for dtype ``dt``."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{dt._legacy}\'')


# the Scalar overloads (pointwise._scalar_op), checked against their computation dtype
SCALAR_KERNELS = {
    "_rsub_scalar": "add_stub", "_floor_divide_scalar": ("div_floor_cpu", "div_floor_cpu_reduced_float"),
    "_rfloor_divide_scalar": "div_floor_cpu", "_remainder_scalar": "remainder_cpu",
    "_rremainder_scalar": "remainder_cpu", "_fmod_scalar": "fmod_cpu", "_pow_scalar": "pow",
    "_rpow_scalar": "pow",
}


def clamp_kernel(lo, hi, suffix):
    """torch's clamp kernel for the bounds given (``suffix`` "_scalar" for number bounds)."""
    if lo is not None and hi is not None:
        return f"clamp{suffix}_cpu"
    if suffix:
        return f"clamp_{'min' if hi is None else 'max'}{suffix}_cpu"
    return "maximum_cpu" if hi is None else "minimum_cpu"


# torch's linalg entries for the limited dtypes: check_linalg name -> (unsigned, float8) answer where it is
# not the classic one (integers: "Expected a floating point...", low precision floats: "Low precision
# dtypes..."): a kernel name, or one of the messages below
_PINV, _COMPLEX, _FLOAT_DOUBLE = "pinv", "complex", "float or double"
_LU = ("lu_cpu", "lu_cpu")
LINALG = {
    "linalg.det": (None, "lu_cpu"), "linalg.solve": (None, "lu_cpu"), "linalg.lu_factor_ex": _LU,
    "linalg.lu_factor": _LU, "linalg.lu": _LU, "linalg.lu_solve": (None, "linalg.lu_solve_cpu"),
    "linalg.solve_triangular": ("triangular_solve_cpu",) * 2, "linalg.cholesky": (None, "tril"),
    "cholesky": ("cholesky_cpu", "cholesky_cpu"), "linalg.matrix_exp": (None, "sum_cpu"),
    "linalg.svd": (None, "linalg_svd_cpu"), "linalg.svdvals": (None, "linalg_svd_cpu"),
    "svd": (None, "linalg_svd_cpu"), "linalg.eigh": ("linalg_eigh_cpu",) * 2,
    "linalg.eigvalsh": ("linalg_eigh_cpu",) * 2,
    "linalg.qr": (None, "geqrf_cpu"), "qr": (None, "geqrf_cpu"),
    "torch.linalg.householder_product": ("orgqr_cpu", "orgqr_cpu"),
    "linalg.pinv": (_PINV, _PINV), "pinverse": (_PINV, _PINV), "linalg.eig": (_COMPLEX, _COMPLEX),
    "linalg.eigvals": (_COMPLEX, _COMPLEX), "linalg.matrix_rank": (_FLOAT_DOUBLE, _FLOAT_DOUBLE),
    "torch.linalg.lstsq": (_FLOAT_DOUBLE, _FLOAT_DOUBLE), "geqrf": ("geqrf_cpu", "geqrf_cpu"),
}


def check_linalg(name, A):
    """torch's error for linalg entry ``name`` given a matrix ``A`` of a limited dtype (none raised: the
    classic one applies)."""
    dt = A.dtype
    what = LINALG.get(name, (None, None))[dt.is_floating_point]
    if what == _PINV:
        shape = ", ".join(map(str, A.shape))
        raise RuntimeError(f"linalg.pinv({dt._legacy}{{[{shape}]}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if what == _COMPLEX:
        raise RuntimeError(f"Unknown Complex ScalarType for {dt._legacy}")
    if what == _FLOAT_DOUBLE:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if what is not None:
        raise kernel_error(what, dt)


def check_op(kernel, dt, ins):
    """``check`` for a KERNELS entry, given the op's inputs."""
    if callable(kernel):
        kernel(dt, ins)
    else:
        check(kernel, dt)


def check_np(kernel, np_dtype):
    """``check`` for the dtype of a NumPy array."""
    check(kernel, _dtype.NP2DT[np_dtype])


def check_flip(a, axes):
    """torch flips a limited dtype only by copying whole rows (its memcpy path): the innermost dimension of
    the result's layout (the input's own when dense) must be left unflipped and be contiguous in the input;
    anything else goes to the "flip_cpu" kernel."""
    dt = _dtype.NP2DT[a.dtype]
    if not dt._limited or a.size <= 1:
        return
    if not any(a.shape[d] > 1 and a.strides[d] for d in axes):
        return
    live = [d for d in range(a.ndim) if a.shape[d] > 1]
    inner = min(live, key=lambda d: abs(a.strides[d])) if dense(a) else live[-1]
    if inner in axes or a.strides[inner] != a.itemsize:
        raise kernel_error("flip_cpu", dt)


def check(kernel, dt):
    """Raise torch's error when ``dt`` is a limited dtype that ``kernel`` was not compiled for."""
    if kernel.__class__ is tuple:
        kernel = kernel[dt.is_floating_point]
    if dt._limited and dt not in ACCEPTS.get(kernel, ()):
        raise kernel_error(kernel, dt)
