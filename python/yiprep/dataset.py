"""``open_dataset``: one bucket of a yi-prep run as a map-style dataset of training views.

Per sequence (numpy arrays, length L = the bucket length):

``input_ids``     int64 [L]   the tokens as stored.
``labels``        int64 [L]   next-token targets, already shifted (Megatron style):
                              ``labels[i] = input_ids[i+1]`` when positions i and i+1 lie in the same
                              document span and token i+1 is a training target (its ``.mask`` bit is 1,
                              or the run wrote no masks), else -100. So every span's last token, every
                              padding position, position L-1 and, in chat runs, everything that
                              predicts a role header, system or user text are -100.
                              ``hf_labels`` gives the unshifted form Hugging Face models take.
``position_ids``  int64 [L]   0, 1, 2, ... restarting at each span (the padding tail counts from 0).
``cu_seqlens``    int32 [S+1] 0, the end of each span, and L when there is padding.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Iterator, List, Optional

import numpy as np

from .formats import BoundarySidecar, FormatError, LossMaskSidecar, read_megatron_index

IGNORE_INDEX = -100
# Manifest versions this reader understands: 1 (no loss masks), 2 (``.mask`` sidecars).
SUPPORTED_FORMAT_VERSIONS = (1, 2)


class IncompleteRunError(FormatError):
    """The folder has no ``manifest.json``: the run is unfinished (or not yi-prep's)."""


class BucketChoiceError(ValueError):
    """A pack output folder holds several buckets and none was chosen."""

    def __init__(self, path: str, buckets: List[str]):
        self.path, self.buckets = path, buckets
        super().__init__(f"{path} holds {len(buckets)} buckets ({', '.join(buckets)}); choose one: "
                         f"open_dataset('{os.path.join(path, buckets[0])}') or "
                         f"open_dataset('{path}', sequence_length={buckets[0][4:]})")


class Shard:
    """One shard prefix: tokens by memory map, spans and loss mask from the sidecars."""

    def __init__(self, prefix: str, sequence_length: Optional[int] = None, loss_mask: Optional[bool] = None):
        self.prefix = prefix
        self.index = read_megatron_index(prefix + ".idx")
        self.itemsize = np.dtype(self.index.dtype).itemsize
        needed = int(self.index.lengths.astype(np.int64).sum()) * self.itemsize
        if os.path.getsize(prefix + ".bin") != needed:
            raise FormatError(f"{prefix}.bin: {os.path.getsize(prefix + '.bin')} bytes, the index needs {needed}")
        self.tokens_map = np.memmap(prefix + ".bin", dtype=self.index.dtype, mode="r") if needed else \
            np.zeros(0, dtype=self.index.dtype)
        self.sidecar = BoundarySidecar(prefix + ".docs") if os.path.exists(prefix + ".docs") else None
        if self.sidecar is not None and self.sidecar.sequence_count != len(self):
            raise FormatError(f"{prefix}.docs: {self.sidecar.sequence_count} sequences, the index has {len(self)}")
        if sequence_length is None and self.sidecar is not None:
            sequence_length = self.sidecar.sequence_length
        self.sequence_length = sequence_length
        has_mask = os.path.exists(prefix + ".mask")
        if loss_mask is None:  # no manifest to say: use what is there
            loss_mask = has_mask
        if loss_mask and not has_mask:
            raise FormatError(f"{prefix}.mask is missing, but the manifest says this bucket has loss masks")
        if has_mask and not loss_mask:
            raise FormatError(f"{prefix}.mask exists, but the manifest says this bucket has no loss masks "
                              "(files from different runs mixed?)")
        self.mask = None
        if loss_mask:
            if sequence_length is None or self.sidecar is None:
                raise FormatError(f"{prefix}: a loss mask needs the .docs sidecar beside it")
            self.mask = LossMaskSidecar(prefix + ".mask", sequence_length, len(self))

    def __len__(self) -> int:
        return len(self.index.lengths)

    def tokens(self, k: int) -> np.ndarray:
        start = int(self.index.pointers[k]) // self.itemsize
        return self.tokens_map[start:start + int(self.index.lengths[k])]

    def spans(self, k: int) -> Optional[np.ndarray]:
        return None if self.sidecar is None else self.sidecar.sequence_spans(k)

    def targets(self, k: int) -> Optional[np.ndarray]:
        """bool [L] loss mask of sequence k, or None when the run wrote none (all trained)."""
        return None if self.mask is None else self.mask.sequence_mask(k)


def make_sample(input_ids: np.ndarray, spans: Optional[np.ndarray],
                targets: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
    """The training views of one sequence (see the module docstring). Without spans (foreign
    Megatron shards) the whole sequence is one segment; without targets every token is trained."""
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
    if targets is not None:
        if targets[used:].any():
            raise FormatError("loss mask marks a padding position as trained")
        # labels[i] predicts token i+1: keep it only where token i+1 is a target.
        labels[:-1][~targets[1:]] = IGNORE_INDEX
    if used < length:
        position_ids[used:] = np.arange(length - used)
        boundaries.append(length)
    return {"input_ids": ids, "labels": labels, "position_ids": position_ids,
            "cu_seqlens": np.asarray(boundaries, dtype=np.int32)}


def hf_labels(labels: np.ndarray) -> np.ndarray:
    """Shifted ``labels`` turned into the unshifted form Hugging Face causal LMs take (they compare
    logits[i] with labels[i+1]): ``hf[..., i+1] = labels[..., i]``, ``hf[..., 0] = -100``."""
    out = np.full_like(labels, IGNORE_INDEX)
    out[..., 1:] = labels[..., :-1]
    return out


def find_manifest(bucket_dir: str) -> Optional[str]:
    root = os.path.dirname(os.path.abspath(bucket_dir))
    path = os.path.join(root, "manifest.json")
    return path if os.path.isfile(path) else None


def read_manifest(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format") != "yi-prep-manifest":
        raise FormatError(f"{path}: not a yi-prep manifest (format {manifest.get('format')!r})")
    version = manifest.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise FormatError(f"{path}: manifest format_version {version}; this yiprep reads versions "
                          f"{', '.join(map(str, SUPPORTED_FORMAT_VERSIONS))}. Upgrade it (pip install -U ./python) "
                          "to read this run safely")
    return manifest


def list_buckets(path: str) -> List[str]:
    """The ``len-N`` bucket folders of a pack output folder, shortest first."""
    names = [n for n in os.listdir(path) if n.startswith("len-") and n[4:].isdigit()
             and os.path.isdir(os.path.join(path, n))]
    return sorted(names, key=lambda n: int(n[4:]))


def resolve_bucket(path: str, sequence_length: Optional[int] = None) -> str:
    """The bucket folder (or single shard prefix) that ``path`` names."""
    if path.endswith((".idx", ".bin", ".docs", ".mask")):
        path = path.rsplit(".", 1)[0]
    if os.path.isfile(path + ".idx"):
        return path
    if not os.path.isdir(path):
        raise FileNotFoundError(f"{path}: no shard prefix, bucket folder or pack output folder")
    if any(n.endswith(".idx") for n in os.listdir(path)):
        return path
    buckets = list_buckets(path)
    name = os.path.basename(os.path.abspath(path))
    if not buckets and name.startswith("len-") and name[4:].isdigit():
        return path  # a bucket that received no sequence
    if sequence_length is not None:
        wanted = f"len-{sequence_length}"
        if wanted not in buckets:
            raise FileNotFoundError(f"{path}: no bucket {wanted} (buckets: {', '.join(buckets) or 'none'})")
        return os.path.join(path, wanted)
    if not buckets:
        raise FileNotFoundError(f"{path}: no shards and no len-N bucket folders (not yi-prep output?)")
    if len(buckets) > 1:
        raise BucketChoiceError(path, buckets)
    return os.path.join(path, buckets[0])


class PackedDataset:
    """All sequences of one bucket, numbered across its shards in name order (the numbering of
    ``yi-prep inspect --seq N``). Map-style: works with torch's ``DataLoader`` and
    ``DistributedSampler`` as it is (it only needs ``len`` and indexing)."""

    def __init__(self, path: str, sequence_length: Optional[int] = None, allow_incomplete: bool = False):
        target = resolve_bucket(path, sequence_length)
        single_prefix = os.path.isfile(target + ".idx")
        bucket_dir = os.path.dirname(target) if single_prefix else target
        manifest_path = find_manifest(bucket_dir)
        self.manifest: Optional[dict] = None
        self.bucket_entry: Optional[dict] = None
        if manifest_path is None:
            if not allow_incomplete:
                raise IncompleteRunError(
                    f"{os.path.dirname(os.path.abspath(bucket_dir))} has no manifest.json: the run is unfinished "
                    "(resume it with `yi-prep pack --resume`, or `yi-prep merge` a distributed run) or this is not "
                    "yi-prep output. Pass allow_incomplete=True to read the shards anyway")
        else:
            self.manifest = read_manifest(manifest_path)
            name = os.path.basename(os.path.abspath(bucket_dir))
            entries = [b for b in self.manifest.get("buckets", []) if b.get("directory") == name]
            if not entries:
                raise FormatError(f"{manifest_path} lists no bucket {name}")
            self.bucket_entry = entries[0]
        if self.bucket_entry is not None:
            length = int(self.bucket_entry["sequence_length"])
            loss_mask: Optional[bool] = bool(self.bucket_entry.get("loss_mask", False))
            listed = [os.path.join(bucket_dir, s["name"]) for s in self.bucket_entry.get("shards", [])]
            prefixes = [target] if single_prefix else listed
        else:
            name = os.path.basename(os.path.abspath(bucket_dir))
            length = sequence_length or (int(name[4:]) if name.startswith("len-") and name[4:].isdigit() else None)
            loss_mask = None
            prefixes = [target] if single_prefix else \
                [os.path.join(bucket_dir, n[:-4]) for n in sorted(os.listdir(bucket_dir)) if n.endswith(".idx")]
        self.path = bucket_dir
        self.shards = [Shard(p, length, loss_mask) for p in prefixes]
        if loss_mask is None:  # without a manifest: all shards or none
            masked = {s.mask is not None for s in self.shards}
            if len(masked) > 1:
                raise FormatError(f"{bucket_dir}: some shards have .mask sidecars and some do not")
        self.sequence_length = length if length is not None else \
            next((s.sequence_length for s in self.shards if s.sequence_length), None)
        self.starts = np.cumsum([0] + [len(s) for s in self.shards])
        self.has_loss_mask = any(s.mask is not None for s in self.shards)
        self.sources: List[str] = list(self.manifest.get("sources", [])) if self.manifest else []
        self.pad_id: Optional[int] = int(self.manifest["pad_id"]) if self.manifest and "pad_id" in self.manifest else None

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
        shard, k = self.locate(int(i))
        return make_sample(shard.tokens(k), shard.spans(k), shard.targets(k))

    def __iter__(self) -> Iterator[Dict[str, np.ndarray]]:
        for i in range(len(self)):
            yield self[i]


def open_dataset(path: str, sequence_length: Optional[int] = None, allow_incomplete: bool = False) -> PackedDataset:
    """One bucket of a yi-prep run: ``path`` is a bucket folder (``OUT/len-16384``), a pack output
    folder (``sequence_length`` picks the bucket; optional with one bucket) or a shard prefix.
    Refuses a run without ``manifest.json`` unless ``allow_incomplete``, and manifests newer than
    this reader."""
    return PackedDataset(path, sequence_length, allow_incomplete)
