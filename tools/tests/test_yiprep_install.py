"""`pip install ./python` in fresh virtual environments, then the documentation's commands."""

import os
import re
import shutil
import site
import subprocess
import sys

import pytest

from conftest import ROOT, pack

DOCS = os.path.join(ROOT, "docs", "training.md")


def fresh_venv(path, inherit):
    """A new venv; with ``inherit`` the running interpreter's packages (torch, transformers) are
    visible behind the venv's own, so only yiprep is installed fresh."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    python = os.path.join(path, "bin", "python")
    if inherit:
        venv_site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
        parents = [p for p in site.getsitepackages() + [site.getusersitepackages()] if os.path.isdir(p)]
        with open(os.path.join(venv_site, "parent-packages.pth"), "w") as f:
            f.write("\n".join(parents) + "\n")
    # From a copy: setuptools builds in the source folder, which must stay clean.
    source = os.path.join(str(path), "yiprep-source")
    shutil.copytree(os.path.join(ROOT, "python"), source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    result = subprocess.run([python, "-m", "pip", "install", "-q", source],
                            capture_output=True, text=True, timeout=600, cwd=str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    location = subprocess.run([python, "-c", "import yiprep; print(yiprep.__file__)"], capture_output=True,
                              text=True, cwd=str(path), env=clean_env()).stdout
    assert location.startswith(str(path)), location  # the installed copy, not the repository's
    return python


def clean_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def docs_example(marker):
    text = open(DOCS, encoding="utf-8").read()
    match = re.search(re.escape(f"<!-- tested: {marker} -->") + r"\s*```python\n(.*?)```", text, re.S)
    assert match, f"{DOCS} has no python block after the '{marker}' marker"
    return match.group(1)


def test_docs_hugging_face_example_runs_after_pip_install(tmp_path):
    pytest.importorskip("transformers")
    python = fresh_venv(tmp_path / "venv", inherit=True)
    work = tmp_path / "work"
    work.mkdir()
    # The docs' command: yi-prep pack --len 1024 --out packed-hf samples/
    pack(work / "packed-hf", "1024", [os.path.join(ROOT, "samples", "public-domain-books.jsonl"),
                                       os.path.join(ROOT, "samples", "tinywiki-latest-pages-articles.xml.zst")])
    (work / "example.py").write_text(docs_example("hf-example"), encoding="utf-8")
    result = subprocess.run([python, "example.py"], capture_output=True, text=True, cwd=str(work), timeout=600,
                            env=clean_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"trained 2 steps, loss \d+\.\d+", result.stdout)


def test_numpy_only_install(tmp_path, packed_pad0):
    """The base package needs numpy alone (pip fetches it into the fresh venv)."""
    python = fresh_venv(tmp_path / "venv", inherit=False)
    result = subprocess.run([python, "-m", "yiprep", packed_pad0, "--len", "256"], capture_output=True, text=True,
                            env=clean_env(), timeout=300)
    assert result.returncode == 0 and "sequence 0:" in result.stdout, result.stderr
    torchless = subprocess.run([python, "-c", "import yiprep.hf"], capture_output=True, text=True, env=clean_env())
    assert torchless.returncode != 0 and "torch" in torchless.stderr
