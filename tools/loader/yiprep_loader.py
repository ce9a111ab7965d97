"""Training-side reader for yi-prep packed shards (numpy; torch optional).

A bucket folder (``OUT/len-16384``) holds Megatron ``MMIDIDX`` shards ``shard-NNNNN.bin/.idx``
plus yi-prep's boundaries sidecar ``shard-NNNNN.docs`` (formats: docs/formats.md). Every
sequence holds exactly the bucket length in tokens: documents (each ending with EOS) packed back
to back, then padding.

Per sequence the loader yields (numpy arrays, or torch tensors through the torch wrappers):

``input_ids``     int64 [L]  the tokens as stored.
``labels``        int64 [L]  next-token targets, already shifted: ``labels[i] = input_ids[i+1]``
                             when positions i and i+1 belong to the same document span, else -100.
                             So the last token of every span (a document's EOS, or the cut end of
                             a split document's part), every padding position and position L-1 are
                             -100: no label crosses a document boundary or predicts padding.
                             Use ``hf_labels`` for Hugging Face models, which shift internally.
``position_ids``  int64 [L]  0, 1, 2, ... restarting at each span start (a split document's later
                             part restarts at 0 too); the padding tail counts from 0 as well.
``cu_seqlens``    int32 [S+1] cumulative segment boundaries for FlashAttention varlen
                             (``flash_attn_varlen_func``): 0, end of span 1, ..., L. Padding,
                             when present, is the last segment, so ``cu_seqlens[-1] == L``.
``max_seqlen``    int         longest segment.

Usage::

    from yiprep_loader import PackedBucket
    bucket = PackedBucket("packed/len-16384")
    sample = bucket[0]

    # torch (FlashAttention varlen: flattened batch with joined cu_seqlens)
    from yiprep_loader import TorchPackedDataset, collate_varlen
    loader = torch.utils.data.DataLoader(TorchPackedDataset("packed/len-16384"), batch_size=2,
                                         collate_fn=collate_varlen)

    # Hugging Face Trainer: {input_ids, labels (unshifted), position_ids}; with
    # attn_implementation="flash_attention_2" and no attention_mask, transformers derives the
    # document boundaries from the position ids.
    train_dataset = TorchPackedDataset("packed/len-16384", hf=True)
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional

import numpy as np

IGNORE_INDEX = -100

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


class FormatError(ValueError):
    """A shard, index or sidecar that does not follow the documented layout."""


@dataclass
class MegatronIndex:
    dtype: type
    lengths: np.ndarray           # int32 [N]
    pointers: np.ndarray          # int64 [N], byte offsets into the .bin
    document_indices: np.ndarray  # int64 [D]


def read_megatron_index(path: str) -> MegatronIndex:
    """Reads a Megatron ``.idx`` (MMIDIDX v1) with numpy only, checking the header."""
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
    """yi-prep's ``.docs`` sidecar: per sequence, its document spans (see docs/formats.md)."""

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
        n, s, table_offset = np.frombuffer(trailer[:24], "<u8")
        n, s, table_offset = int(n), int(s), int(table_offset)
        if table_offset != DOCS_HEADER_SIZE + SPAN_DTYPE.itemsize * s or \
                size != table_offset + 8 * (n + 1) + DOCS_TRAILER_SIZE:
            raise FormatError(f"{path}: sidecar counts do not match its size")
        self.sequence_count = n
        self.spans = raw[DOCS_HEADER_SIZE:table_offset].view(SPAN_DTYPE)
        self.table = raw[table_offset:table_offset + 8 * (n + 1)].view("<u8")

    def sequence_spans(self, k: int) -> np.ndarray:
        """Structured array (fields of SPAN_DTYPE) of sequence k's spans, in order."""
        return self.spans[int(self.table[k]):int(self.table[k + 1])]


class Shard:
    """One ``shard-NNNNN`` prefix: tokens by memory map, spans from the sidecar when present."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.index = read_megatron_index(prefix + ".idx")
        itemsize = np.dtype(self.index.dtype).itemsize
        needed = int(self.index.lengths.astype(np.int64).sum()) * itemsize
        if os.path.getsize(prefix + ".bin") != needed:
            raise FormatError(f"{prefix}.bin: {os.path.getsize(prefix + '.bin')} bytes, the index needs {needed}")
        self.tokens_map = np.memmap(prefix + ".bin", dtype=self.index.dtype, mode="r") if needed else \
            np.zeros(0, dtype=self.index.dtype)
        self.itemsize = itemsize
        self.sidecar = BoundarySidecar(prefix + ".docs") if os.path.exists(prefix + ".docs") else None
        if self.sidecar is not None and self.sidecar.sequence_count != len(self):
            raise FormatError(f"{prefix}.docs: {self.sidecar.sequence_count} sequences, the index has {len(self)}")

    def __len__(self) -> int:
        return len(self.index.lengths)

    def tokens(self, k: int) -> np.ndarray:
        start = int(self.index.pointers[k]) // self.itemsize
        return self.tokens_map[start:start + int(self.index.lengths[k])]

    def spans(self, k: int) -> Optional[np.ndarray]:
        return None if self.sidecar is None else self.sidecar.sequence_spans(k)


def shard_prefixes(path: str, sequence_length: Optional[int] = None) -> List[str]:
    """Shard prefixes of a bucket folder, a pack output folder (``sequence_length`` picks the
    bucket; optional when there is only one) or a single prefix, in name order."""
    if path.endswith((".idx", ".bin", ".docs")):
        path = path.rsplit(".", 1)[0]
    if os.path.isfile(path + ".idx"):
        return [path]
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no shard prefix, bucket folder or pack output folder")
    names = sorted(os.listdir(path))
    stems = [n[:-4] for n in names if n.endswith(".idx")]
    if stems:
        return [os.path.join(path, s) for s in stems]
    buckets = [n for n in names if n.startswith("len-") and os.path.isdir(os.path.join(path, n))]
    if sequence_length is not None:
        wanted = f"len-{sequence_length}"
        if wanted not in buckets:
            raise FileNotFoundError(f"{path}: no bucket {wanted} (buckets: {', '.join(buckets) or 'none'})")
        buckets = [wanted]
    if len(buckets) != 1:
        raise ValueError(f"{path}: holds buckets {buckets}; pass sequence_length to choose one")
    return shard_prefixes(os.path.join(path, buckets[0]))


def make_sample(input_ids: np.ndarray, spans: Optional[np.ndarray]) -> Dict[str, np.ndarray]:
    """The training views of one sequence (see the module docstring for the conventions).
    Without spans (foreign Megatron shards) the whole sequence is one segment."""
    ids = np.asarray(input_ids, dtype=np.int64)
    length = len(ids)
    labels = np.full(length, IGNORE_INDEX, dtype=np.int64)
    position_ids = np.empty(length, dtype=np.int64)
    boundaries = [0]
    segments = [(0, length)] if spans is None else [(int(s["offset"]), int(s["length"])) for s in spans]
    used = 0
    for offset, span_length in segments:
        end = offset + span_length
        if offset != used or span_length <= 0 or end > length:
            raise FormatError(f"spans are not contiguous from 0 within {length} tokens: {segments}")
        labels[offset:end - 1] = ids[offset + 1:end]
        position_ids[offset:end] = np.arange(span_length)
        boundaries.append(end)
        used = end
    if used < length:
        position_ids[used:] = np.arange(length - used)
        boundaries.append(length)
    cu_seqlens = np.asarray(boundaries, dtype=np.int32)
    return {
        "input_ids": ids,
        "labels": labels,
        "position_ids": position_ids,
        "cu_seqlens": cu_seqlens,
        "max_seqlen": int(np.diff(cu_seqlens).max()) if len(cu_seqlens) > 1 else 0,
    }


def hf_labels(labels: np.ndarray) -> np.ndarray:
    """Next-token ``labels`` turned into the unshifted form Hugging Face causal-LM models expect
    (they compare logits[i] with labels[i+1]): ``hf[i+1] = labels[i]``, ``hf[0] = -100``."""
    out = np.full_like(labels, IGNORE_INDEX)
    out[1:] = labels[:-1]
    return out


class PackedBucket:
    """All sequences of one bucket, numbered across its shards in name order (the same numbering
    as ``yi-prep inspect --seq N``)."""

    def __init__(self, path: str, sequence_length: Optional[int] = None):
        self.shards = [Shard(p) for p in shard_prefixes(path, sequence_length)]
        self.starts = np.cumsum([0] + [len(s) for s in self.shards])
        sidecars = [s.sidecar for s in self.shards if s.sidecar is not None]
        self.sequence_length = sidecars[0].sequence_length if sidecars else None
        self.sources = _manifest_sources(path)

    def __len__(self) -> int:
        return int(self.starts[-1])

    def locate(self, i: int):
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"sequence {i} out of range (bucket holds {len(self)})")
        shard = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.shards[shard], i - int(self.starts[shard])

    def tokens(self, i: int) -> np.ndarray:
        shard, k = self.locate(i)
        return shard.tokens(k)

    def spans(self, i: int) -> Optional[np.ndarray]:
        shard, k = self.locate(i)
        return shard.spans(k)

    def __getitem__(self, i: int) -> Dict[str, np.ndarray]:
        shard, k = self.locate(i)
        return make_sample(shard.tokens(k), shard.spans(k))

    def __iter__(self) -> Iterator[Dict[str, np.ndarray]]:
        for i in range(len(self)):
            yield self[i]


def _manifest_sources(path: str) -> List[str]:
    """The source table from the manifest above a bucket (for per-source views), if any."""
    candidates = [os.path.join(path, "manifest.json"), os.path.join(os.path.dirname(os.path.abspath(path)), "manifest.json"),
                  os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(path))), "manifest.json")]
    for candidate in candidates:
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as f:
                return list(json.load(f).get("sources", []))
    return []


try:  # torch is optional: the numpy API above works without it.
    import torch
except ImportError:  # pragma: no cover - exercised where torch is absent
    torch = None

if torch is not None:
    def _to_torch(sample: Dict[str, np.ndarray]) -> Dict[str, "torch.Tensor"]:
        out = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sample.items() if k != "max_seqlen"}
        out["max_seqlen"] = sample["max_seqlen"]
        return out

    def _for_hf(sample: Dict[str, np.ndarray]) -> Dict[str, "torch.Tensor"]:
        """Only what a Hugging Face causal LM's forward() takes: unshifted labels, and position
        ids (which transformers' flash-attention path turns into varlen boundaries)."""
        return {"input_ids": torch.from_numpy(sample["input_ids"]),
                "labels": torch.from_numpy(hf_labels(sample["labels"])),
                "position_ids": torch.from_numpy(sample["position_ids"])}

    class TorchPackedDataset(torch.utils.data.Dataset):
        """Map-style dataset over a bucket: ``dataset[i]`` is sequence i as tensors. With
        ``hf=True`` items are ``{input_ids, labels (unshifted), position_ids}``, ready for a
        Hugging Face ``Trainer`` with the default collator."""

        def __init__(self, path: str, sequence_length: Optional[int] = None, hf: bool = False):
            self.bucket = PackedBucket(path, sequence_length)
            self.hf = hf

        def __len__(self) -> int:
            return len(self.bucket)

        def __getitem__(self, i: int):
            sample = self.bucket[i]
            return _for_hf(sample) if self.hf else _to_torch(sample)

    class TorchPackedIterableDataset(torch.utils.data.IterableDataset):
        """Streams a bucket's sequences, shuffled per epoch with ``seed + epoch`` when asked,
        split across data-parallel ranks (``rank``/``world_size``) and DataLoader workers."""

        def __init__(self, path: str, sequence_length: Optional[int] = None, shuffle: bool = True,
                     seed: int = 0, rank: int = 0, world_size: int = 1):
            self.bucket = PackedBucket(path, sequence_length)
            self.shuffle, self.seed, self.rank, self.world_size = shuffle, seed, rank, world_size
            self.epoch = 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __iter__(self):
            order = np.arange(len(self.bucket))
            if self.shuffle:
                np.random.default_rng(self.seed + self.epoch).shuffle(order)
            order = order[self.rank::self.world_size]
            info = torch.utils.data.get_worker_info()
            if info is not None:
                order = order[info.id::info.num_workers]
            for i in order:
                yield _to_torch(self.bucket[int(i)])

    def collate_varlen(batch):
        """Stacks a batch to [B, L] tensors and joins the per-sequence ``cu_seqlens`` into one
        for the flattened [B·L] layout FlashAttention varlen takes."""
        out = {k: torch.stack([b[k] for b in batch]) for k in ("input_ids", "labels", "position_ids")}
        pieces, offset = [], 0
        for b in batch:
            cu = b["cu_seqlens"].to(torch.int32)
            pieces.append(cu[:-1] + offset)
            offset += int(cu[-1])
        out["cu_seqlens"] = torch.cat(pieces + [torch.tensor([offset], dtype=torch.int32)])
        out["max_seqlen"] = max(int(b["max_seqlen"]) for b in batch)
        return out


def _main(argv: List[str]) -> int:
    """``python3 tools/loader/yiprep_loader.py OUT/len-16384 [N]``: what a trainer gets for
    sequence N (default 0) of a bucket."""
    if not 1 <= len(argv) <= 2:
        print("usage: yiprep_loader.py BUCKET_FOLDER [SEQUENCE]", file=sys.stderr)
        return 2
    bucket = PackedBucket(argv[0])
    n = int(argv[1]) if len(argv) == 2 else 0
    sample = bucket[n]
    print(f"{argv[0]}: {len(bucket)} sequences of {bucket.sequence_length} tokens in {len(bucket.shards)} shard(s)")
    print(f"sequence {n}:")
    for key in ("input_ids", "labels", "position_ids", "cu_seqlens"):
        value = sample[key]
        head = ", ".join(str(int(v)) for v in value[:8])
        print(f"  {key:13s} {str(value.dtype):6s} [{len(value)}]  {head}{', ...' if len(value) > 8 else ''}")
    print(f"  max_seqlen    {int(sample['max_seqlen'])}")
    print(f"  labels masked (-100): {int((sample['labels'] == -100).sum())}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
