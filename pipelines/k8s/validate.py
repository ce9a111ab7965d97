#!/usr/bin/env python3
"""Checks the Kubernetes example: YAML parses, the Jobs agree with each other (Indexed mode,
YI_WORLD_SIZE = completions, one shared claim mounted at /data by both Jobs, same image), and,
when PyPI's kubernetes-validate can be installed, every object passes the API schema strictly.

    python3 pipelines/k8s/validate.py
    python3 pipelines/k8s/validate.py --simulate .build/release/yi-prep

`--simulate YI_PREP` also plays the Jobs on this machine without Kubernetes: the pack container's
command, taken from the YAML with /data replaced by a scratch folder, runs once per completion
index at the same time (JOB_COMPLETION_INDEX, YI_WORLD_SIZE and YI_LENS as the Job sets them,
one thread each, `--part-bytes 300000` added so that several ranks get work), then the merge
container's command; the merged dataset must have the same shard files as a single run.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def simulate(yi_prep: Path, pack: dict, merge: dict, shared: Path) -> list[str]:
    """Runs the Jobs' commands locally (see the module doc); returns problems."""
    scratch = Path(tempfile.mkdtemp(prefix="yi-prep-k8s-sim."))
    data = scratch / "data"
    (data / "corpus").mkdir(parents=True)
    (data / "tokenizers/yi").mkdir(parents=True)
    for shard in sorted((shared / "corpora/jsonl_zst").glob("*.jsonl.zst")):
        shutil.copy(shard, data / "corpus")
    (data / "tokenizers/yi/tokenizer.model").symlink_to((shared / "tokenizers/yi/tokenizer.model").resolve())
    bin_dir = scratch / "bin"
    bin_dir.mkdir()
    (bin_dir / "yi-prep").symlink_to(yi_prep.resolve())

    def command_of(job: dict) -> str:
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["/bin/sh", "-c"], "the containers run /bin/sh -c SCRIPT"
        return container["args"][0].replace("/data", str(data))

    spec = pack["spec"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    base = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", YI_THREADS="1", **env)
    script = command_of(pack) + " --part-bytes 300000 --quiet"
    problems = []
    processes = [subprocess.Popen(["/bin/sh", "-c", script], env=dict(base, JOB_COMPLETION_INDEX=str(i)),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for i in range(spec["completions"])]
    for index, process in enumerate(processes):
        output, _ = process.communicate()
        if process.returncode != 0:
            problems.append(f"simulated pack index {index} exited {process.returncode}: {output.strip()[-500:]}")
    merged = subprocess.run(["/bin/sh", "-c", command_of(merge)], env=base, capture_output=True, text=True)
    if merged.returncode != 0:
        problems.append(f"simulated merge exited {merged.returncode}: {(merged.stdout + merged.stderr).strip()[-500:]}")
    single = scratch / "single"
    subprocess.run([str(yi_prep), "pack", "--len", env["YI_LENS"], "--tokenizer",
                    str(data / "tokenizers/yi/tokenizer.model"), "--out", str(single), "--part-bytes", "300000",
                    "--quiet", str(data / "corpus")], check=True, capture_output=True)

    def files(folder: Path) -> dict:
        manifest = json.loads((folder / "manifest.json").read_text())
        return {(b["directory"], s["name"], kind): info["sha256"]
                for b in manifest["buckets"] for s in b["shards"] for kind, info in s["files"].items()}

    if not problems:
        if files(single) != files(data / "out"):
            problems.append("simulated Indexed Job + merge: the dataset differs from a single run")
        else:
            print(f"simulated Indexed Job ({spec['completions']} indexes) + merge: the same "
                  f"{len(files(single))} shard files as a single run")
    if problems:
        print(f"simulation folder kept: {scratch}")
    else:
        shutil.rmtree(scratch)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--simulate", metavar="YI_PREP", type=Path,
                        help="also run the Jobs' commands locally with this yi-prep binary")
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("YI_SHARED", HERE.parents[1].parent / "shared")))
    args = parser.parse_args()
    try:
        import yaml
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pyyaml"], check=True)
        import yaml
    files = ["pvc.yaml", "pack-indexed-job.yaml", "merge-job.yaml"]
    objects = {f: list(yaml.safe_load_all((HERE / f).read_text())) for f in files}
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    claim = objects["pvc.yaml"][0]
    expect(claim["kind"] == "PersistentVolumeClaim", "pvc.yaml: not a PersistentVolumeClaim")
    expect("ReadWriteMany" in claim["spec"]["accessModes"], "pvc.yaml: every rank mounts it: ReadWriteMany")
    pack, merge = objects["pack-indexed-job.yaml"][0], objects["merge-job.yaml"][0]
    spec = pack["spec"]
    expect(spec.get("completionMode") == "Indexed", "pack: completionMode must be Indexed")
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container.get("env", [])}
    expect(env.get("YI_WORLD_SIZE", {}).get("value") == str(spec["completions"]),
           f"pack: YI_WORLD_SIZE must equal completions ({spec['completions']})")
    expect(spec.get("parallelism", 1) <= spec["completions"], "pack: parallelism above completions")
    command_text = " ".join(container.get("command", []) + container.get("args", []))
    for needed in ("yi-prep pack", "--out /data/out", "--resume"):
        expect(needed in command_text, f"pack: the command lacks {needed!r}")
    expect("yi-prep merge /data/out" in " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"]),
           "merge: the command must run yi-prep merge /data/out")
    for name, job in (("pack", pack), ("merge", merge)):
        pod = job["spec"]["template"]["spec"]
        claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v]
        expect(claims == [claim["metadata"]["name"]], f"{name}: must mount the claim {claim['metadata']['name']}")
        mounts = [m["mountPath"] for m in pod["containers"][0]["volumeMounts"]]
        expect(mounts == ["/data"], f"{name}: the volume belongs at /data")
        expect(pod.get("restartPolicy") == "Never", f"{name}: restartPolicy Never (Job retries are counted per index)")
    expect(container["image"] == merge["spec"]["template"]["spec"]["containers"][0]["image"],
           "pack and merge must run the same image")

    if subprocess.run([sys.executable, "-m", "pip", "install", "-q", "kubernetes-validate"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet",
                                 *[str(HERE / f) for f in files]], capture_output=True, text=True)
        if result.returncode != 0:
            problems.append("kubernetes-validate --strict:\n" + result.stdout + result.stderr)
        else:
            print("kubernetes-validate --strict: all objects pass the API schema")
    else:
        print("note: kubernetes-validate could not be installed; schema check skipped")
    if args.simulate and not problems:
        problems += simulate(args.simulate, pack, merge, args.shared)
    for problem in problems:
        print("FAIL", problem)
    if not problems:
        print(f"ok: {', '.join(files)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
