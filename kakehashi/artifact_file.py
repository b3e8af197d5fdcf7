"""The artifact file: a restricted pickle of the object graph, and every numeric array beside it.

Layout: the magic `KAKEHASHI-ARTIFACT-1\\n`, the pickle's length (8 bytes, little-endian), the
pickle, the arrays (each aligned to 64 bytes), a JSON index of the arrays' offsets and byte sizes,
and the index's offset (8 bytes). Every numpy array with a fixed-size dtype, wherever it sits in
the graph (a fitted attribute, inside a dict, the data/indices/indptr of a scipy sparse matrix), is
written as raw bytes and pickled as a reference, so loading maps the file once read-only and hands
out views of it: processes serving the same file share those pages; nothing is copied at load.

The pickle is read by the C unpickler (fast) with kakehashi.safe_load's allow-list, so loading
cannot run code; array references are checked against the file's size and dtypes holding Python
objects are refused.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from kakehashi.errors import ArtifactError
from kakehashi.safe_load import trusted_global

MAGIC = b"KAKEHASHI-ARTIFACT-1\n"
ALIGN = 64
_LENGTH = struct.Struct("<Q")


class _ArrayPickler(pickle.Pickler):
    """Pickles the graph; numeric ndarrays become references to raw blocks written after it."""

    def __init__(self, file: BinaryIO):
        super().__init__(file, protocol=5)
        self.arrays: list[np.ndarray] = []
        self._index: dict[int, int] = {}

    def persistent_id(self, obj: object) -> tuple | None:
        """('array', index, dtype, shape, order) for an array stored beside the pickle."""
        if type(obj) not in (np.ndarray, np.memmap) or obj.dtype.hasobject:
            return None
        if id(obj) not in self._index:
            self._index[id(obj)] = len(self.arrays)
            self.arrays.append(obj)
        order = "F" if obj.flags.f_contiguous and not obj.flags.c_contiguous else "C"
        return ("array", self._index[id(obj)], obj.dtype.str, tuple(obj.shape), order)


def write_artifact(obj: object, handle: BinaryIO) -> None:
    """Write `obj` to an open binary file in the artifact layout."""
    buffer = io.BytesIO()
    pickler = _ArrayPickler(buffer)
    pickler.dump(obj)
    pickled = buffer.getvalue()
    handle.write(MAGIC + _LENGTH.pack(len(pickled)) + pickled)
    position, blocks = len(MAGIC) + _LENGTH.size + len(pickled), []
    for array in pickler.arrays:
        blob = _raw(array)
        handle.write(b"\0" * (_aligned(position) - position))
        position = _aligned(position)
        handle.write(memoryview(blob).cast("B") if blob.nbytes else b"")
        blocks.append([position, blob.nbytes])
        position += blob.nbytes
    handle.write(json.dumps({"arrays": blocks}).encode("ascii") + _LENGTH.pack(position))


def _raw(array: np.ndarray) -> np.ndarray:
    """The array's bytes in its stored order (C, or F transposed to C)."""
    if array.flags.f_contiguous and not array.flags.c_contiguous:
        return np.ascontiguousarray(array.T)
    return np.ascontiguousarray(array)


def _aligned(position: int) -> int:
    return -(-position // ALIGN) * ALIGN


def is_artifact_file(path: Path) -> bool:
    """Whether the file starts with this layout's magic."""
    with open(path, "rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def read_artifact(path: Path, mmap: bool = True) -> object:
    """Load an artifact file: arrays are read-only maps of it (`mmap`) or one in-memory copy."""
    read = np.memmap if mmap else np.fromfile  # a map of the file, or one copy in memory
    data = read(path, dtype=np.uint8, **({"mode": "r"} if mmap else {}))
    head = len(MAGIC) + _LENGTH.size
    if data.size < head + _LENGTH.size or bytes(data[: len(MAGIC)]) != MAGIC:
        raise ArtifactError("not a Kakehashi artifact file")
    (length,) = _LENGTH.unpack(bytes(data[len(MAGIC) : head]))
    (index_at,) = _LENGTH.unpack(bytes(data[-_LENGTH.size :]))
    if not head + length <= index_at <= data.size - _LENGTH.size:
        raise ArtifactError(
            "unreadable artifact: truncated or malformed (its index is out of place)"
        )
    blocks = _index(bytes(data[index_at : data.size - _LENGTH.size]), index_at)
    stream = io.BytesIO(bytes(data[head : head + length]))
    return _RestrictedArrayUnpickler(stream, data, blocks).load()


def _index(text: bytes, end: int) -> list[list[int]]:
    """The arrays' [offset, bytes], each checked to lie before the index."""
    try:
        blocks = json.loads(text)["arrays"]
        valid = isinstance(blocks, list) and all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(_count(n) for n in pair)
            and pair[0] + pair[1] <= end
            for pair in blocks
        )
    except (ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise ArtifactError("unreadable artifact: its index is malformed")
    return blocks


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _RestrictedArrayUnpickler(pickle.Unpickler):
    """The C unpickler with the allow-list; array references become views of the file."""

    def __init__(self, stream: BinaryIO, data: np.ndarray, blocks: list[list[int]]):
        super().__init__(stream)
        self.data, self.blocks, self.made = data, blocks, {}

    def find_class(self, module: str, name: str) -> object:
        """Resolve only allowed globals."""
        return trusted_global(module, name)

    def persistent_load(self, pid: object) -> np.ndarray:
        """The array a reference names, checked against the index and its dtype and shape."""
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "array"):
            raise ArtifactError("artifact holds an unknown reference")
        _, index, dtype, shape, order = pid
        if not (_count(index) and index < len(self.blocks) and order in ("C", "F")):
            raise ArtifactError("artifact holds a malformed array reference")
        if index not in self.made:
            self.made[index] = self._array(self.blocks[index], dtype, shape, order)
        return self.made[index]

    def _array(self, block: list[int], dtype: object, shape: object, order: str) -> np.ndarray:
        try:
            dtype = np.dtype(dtype) if isinstance(dtype, str) else None
        except TypeError:
            dtype = None
        if dtype is None or dtype.hasobject or not isinstance(shape, tuple):
            raise ArtifactError("artifact holds an array of a refused dtype")
        if not all(_count(n) for n in shape):
            raise ArtifactError("artifact holds an array of a malformed shape")
        offset, nbytes = block
        if int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != nbytes:
            raise ArtifactError("artifact holds an array whose size does not match its shape")
        flat = self.data[offset : offset + nbytes].view(dtype=dtype, type=np.ndarray)
        if order == "F":
            return flat.reshape(shape[::-1]).T
        return flat.reshape(shape)
