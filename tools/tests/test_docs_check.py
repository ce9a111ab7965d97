"""tools/docs-check: which blocks run, and that a failure names its file and line."""
import subprocess
import sys
from pathlib import Path

DOCS_CHECK = Path(__file__).resolve().parent.parent / "docs-check"


def run_check(tmp_path, readme, docs=None):
    (tmp_path / "README.md").write_text(readme)
    (tmp_path / "docs").mkdir()
    for name, text in (docs or {}).items():
        (tmp_path / "docs" / name).write_text(text)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    return subprocess.run([sys.executable, str(DOCS_CHECK), "--root", str(tmp_path), "--bin", str(empty_bin),
                           "--shared", str(tmp_path / "no-shared")],
                          capture_output=True, text=True)


def test_sh_blocks_run_in_a_copy_and_text_blocks_do_not(tmp_path):
    (tmp_path / "data.txt").write_text("hello\n")
    readme = ("# t\n\n```sh\ngrep -q hello data.txt\necho made > out.txt\n```\n\n"
              "```sh\ntest -f out.txt   # an earlier block's output is there\n```\n\n"
              "```text\nexit 1\n```\n\n<!-- docs-check: skip (example) -->\n```sh\nexit 1\n```\n")
    result = run_check(tmp_path, readme)
    assert result.returncode == 0, result.stderr
    assert "2 of 2 sh blocks passed" in result.stderr
    assert not (tmp_path / "out.txt").exists(), "blocks run in a temporary copy, not in the repository"


def test_a_failing_block_is_named_by_file_and_line(tmp_path):
    docs = {"guide.md": "# g\n\nText.\n\n```sh\necho fine\n```\n\n```sh\necho about to fail\nfalse\n```\n"}
    result = run_check(tmp_path, "# t\n", docs)
    assert result.returncode == 1
    assert "docs/guide.md:9: ```sh block failed (exit 1)" in result.stderr, result.stderr
    assert "about to fail" in result.stderr
    assert "1 of 2 sh blocks passed" in result.stderr
