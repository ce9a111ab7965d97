"""Readers of the on-disk formats (docs/formats in the README, "Formats"): Megatron's ``.idx``,
yi-prep's ``.docs`` boundaries sidecar and ``.mask`` loss-mask sidecar. numpy only, memory-mapped."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

IDX_MAGIC = b"MMIDIDX\x00\x00"
IDX_HEADER_SIZE = 34
# Megatron's DType codes (megatron/core/datasets/indexed_dataset.py).
MEGATRON_DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64,
                   6: np.float64, 7: np.float32, 8: np.uint16}

DOCS_MAGIC = b"YIDOCS\x00\x00"
DOCS_TRAILER_MAGIC = b"YIDOCEND"
DOCS_HEADER_SIZE = 32
DOCS_TRAILER_SIZE = 32
SPAN_DTYPE = np.dtype([("ordinal", "<u8"), ("offset", "<u4"), ("length", "<u4"), ("part", "<u4"),
                       ("source", "<u4"), ("flags", "<u4"), ("reserved", "<u4")])
FLAG_DOCUMENT_END = 1
FLAG_CONTINUATION = 2

MASK_MAGIC = b"YIMASK\x00\x00"
MASK_HEADER_SIZE = 32
MASK_VERSION = 1


class FormatError(ValueError):
    """A shard, index, sidecar or manifest that does not follow the documented layout."""


@dataclass
class MegatronIndex:
    dtype: type
    lengths: np.ndarray           # int32 [N]
    pointers: np.ndarray          # int64 [N], byte offsets into the .bin
    document_indices: np.ndarray  # int64 [D]


def read_megatron_index(path: str) -> MegatronIndex:
    """Reads a Megatron ``.idx`` (MMIDIDX v1), checking the header and the size."""
    with open(path, "rb") as f:
        header = f.read(IDX_HEADER_SIZE)
    if len(header) < IDX_HEADER_SIZE or header[:9] != IDX_MAGIC:
        raise FormatError(f"{path}: not a Megatron MMIDIDX index (bad magic)")
    version = int.from_bytes(header[9:17], "little")
    if version != 1:
        raise FormatError(f"{path}: index version {version}, expected 1")
    code = header[17]
    if code not in MEGATRON_DTYPES:
        raise FormatError(f"{path}: unknown dtype code {code}")
    n = int.from_bytes(header[18:26], "little")
    d = int.from_bytes(header[26:34], "little")
    expected = IDX_HEADER_SIZE + 12 * n + 8 * d
    if os.path.getsize(path) < expected:
        raise FormatError(f"{path}: index is {os.path.getsize(path)} bytes, its counts need {expected}")
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    lengths = raw[IDX_HEADER_SIZE:IDX_HEADER_SIZE + 4 * n].view("<i4")
    pointers = raw[IDX_HEADER_SIZE + 4 * n:IDX_HEADER_SIZE + 12 * n].view("<i8")
    documents = raw[IDX_HEADER_SIZE + 12 * n:expected].view("<i8")
    return MegatronIndex(MEGATRON_DTYPES[code], lengths, pointers, documents)


class BoundarySidecar:
    """yi-prep's ``.docs`` sidecar: per sequence, its document spans."""

    def __init__(self, path: str):
        size = os.path.getsize(path)
        raw = np.memmap(path, dtype=np.uint8, mode="r")
        if size < DOCS_HEADER_SIZE + DOCS_TRAILER_SIZE + 8 or bytes(raw[:8]) != DOCS_MAGIC:
            raise FormatError(f"{path}: not a yi-prep boundaries sidecar (bad magic)")
        version, record_size = np.frombuffer(bytes(raw[8:16]), "<u4")
        if version != 1 or record_size != SPAN_DTYPE.itemsize:
            raise FormatError(f"{path}: sidecar version {version} / record size {record_size} not supported")
        self.sequence_length = int(np.frombuffer(bytes(raw[16:24]), "<u8")[0])
        trailer = bytes(raw[size - DOCS_TRAILER_SIZE:])
        if trailer[24:32] != DOCS_TRAILER_MAGIC:
            raise FormatError(f"{path}: bad sidecar trailer (truncated file?)")
        n, s, table_offset = (int(v) for v in np.frombuffer(trailer[:24], "<u8"))
        if table_offset != DOCS_HEADER_SIZE + SPAN_DTYPE.itemsize * s or \
                size != table_offset + 8 * (n + 1) + DOCS_TRAILER_SIZE:
            raise FormatError(f"{path}: sidecar counts do not match its size")
        self.sequence_count = n
        self.spans = raw[DOCS_HEADER_SIZE:table_offset].view(SPAN_DTYPE)
        self.table = raw[table_offset:table_offset + 8 * (n + 1)].view("<u8")

    def sequence_spans(self, k: int) -> np.ndarray:
        """Structured array (fields of SPAN_DTYPE) of sequence k's spans, in order."""
        return self.spans[int(self.table[k]):int(self.table[k + 1])]


class LossMaskSidecar:
    """yi-prep's ``.mask`` sidecar (version 1): one bit per token, 1 = the token is a training
    target. Layout: 32-byte header (magic, u32 version, u32 bits per token, u64 L, u64 N), then N
    records of ceil(L/8) bytes, least-significant bit first."""

    def __init__(self, path: str, sequence_length: int, sequence_count: int):
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            header = f.read(MASK_HEADER_SIZE)
        if len(header) < MASK_HEADER_SIZE or header[:8] != MASK_MAGIC:
            raise FormatError(f"{path}: not a yi-prep loss-mask sidecar (bad magic)")
        version, bits = np.frombuffer(header[8:16], "<u4")
        length, count = (int(v) for v in np.frombuffer(header[16:32], "<u8"))
        if version != MASK_VERSION or bits != 1:
            raise FormatError(f"{path}: loss-mask version {version} with {bits} bits per token is not supported "
                              f"(this reader knows version {MASK_VERSION}, 1 bit); upgrade yiprep")
        if length != sequence_length:
            raise FormatError(f"{path}: loss mask for sequences of {length} tokens, the bucket's are {sequence_length}")
        if count != sequence_count:
            raise FormatError(f"{path}: loss mask for {count} sequences, the index has {sequence_count}")
        self.record_size = (length + 7) // 8
        if size != MASK_HEADER_SIZE + count * self.record_size:
            raise FormatError(f"{path}: {size} bytes, its header needs {MASK_HEADER_SIZE + count * self.record_size}")
        self.sequence_length = length
        self.records = np.memmap(path, dtype=np.uint8, mode="r", offset=MASK_HEADER_SIZE,
                                 shape=(count, self.record_size)) if count else np.zeros((0, self.record_size), np.uint8)

    def sequence_mask(self, k: int) -> np.ndarray:
        """bool [L]: True where token j is a training target."""
        return np.unpackbits(self.records[k], bitorder="little")[:self.sequence_length].astype(bool)
