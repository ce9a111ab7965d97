"""Shared fixtures: real yi-prep output, packed by the built CLI from a slice of the shared corpus.
tools/check builds the CLI before pytest runs (YI_PREP overrides the binary)."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("YI_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
TOKENIZER = os.path.join(SHARED, "tokenizers", "yi", "tokenizer.model")
CORPUS = os.path.join(SHARED, "corpora", "jsonl", "corpus.jsonl")
sys.path.insert(0, os.path.join(ROOT, "python"))


def yi_prep_binary():
    explicit = os.environ.get("YI_PREP")
    if explicit:
        return explicit
    for config in ("debug", "release"):
        path = os.path.join(ROOT, ".build", config, "yi-prep")
        if os.path.isfile(path):
            return path
    pytest.fail("the yi-prep binary is not built: run `swift build` (tools/check does) or set YI_PREP")


def pack(out, lengths, inputs, *extra):
    command = [yi_prep_binary(), "pack", "--len", lengths, "--tokenizer", TOKENIZER, "--out", str(out),
               "--quiet", *extra, *map(str, inputs)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return str(out)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory):
    """The first 60 records of the shared corpus: short fortunes and longer texts, so that the
    256-token bucket holds several documents per sequence."""
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    with open(CORPUS, encoding="utf-8") as f:
        lines = [next(f) for _ in range(60)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def packed_pad0(tmp_path_factory, small_corpus):
    """yi-prep's default padding (id 0)."""
    return pack(tmp_path_factory.mktemp("pad0") / "out", "256,512", [small_corpus])


@pytest.fixture(scope="session")
def packed_pad_eod(tmp_path_factory, small_corpus):
    """Padding with EOD (--pad-id 2), the Megatron recipe."""
    return pack(tmp_path_factory.mktemp("pad2") / "out", "256,512", [small_corpus], "--pad-id", "2")


def load_manifest(root):
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def pytest_sessionstart(session):
    """tools/check sets YIPREP_REQUIRE_TRAINING_DEPS=1: there a missing torch, transformers,
    accelerate or megatron-core is an error, not a reason to skip the tests that prove the hand-off."""
    if os.environ.get("YIPREP_REQUIRE_TRAINING_DEPS") == "1":
        import importlib
        import warnings
        for module in ("torch", "transformers", "accelerate", "megatron.core"):
            try:
                with warnings.catch_warnings():  # megatron-core warns that Apex/TE are absent (CPU)
                    warnings.simplefilter("ignore")
                    importlib.import_module(module)
            except Exception as error:  # ImportError, or a broken install underneath
                raise pytest.UsageError(f"{module} is required here (tools/install-python-deps installs it): {error}")
