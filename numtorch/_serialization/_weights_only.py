"""The ``weights_only`` unpickler: interprets a small set of pickle opcodes and only ever calls
allow-listed globals, so a hostile checkpoint cannot run code."""
import pickle
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
import warnings
from collections import Counter, OrderedDict
from pickle import UnpicklingError
from struct import unpack

from .._tensor import Tensor
from . import _names

_BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_user_globals = set()
_default_globals = []
_default_ids = set()


def add_safe_globals(safe_globals):
    """Marks the given globals (or ``(global, "full.path")`` pairs) as safe for ``weights_only`` load."""
    global _user_globals
    _user_globals = _user_globals | set(safe_globals)


def remove_safe_globals(safe_globals):
    global _user_globals
    _user_globals = _user_globals - set(safe_globals)


def get_safe_globals():
    """Returns the list of user-added globals that are safe for ``weights_only`` load."""
    return list(_user_globals)


def clear_safe_globals():
    """Clears the list of globals that are safe for ``weights_only`` load."""
    global _user_globals
    _user_globals = set()


def allowed_globals():
    if not _default_globals:
        _default_globals.append(_names.special_globals())
    return _default_globals[0]


def user_globals():
    """``{full path: object}`` for the user's allow-list; numtorch paths also answer to torch's spelling."""
    out = {}
    for entry in _user_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), but got "
                                 f"tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full path, but got: "
                                f"{type(entry[1])}")
            obj, path = entry
        else:
            obj, path = entry, f"{entry.__module__}.{entry.__qualname__}"
        out[path] = obj
        module, _, name = path.rpartition(".")
        out[f"{_names.torch_module_name(module)}.{name}"] = obj
    return out


def _display_path(path):
    if path.startswith("builtins."):
        return path[len("builtins."):]
    return path


def _is_allowed(obj, u):
    if not _default_ids:
        _default_ids.update(id(v) for v in allowed_globals().values())
    return id(obj) in _default_ids or id(obj) in u._user_ids


class Unpickler:
    """Restricted unpickler over a binary file; ``persistent_load`` resolves storage ids."""

    def __init__(self, file, *, encoding="bytes"):
        self.read = file.read
        self.readline = file.readline
        self.encoding = encoding
        self.memo = {}

    def persistent_load(self, pid):
        raise UnpicklingError("unsupported persistent id encountered")

    def load(self):
        self.stack = []
        self.metastack = []
        self._users = user_globals()
        self._user_ids = {id(v) for v in self._users.values()}
        ops = _OPS
        read = self.read
        while True:
            key = read(1)
            if not key:
                raise EOFError
            op = ops.get(key[0])
            if op is None:
                raise UnpicklingError(f"Unsupported operand {key[0]}")
            if op is _stop:
                return self.stack.pop()
            op(self)

    def pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        return items


def python3_name(module, name):
    """``(module, name)`` of a GLOBAL with Python 2 spellings (``__builtin__``, protocol 2) mapped to 3."""
    if (module, name) in NAME_MAPPING:
        return NAME_MAPPING[(module, name)]
    return IMPORT_MAPPING.get(module, module), name


def _global(u):
    module = u.readline()[:-1].decode("utf-8")
    name = u.readline()[:-1].decode("utf-8")
    module, name = python3_name(module, name)
    path = f"{module}.{name}"
    if module in _BLOCKED_MODULES:
        raise UnpicklingError(f"Trying to load unsupported GLOBAL {path} whose module {module} is blocked.")
    obj = allowed_globals().get(path)
    if obj is None:
        obj = u._users.get(path)
    if obj is None:
        shown = _display_path(path)
        raise UnpicklingError(
            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
            f"`torch.serialization.add_safe_globals([{shown}])` or the `torch.serialization.safe_globals("
            f"[{shown}])` context manager to allowlist this global if you trust this class/function.")
    u.stack.append(obj)


def _newobj(u):
    args = u.stack.pop()
    cls = u.stack.pop()
    from ..nn.parameter import Parameter
    if cls is Parameter:
        u.stack.append(Parameter(*args))
    elif _is_allowed(cls, u):
        u.stack.append(cls.__new__(cls, *args))
    else:
        raise UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted via "
                              f"`add_safe_globals` but got {cls}")


def _reduce(u):
    args = u.stack.pop()
    func = u.stack[-1]
    if not _is_allowed(func, u):
        raise UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
    u.stack[-1] = func(*args)


def _build(u):
    from ..nn.parameter import Parameter
    state = u.stack.pop()
    inst = u.stack[-1]
    cls = type(inst)
    if cls is Tensor or cls is Parameter:
        inst.__setstate__(state)
    elif cls is OrderedDict:
        inst.__dict__.update(state)
    elif _is_allowed(cls, u):
        if hasattr(inst, "__setstate__"):
            inst.__setstate__(state)
            return
        slots = None
        if isinstance(state, tuple) and len(state) == 2:
            state, slots = state
        if state:
            inst.__dict__.update(state)
        for k, v in (slots or {}).items():
            setattr(inst, k, v)
    else:
        raise UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                              f"`add_safe_globals`, but got {cls}")


def _extend_list(u, items, verb):
    target = u.stack[-1]
    if type(target) is not list:
        raise UnpicklingError(f"Can only {verb} lists, but got {type(target)}")
    target.extend(items)


def _append(u):
    _extend_list(u, [u.stack.pop()], "append to")


def _appends(u):
    _extend_list(u, u.pop_mark(), "extend")


def _check_mapping(u, opname):
    if type(u.stack[-1]) not in (dict, OrderedDict, Counter):
        raise UnpicklingError(f"Can only {opname} for dict, collections.OrderedDict, collections.Counter, "
                              f"but got {type(u.stack[-1])}")


def _setitem(u):
    value = u.stack.pop()
    key = u.stack.pop()
    _check_mapping(u, "SETITEM")
    u.stack[-1][key] = value


def _setitems(u):
    items = u.pop_mark()
    _check_mapping(u, "SETITEMS")
    target = u.stack[-1]
    for i in range(0, len(items), 2):
        target[items[i]] = items[i + 1]


def _mark(u):
    u.metastack.append(u.stack)
    u.stack = []


def _tuple_n(n):
    def op(u):
        if n:
            u.stack[-n:] = [tuple(u.stack[-n:])]
        else:
            u.stack.append(())
    return op


def _tuple_mark(u):
    items = u.pop_mark()
    u.stack.append(tuple(items))


def _binunicode(u):
    n = unpack("<I", u.read(4))[0]
    u.stack.append(str(u.read(n), "utf-8", "surrogatepass"))


def _short_binstring(u):
    data = u.read(u.read(1)[0])
    u.stack.append(data if u.encoding == "bytes" else data.decode(u.encoding, "strict"))


def _binpersid(u):
    pid = u.stack.pop()
    if type(pid) is not tuple and type(pid) is not int:
        raise UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
    if type(pid) is tuple and pid:
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind != "storage":
            raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
    u.stack.append(u.persistent_load(pid))


def _get(size):
    def op(u):
        idx = u.read(1)[0] if size == 1 else unpack("<I", u.read(4))[0]
        u.stack.append(u.memo[idx])
    return op


def _put(size):
    def op(u):
        idx = u.read(1)[0] if size == 1 else unpack("<I", u.read(4))[0]
        u.memo[idx] = u.stack[-1]
    return op


def _proto(u):
    proto = u.read(1)[0]
    if proto != 2:
        warnings.warn(f"Detected pickle protocol {proto} in the checkpoint, which was not the default pickle "
                      "protocol used by `torch.load` (2). The weights_only Unpickler might not support all "
                      "instructions implemented by this protocol, please file an issue for adding support if "
                      "you encounter this.", stacklevel=4)


def _push(value):
    return lambda u: u.stack.append(value)


def _stop(u):
    pass


_OPS = {
    pickle.GLOBAL[0]: _global, pickle.NEWOBJ[0]: _newobj, pickle.REDUCE[0]: _reduce, pickle.BUILD[0]: _build,
    pickle.APPEND[0]: _append, pickle.APPENDS[0]: _appends, pickle.SETITEM[0]: _setitem,
    pickle.SETITEMS[0]: _setitems, pickle.MARK[0]: _mark,
    pickle.TUPLE[0]: _tuple_mark,
    pickle.TUPLE1[0]: _tuple_n(1), pickle.TUPLE2[0]: _tuple_n(2), pickle.TUPLE3[0]: _tuple_n(3),
    pickle.EMPTY_TUPLE[0]: _tuple_n(0),
    pickle.NONE[0]: _push(None), pickle.NEWFALSE[0]: _push(False), pickle.NEWTRUE[0]: _push(True),
    pickle.EMPTY_LIST[0]: lambda u: u.stack.append([]), pickle.EMPTY_DICT[0]: lambda u: u.stack.append({}),
    pickle.EMPTY_SET[0]: lambda u: u.stack.append(set()),
    pickle.BININT[0]: lambda u: u.stack.append(unpack("<i", u.read(4))[0]),
    pickle.BININT1[0]: lambda u: u.stack.append(u.read(1)[0]),
    pickle.BININT2[0]: lambda u: u.stack.append(unpack("<H", u.read(2))[0]),
    pickle.BINFLOAT[0]: lambda u: u.stack.append(unpack(">d", u.read(8))[0]),
    pickle.LONG1[0]: lambda u: u.stack.append(pickle.decode_long(u.read(u.read(1)[0]))),
    pickle.BINUNICODE[0]: _binunicode, pickle.SHORT_BINSTRING[0]: _short_binstring,
    pickle.BINPERSID[0]: _binpersid,
    pickle.BINGET[0]: _get(1), pickle.LONG_BINGET[0]: _get(4),
    pickle.BINPUT[0]: _put(1), pickle.LONG_BINPUT[0]: _put(4),
    pickle.PROTO[0]: _proto, pickle.STOP[0]: _stop,
}


def load(file, *, encoding="ASCII"):
    """Restricted ``pickle.load`` (used for the small header pickles of legacy checkpoints)."""
    return Unpickler(file, encoding=encoding).load()


class safe_globals:
    """Context manager that adds globals to the ``weights_only`` allow-list while active."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        remove_safe_globals(self.safe_globals)


UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from "
    "`False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.")
_DOCS = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
         "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


def failure_message(message):
    """torch's wording around a WeightsUnpickler error."""
    import re
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        head = ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
                "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message)
        return head + _DOCS
    if re.search(r"(\S+) must be (\S+) to load", message):
        return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
    head = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        head += ("Please file an issue with the following so that we can make `weights_only=True` compatible "
                 "with your use case: WeightsUnpickler error: ")
    return head + "\n\n" + message + _DOCS
