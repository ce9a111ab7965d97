"""yiprep: read yi-prep packed shards for training (docs/training.md).

    import yiprep
    ds = yiprep.open_dataset("packed/len-16384")
    ds[0]  # {"input_ids", "labels" (shifted, -100 where not trained), "position_ids", "cu_seqlens"}

``yiprep.hf.DataCollator`` (torch + transformers) makes Hugging Face batches in which no document
sees another; ``yiprep.loss`` has per-token, per-sequence and per-document loss normalisation;
``yiprep.megatron`` prints a Megatron-LM recipe that never trains on padding.
"""

from .dataset import (IGNORE_INDEX, SUPPORTED_FORMAT_VERSIONS, BucketChoiceError, IncompleteRunError, PackedDataset,
                      Shard, hf_labels, list_buckets, make_sample, open_dataset)
from .formats import FormatError

__version__ = "0.1.0"
__all__ = ["open_dataset", "PackedDataset", "Shard", "make_sample", "hf_labels", "list_buckets", "IGNORE_INDEX",
           "SUPPORTED_FORMAT_VERSIONS", "FormatError", "IncompleteRunError", "BucketChoiceError"]
