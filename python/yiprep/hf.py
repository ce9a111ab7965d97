"""Hugging Face hand-off: ``DataCollator`` turns dataset items into ``model(**batch)`` keyword
arguments in which no document ever attends to another, whatever ``use_cache`` is.

- ``flash_attention_2`` / ``flash_attention_3``: padding-free. The batch is flattened to one row
  [1, B·L] with per-document ``position_ids`` and the varlen kwargs ``cu_seq_lens_q/k`` and
  ``max_length_q/k``, which transformers passes straight to ``flash_attn_varlen_func``.
- ``sdpa`` / ``eager``: an explicit block-diagonal causal mask [B, 1, L, L] (boolean for sdpa,
  additive in the model's dtype for eager), which transformers uses as it is. Relying on
  position ids alone is not enough there: transformers only derives document boundaries from
  them when no cache is in use, and ``use_cache=True`` (Yi's default) silently lets documents
  attend to each other.

Any other attention implementation is refused with what to change.
"""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np
import torch

from .dataset import hf_labels

FLASH = ("flash_attention_2", "flash_attention_3")
MASKED = ("sdpa", "eager")


def boundaries(position_ids: np.ndarray) -> np.ndarray:
    """cu_seqlens of one sequence from its position ids, which restart at 0 at each span (and at
    the padding tail): for a Trainer that drops the ``cu_seqlens`` column."""
    starts = np.flatnonzero(position_ids == 0)
    return np.concatenate([starts, [len(position_ids)]]).astype(np.int64)


class LeakError(ValueError):
    """The model or its configuration would let packed documents attend to each other."""


class DataCollator:
    """``DataCollator(model)`` or ``DataCollator(attn_implementation="sdpa")``; call it on a list
    of ``open_dataset`` items (numpy or torch) to get the batch for ``model(**batch)``, labels
    unshifted as transformers expects. Use it as a ``DataLoader``'s ``collate_fn`` or a
    ``Trainer``'s ``data_collator``."""

    def __init__(self, model=None, *, attn_implementation: Optional[str] = None, dtype: Optional[torch.dtype] = None):
        config = getattr(model, "config", None)
        if model is not None and config is None:
            raise TypeError("DataCollator(model): the model has no .config; pass attn_implementation= instead")
        if attn_implementation is None:
            attn_implementation = getattr(config, "_attn_implementation", None) if config is not None else None
        if attn_implementation is None:
            raise ValueError("DataCollator needs the model or attn_implementation= ('sdpa', 'eager', 'flash_attention_2')")
        if config is not None and getattr(config, "is_encoder_decoder", False):
            raise LeakError(f"{type(model).__name__} is an encoder-decoder model; packed yi-prep sequences are for "
                            "decoder-only causal LMs (e.g. LlamaForCausalLM)")
        if attn_implementation in FLASH:
            self.mode = "varlen"
        elif attn_implementation in MASKED:
            self.mode = "mask"
        else:
            raise LeakError(
                f"attn_implementation={attn_implementation!r}: yiprep cannot keep packed documents apart with it "
                "(it may ignore a 4D mask or the varlen boundaries). Load the model with "
                "attn_implementation='flash_attention_2' (GPU, padding-free), 'sdpa' or 'eager', e.g. "
                "AutoModelForCausalLM.from_pretrained(..., attn_implementation='sdpa')")
        self.attn_implementation = attn_implementation
        if dtype is None:
            dtype = getattr(model, "dtype", None) if model is not None else None
        self.dtype = dtype if isinstance(dtype, torch.dtype) and dtype.is_floating_point else torch.float32

    def __call__(self, items: List[Dict]) -> Dict[str, torch.Tensor]:
        ids = np.stack([np.asarray(it["input_ids"], dtype=np.int64) for it in items])
        labels = hf_labels(np.stack([np.asarray(it["labels"], dtype=np.int64) for it in items]))
        positions = np.stack([np.asarray(it["position_ids"], dtype=np.int64) for it in items])
        cu = [np.asarray(it["cu_seqlens"], dtype=np.int64) if "cu_seqlens" in it else boundaries(p)
              for it, p in zip(items, positions)]
        if self.mode == "varlen":
            return self._varlen(ids, labels, positions, cu)
        return {"input_ids": torch.from_numpy(ids), "labels": torch.from_numpy(labels),
                "position_ids": torch.from_numpy(positions), "attention_mask": self._mask(cu, ids.shape[1])}

    @staticmethod
    def _varlen(ids, labels, positions, cu) -> Dict[str, torch.Tensor]:
        length = ids.shape[1]
        joined = np.concatenate([c[:-1] + b * length for b, c in enumerate(cu)] + [[len(cu) * length]])
        cu_seq_lens = torch.from_numpy(joined.astype(np.int32))
        longest = int(np.diff(joined).max())
        return {"input_ids": torch.from_numpy(ids.reshape(1, -1)), "labels": torch.from_numpy(labels.reshape(1, -1)),
                "position_ids": torch.from_numpy(positions.reshape(1, -1)),
                "cu_seq_lens_q": cu_seq_lens, "cu_seq_lens_k": cu_seq_lens,
                "max_length_q": longest, "max_length_k": longest}

    def _mask(self, cu, length: int) -> torch.Tensor:
        """[B, 1, L, L]: query i sees key j iff j <= i and both are in the same segment."""
        segments = torch.stack([torch.from_numpy(np.repeat(np.arange(len(c) - 1), np.diff(c))) for c in cu])
        same = segments[:, :, None] == segments[:, None, :]
        allowed = (same & torch.ones(length, length, dtype=torch.bool).tril())[:, None]
        if self.attn_implementation == "sdpa":
            return allowed
        blocked = torch.zeros(allowed.shape, dtype=self.dtype)
        return blocked.masked_fill_(~allowed, torch.finfo(self.dtype).min)
