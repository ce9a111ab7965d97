"""torch helpers beyond ``DataCollator``: a streaming dataset with a seeded per-epoch shuffle
split across data-parallel ranks and DataLoader workers, and a varlen collator for custom
FlashAttention code. (The map-style ``open_dataset`` result needs no wrapper: use it with
``DistributedSampler(dataset, shuffle=True, seed=S)``.)"""

from __future__ import annotations

from typing import Dict, List

import numpy as np
import torch

from .dataset import PackedDataset


def to_tensors(item: Dict[str, np.ndarray]) -> Dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in item.items()}


class ShuffledIterableDataset(torch.utils.data.IterableDataset):
    """Streams a bucket's items (numpy, for ``DataCollator``), shuffled per epoch with
    ``seed + epoch``, every ``world_size``-th for ``rank``, then split across workers."""

    def __init__(self, dataset: PackedDataset, seed: int = 0, rank: int = 0, world_size: int = 1, shuffle: bool = True):
        self.dataset, self.seed, self.rank, self.world_size, self.shuffle = dataset, seed, rank, world_size, shuffle
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self):
        order = np.arange(len(self.dataset))
        if self.shuffle:
            np.random.default_rng(self.seed + self.epoch).shuffle(order)
        order = order[self.rank::self.world_size]
        info = torch.utils.data.get_worker_info()
        if info is not None:
            order = order[info.id::info.num_workers]
        for i in order:
            yield self.dataset[int(i)]


def collate_varlen(items: List[Dict[str, np.ndarray]]) -> Dict[str, torch.Tensor]:
    """[B, L] tensors of ``input_ids``, shifted ``labels`` and ``position_ids``, with the
    sequences' ``cu_seqlens`` joined for the flattened [B·L] layout of ``flash_attn_varlen_func``
    and ``max_seqlen``."""
    out = {k: torch.from_numpy(np.stack([np.asarray(it[k], dtype=np.int64) for it in items]))
           for k in ("input_ids", "labels", "position_ids")}
    pieces, offset = [], 0
    for it in items:
        cu = np.asarray(it["cu_seqlens"], dtype=np.int64)
        pieces.append(cu[:-1] + offset)
        offset += int(cu[-1])
    joined = np.concatenate(pieces + [[offset]]).astype(np.int32)
    out["cu_seqlens"] = torch.from_numpy(joined)
    out["max_seqlen"] = int(np.diff(joined).max())
    return out
