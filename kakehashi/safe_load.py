"""Loading an artifact without running code: a joblib unpickler that resolves only allowed globals.

A pickle can call any function it can name (`os.system`, `subprocess.run`...), so the unpickler
resolves a global only when it is on the allow-list below: the numpy and scipy.sparse types that
rebuild arrays, scikit-learn estimators (their constructors only store parameters), this project's
estimators and records, the tokenizers the vectorizers hold, and a few harmless builtins. Anything
else is refused with an ArtifactError naming it. Arrays stay memory-mappable (`mmap_mode="r"`): the
numbers of an uncompressed joblib file are mapped, not copied, so workers share them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import pickle
import warnings
from pathlib import Path

import numpy as np
from joblib import numpy_pickle
from sklearn.base import BaseEstimator

from kakehashi.errors import ArtifactError

# Exact (module, name) pairs: data-only constructors and reconstructors, nothing reaching the OS.
ALLOWED_GLOBALS = frozenset(
    {("builtins", name) for name in ("slice", "set", "frozenset", "complex", "bytearray", "range")}
    | {
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy", "memmap"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.multiarray", "_reconstruct"),  # numpy < 2 wrote this name
        ("numpy.core.multiarray", "scalar"),
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("numpy.random._pickle", "__generator_ctor"),
        ("re", "_compile"),  # a compiled pattern: re.compile(text, flags)
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
    }
    | {
        (f"scipy.sparse._{kind}", f"{kind}_{shape}")
        for kind in ("csr", "csc", "coo")
        for shape in ("matrix", "array")
    }
)
# Functions of this project an artifact may name (the vectorizers' tokenizers): named one by one,
# because any function of the package could be called with arguments the pickle chooses.
TRUSTED_FUNCTIONS = frozenset({("kakehashi.tokens", "word_tokens")})
PACKAGES = ("numpy", "scipy", "sklearn", "kakehashi", "joblib", "builtins", "re", "collections")


def trusted_global(module: str, name: str) -> object:
    """The object `module.name` if an artifact may use it; ArtifactError naming it otherwise."""
    if (module, name) in ALLOWED_GLOBALS or (module, name) in TRUSTED_FUNCTIONS:
        return _resolve(module, name)
    top = module.split(".")[0]
    if "." not in name and top in ("sklearn", "kakehashi"):
        found = _resolve(module, name)
        if _is_trusted_class(found, top):
            return found
    if "." not in name and module == "numpy":
        found = _resolve(module, name)
        if isinstance(found, type) and issubclass(found, np.generic):  # numpy.float64 ...
            return found
    raise ArtifactError(f"refused global {module}.{name}: not on the artifact allow-list")


def _resolve(module: str, name: str) -> object:
    if module.split(".")[0] not in PACKAGES:
        raise ArtifactError(f"refused global {module}.{name}: not on the artifact allow-list")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ArtifactError(f"artifact names {module}.{name}, which does not exist here") from None


def _is_trusted_class(found: object, package: str) -> bool:
    """scikit-learn estimators; this project's estimators and dataclass records."""
    if not isinstance(found, type) or not found.__module__.startswith(package):
        return False
    if issubclass(found, BaseEstimator):
        return True
    return package == "kakehashi" and dataclasses.is_dataclass(found)


class _RestrictedInner(pickle.Unpickler):
    """Reads the nested pickle of an object-dtype array with the same allow-list."""

    def find_class(self, module: str, name: str) -> object:
        """Resolve only allowed globals."""
        return trusted_global(module, name)


class RestrictedUnpickler(numpy_pickle.NumpyUnpickler):
    """joblib's unpickler (arrays read or memory-mapped from the file) with an allow-list."""

    dispatch = numpy_pickle.NumpyUnpickler.dispatch.copy()

    def find_class(self, module: str, name: str) -> object:
        """Resolve only allowed globals."""
        return trusted_global(module, name)

    def load_build(self) -> None:
        """Set an object's state; replace an array placeholder by its array, checked first."""
        pickle._Unpickler.load_build(self)
        wrapper = self.stack[-1]
        if not isinstance(wrapper, numpy_pickle.NumpyArrayWrapper):
            return
        self.stack.pop()
        self.stack.append(self._read_array(wrapper))

    dispatch[pickle.BUILD[0]] = load_build

    def _read_array(self, wrapper: numpy_pickle.NumpyArrayWrapper) -> np.ndarray:
        if not isinstance(wrapper.dtype, np.dtype) or wrapper.subclass not in (
            np.ndarray,
            np.memmap,
        ):
            raise ArtifactError("artifact holds a malformed array placeholder")
        if wrapper.dtype.hasobject:  # a nested pickle: read it with the same allow-list
            return _RestrictedInner(self.file_handle).load()
        return wrapper.read(self, self.ensure_native_byte_order)


def restricted_load(path: Path, mmap_mode: str | None = "r") -> object:
    """Unpickle a joblib file with the allow-list; arrays memory-mapped read-only by default."""
    filename = str(path)
    with open(filename, "rb") as handle, contextlib.ExitStack() as stack:
        with warnings.catch_warnings():  # a compressed file cannot be mapped: it is read instead
            warnings.simplefilter("ignore", UserWarning)
            opened = numpy_pickle._validate_fileobject_and_memmap(handle, filename, mmap_mode)
            stream, mode = stack.enter_context(opened)
        if isinstance(stream, str):  # joblib < 0.10 wrote arrays to companion files
            raise ArtifactError("artifact written by an old joblib (before 0.10); retrain it")
        return RestrictedUnpickler(filename, stream, mode is None, mmap_mode=mode).load()


def unmapped_arrays(root: object, min_bytes: int = 0) -> list[str]:
    """Paths of the numeric arrays reachable from `root` that are copies, not memory-mapped."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [("model", root)]
    while stack:
        where, item = stack.pop()
        if id(item) in seen or isinstance(item, str | bytes | int | float | bool | type(None)):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            if not item.dtype.hasobject and item.nbytes >= min_bytes and not _mapped(item):
                found.append(f"{where} ({item.nbytes:,} bytes)")
            continue
        stack.extend(_children(where, item))
    return sorted(found)


def _mapped(array: np.ndarray) -> bool:
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base if isinstance(array.base, np.ndarray) else None
    return False


def _children(where: str, item: object) -> list[tuple[str, object]]:
    if isinstance(item, dict):
        return [(f"{where}[{key!r}]", value) for key, value in item.items()]
    if isinstance(item, list | tuple | set | frozenset):
        return [(f"{where}[{n}]", value) for n, value in enumerate(item)]
    state = getattr(item, "__dict__", None)
    if isinstance(state, dict) and not isinstance(item, type | io.IOBase):
        return [(f"{where}.{name}", value) for name, value in state.items()]
    return []
