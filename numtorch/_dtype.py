"""dtypes with torch's names, torch's type promotion, finfo/iinfo."""
import builtins

import ml_dtypes
import numpy as np

# Promotion categories, ordered: a higher category always wins over a lower one.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, named as in torch (``torch.float32``)."""

    __slots__ = ("_name", "_np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_cat",
                 "_legacy", "abbr", "_limited")

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.dtype' instances")

    def __init__(self, name, np_dtype, cat, legacy, abbr):
        self._name = name
        self.abbr = abbr
        self._np = np.dtype(np_dtype)
        self.itemsize = self._np.itemsize
        self._cat = cat
        self.is_floating_point = cat == FLOAT
        self.is_complex = cat == COMPLEX
        self.is_signed = name not in ("bool", "uint8", "uint16", "uint32", "uint64")
        self._legacy = legacy
        # torch's "barebones" unsigned and float8 dtypes: storage, copies and a few kernels only.
        self._limited = False

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_dtype_by_name, (self._name,))

    def to_complex(self):
        """The complex dtype with this dtype's real part (complex dtypes map to themselves)."""
        if self._cat == COMPLEX:
            return self
        if self._cat != FLOAT or self._limited:
            raise RuntimeError(f"Unknown Complex ScalarType for {self._legacy}")
        return {"float16": complex32, "float64": complex128}.get(self._name, complex64)

    def to_real(self):
        """The real dtype of this complex dtype (real dtypes map to themselves)."""
        return {"complex32": float16, "complex64": float32, "complex128": float64}.get(self._name, self)


def _dtype_by_name(name):
    return _BY_NAME[name]


def _make(name, np_dtype, cat, legacy, abbr):
    d = object.__new__(dtype)
    d.__init__(name, np_dtype, cat, legacy, abbr)
    return d


bool = _make("bool", np.bool_, BOOL, "Bool", "b8")
uint8 = _make("uint8", np.uint8, INT, "Byte", "u8")
int8 = _make("int8", np.int8, INT, "Char", "i8")
int16 = _make("int16", np.int16, INT, "Short", "i16")
int32 = _make("int32", np.int32, INT, "Int", "i32")
int64 = _make("int64", np.int64, INT, "Long", "i64")
float16 = _make("float16", np.float16, FLOAT, "Half", "f16")
bfloat16 = _make("bfloat16", ml_dtypes.bfloat16, FLOAT, "BFloat16", "bf16")
float32 = _make("float32", np.float32, FLOAT, "Float", "f32")
float64 = _make("float64", np.float64, FLOAT, "Double", "f64")
# NumPy has no complex32: tensors asked to hold it are stored (and reported) as complex64, but the dtype
# exists so that promotion and to_complex() give torch's answers.
complex32 = _make("complex32", np.complex64, COMPLEX, "ComplexHalf", "c32")
complex32.itemsize = 4
complex64 = _make("complex64", np.complex64, COMPLEX, "ComplexFloat", "c64")
complex128 = _make("complex128", np.complex128, COMPLEX, "ComplexDouble", "c128")

uint16 = _make("uint16", np.uint16, INT, "UInt16", "u16")
uint32 = _make("uint32", np.uint32, INT, "UInt32", "u32")
uint64 = _make("uint64", np.uint64, INT, "UInt64", "u64")
float8_e4m3fn = _make("float8_e4m3fn", ml_dtypes.float8_e4m3fn, FLOAT, "Float8_e4m3fn", "f8e4m3fn")
float8_e5m2 = _make("float8_e5m2", ml_dtypes.float8_e5m2, FLOAT, "Float8_e5m2", "f8e5m2")
float8_e4m3fnuz = _make("float8_e4m3fnuz", ml_dtypes.float8_e4m3fnuz, FLOAT, "Float8_e4m3fnuz", "f8e4m3fnuz")
float8_e5m2fnuz = _make("float8_e5m2fnuz", ml_dtypes.float8_e5m2fnuz, FLOAT, "Float8_e5m2fnuz", "f8e5m2fnuz")

# The dtypes with torch's full CPU kernel coverage (and legacy tensor/storage classes).
ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128)
LIMITED_UINTS = (uint16, uint32, uint64)
FLOAT8S = (float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz)
LIMITED = LIMITED_UINTS + FLOAT8S
for _d in LIMITED:
    _d._limited = True
_BY_NAME = {d._name: d for d in ALL + LIMITED + (complex32,)}
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64,
                cfloat=complex64, cdouble=complex128, chalf=complex32)
# Keyed by numpy dtype: array.dtype -> torch dtype is the hot lookup behind Tensor.dtype.
NP2DT = {d._np: d for d in ALL + LIMITED}

# The C++ type names torch's messages give (typeid names of the scalar types on Linux).
CPP_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
             "int64": "long int", "uint16": "short unsigned int", "uint32": "unsigned int",
             "uint64": "long unsigned int", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
             "float64": "double", "complex32": "c10::complex<c10::Half>", "complex64": "c10::complex<float>",
             "complex128": "c10::complex<double>"}
CPP_NAMES.update({d._name: f"c10::{d._legacy}" for d in FLOAT8S})

_default = [float32]


def get_default_dtype():
    """Returns the default floating point dtype (initially ``torch.float32``)."""
    return _default[0]


def set_default_dtype(d):
    """Sets the default floating point dtype (float32 or float64; float16/bfloat16 allowed)."""
    msg = "only floating-point types are supported as the default type"
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: " + msg)
    if not d.is_floating_point:
        raise TypeError(msg)
    _default[0] = d


def default_complex():
    return _default[0].to_complex()


def to_dtype(x):
    """Normalise a dtype-like (numtorch dtype, numpy dtype or scalar type, Python type) to a dtype."""
    if isinstance(x, dtype):
        return x
    if x is builtins.float:
        return float64
    if x is builtins.int:
        return int64
    if x is builtins.bool:
        return bool
    if x is builtins.complex:
        return complex128
    try:
        return NP2DT[np.dtype(x)]
    except (TypeError, KeyError):
        raise TypeError(f"dtype must be a torch.dtype, not {type(x).__name__}") from None


def _promote_same_cat(a, b, cat):
    if cat == INT:
        return NP2DT[np.promote_types(a._np, b._np)]
    if cat == FLOAT and {a._name, b._name} == {"float16", "bfloat16"}:
        return float32
    return a if a.itemsize >= b.itemsize else b


def _promote_limited(a, b):
    # torch promotes the barebones unsigned dtypes only to the (non-float8) floating dtypes, float8 to nothing
    if a._limited and a._cat == FLOAT or b._limited and b._cat == FLOAT:
        raise RuntimeError(f"Promotion for Float8 Types is not supported, attempted to promote {a._legacy} and "
                           f"{b._legacy}")
    if a._cat == FLOAT:
        return a
    if b._cat == FLOAT:
        return b
    raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                       f"{a._legacy} and {b._legacy}")


def promote_types(type1, type2):
    """Returns the smallest dtype to which both ``type1`` and ``type2`` can be cast."""
    for i, t in enumerate((type1, type2)):
        if not isinstance(t, dtype):
            raise TypeError(f"promote_types(): argument 'type{i + 1}' (position {i + 1}) must be "
                            f"torch.dtype, not {t.__class__.__name__}")
    a, b = type1, type2
    if a is b:
        return a
    if a._limited or b._limited:
        return _promote_limited(a, b)
    if a._cat < b._cat:
        a, b = b, a
    if a._cat != b._cat:
        if a._cat == COMPLEX and b._cat == FLOAT:
            return promote_types(a.to_real(), b).to_complex()
        return a
    if a._cat == COMPLEX:
        return a if a.itemsize >= b.itemsize else b
    return _promote_same_cat(a, b, a._cat)


def _combine(higher, lower):
    # Mirrors torch's rule for merging the dimensioned / 0-d / scalar promotion tiers: a lower
    # tier only matters when it belongs to a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == COMPLEX:
        return higher
    if lower._cat == COMPLEX:
        return higher.to_complex() if higher._cat == FLOAT else lower
    if higher._cat == FLOAT:
        return higher
    if higher._cat == BOOL or lower._cat == FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(v):
    """The dtype a Python number takes when it meets a tensor."""
    t = type(v)
    if t is builtins.bool:
        return bool
    if t is builtins.int or isinstance(v, np.integer):
        return int64
    if t is builtins.complex or isinstance(v, np.complexfloating):
        return default_complex()
    # torch reads a NumPy bool scalar as a float number, not as a bool.
    if t is builtins.float or isinstance(v, (np.floating, np.bool_)):
        return _default[0]
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type_of(operands):
    """torch.result_type over tensors and Python scalars."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "_data", None)
        if d is None:
            if x is None:
                continue
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
        elif d.ndim:
            t = NP2DT[d.dtype]
            dim = t if dim is None else promote_types(dim, t)
        else:
            t = NP2DT[d.dtype]
            zero = t if zero is None else promote_types(zero, t)
    return _combine(dim, _combine(zero, wrapped))


_NUMBER = (builtins.bool, builtins.int, builtins.float, builtins.complex, np.number, np.bool_)


def result_type(tensor, other):
    """Returns the dtype that results from an arithmetic operation on the given operands."""
    for x in (tensor, other):
        if getattr(x, "_data", None) is None and not isinstance(x, _NUMBER):
            names = ", ".join("Tensor" if hasattr(y, "_data") else type(y).__name__ for y in (tensor, other))
            raise TypeError(f"result_type() received an invalid combination of arguments - got ({names})")
    return result_type_of((tensor, other))


def can_cast(from_, to):
    """Whether a cast from ``from_`` to ``to`` is allowed under torch's promotion casting rules."""
    for i, (name, t) in enumerate((("from_", from_), ("to", to))):
        if not isinstance(t, dtype):
            raise TypeError(f"can_cast(): argument '{name}' (position {i + 1}) must be torch.dtype, not "
                            f"{type(t).__name__}")
    return from_._cat <= to._cat


def _need_tensor(fn, input):
    if getattr(input, "_data", None) is None:
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def is_floating_point(input):
    """Whether ``input``'s dtype is a floating point dtype."""
    _need_tensor("is_floating_point", input)
    return input.dtype.is_floating_point


def is_complex(input):
    """Whether ``input``'s dtype is a complex dtype."""
    _need_tensor("is_complex", input)
    return input.dtype.is_complex


def _fmt(v):
    return f"{v:.6g}"


def _need_dtype(fn, t):
    if not isinstance(t, dtype):
        raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not {type(t).__name__}")


def _field(name):
    # Read-only, and visible on the class itself, like torch's finfo/iinfo attributes.
    return property(lambda self: self._values[name], doc=f"The dtype's ``{name}``.")


class _Info:
    __hash__ = None

    def __eq__(self, other):
        return type(other) is type(self) and other._values == self._values

    bits = _field("bits")
    min = _field("min")
    max = _field("max")
    dtype = _field("dtype")


# torch's numeric_limits for float8: digits10 is 0 (resolution 1), and e5m2fnuz's epsilon is 2**-3.
_FINFO_QUIRKS = {d._name: {"resolution": 1.0} for d in FLOAT8S}
_FINFO_QUIRKS["float8_e5m2fnuz"]["eps"] = 0.125


class finfo(_Info):
    """Numerical properties of a floating point dtype."""

    eps = _field("eps")
    tiny = _field("tiny")
    smallest_normal = _field("smallest_normal")
    resolution = _field("resolution")

    def __init__(self, type=None):
        t = _default[0] if type is None else type
        _need_dtype("finfo", t)
        if t._cat < FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = ml_dtypes.finfo(t.to_real()._np)
        tiny = builtins.float(info.smallest_normal)
        # torch reports a power of ten as the resolution, not NumPy's value rounded to the dtype.
        self._values = {"bits": info.bits, "eps": builtins.float(info.eps), "max": builtins.float(info.max),
                        "min": builtins.float(info.min), "tiny": tiny, "smallest_normal": tiny,
                        "resolution": 10.0 ** -info.precision, "dtype": t.to_real()._name}
        self._values.update(_FINFO_QUIRKS.get(t._name, ()))

    def __repr__(self):
        return (f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, max={_fmt(self.max)}, "
                f"eps={_fmt(self.eps)}, smallest_normal={_fmt(self.tiny)}, tiny={_fmt(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo(_Info):
    """Numerical properties of an integer dtype."""

    def __init__(self, type):
        _need_dtype("iinfo", type)
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type._cat != INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        info = np.iinfo(type._np)
        self._values = {"bits": type.itemsize * 8, "min": builtins.int(info.min), "max": builtins.int(info.max),
                        "dtype": type._name}

    def __repr__(self):
        return f"iinfo(min={_fmt(self.min)}, max={_fmt(self.max)}, dtype={self.dtype})"


# torch's aliases are the same objects as the canonical dtypes.
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble, chalf = complex64, complex128, complex32
