#!/usr/bin/env python3
"""Checks the Kubernetes example: YAML parses, the Jobs agree with each other (Indexed mode,
YI_WORLD_SIZE = completions, one shared claim mounted at /data by both Jobs, same image), and,
when PyPI's kubernetes-validate can be installed, every object passes the API schema strictly.

    python3 pipelines/k8s/validate.py
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
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
    args = " ".join(container.get("command", []) + container.get("args", []))
    for needed in ("yi-prep pack", "--out /data/out", "--resume"):
        expect(needed in args, f"pack: the command lacks {needed!r}")
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
    for problem in problems:
        print("FAIL", problem)
    if not problems:
        print(f"ok: {', '.join(files)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
