#!/usr/bin/env python3
"""Checks the Kubernetes manifests in deploy/kubernetes/ and runs the Job's entry command
locally.

  check_manifests.py                 parse every manifest (PyYAML) and check that the pieces
                                     fit: the Indexed Job's shard count, the Deployment's
                                     /healthz readiness probe, the Service's selector and port
  check_manifests.py run-job INSPECT MOUNT=DIR...
                                     run the Job's container args once per completion index,
                                     as Kubernetes would (JOB_COMPLETION_INDEX, the env list,
                                     $(VAR) expanded), with each mount path replaced by DIR
"""
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANIFESTS = os.path.join(ROOT, "deploy", "kubernetes")


def load(name):
    path = os.path.join(MANIFESTS, name)
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if not docs:
        sys.exit(f"{path}: no YAML documents")
    return path, docs


def fail(path, message):
    sys.exit(f"{path}: {message}")


def the_job():
    path, docs = load("score-job.yaml")
    jobs = [d for d in docs if d.get("kind") == "Job"]
    if len(jobs) != 1:
        fail(path, f"expected one Job, found {len(jobs)}")
    return path, jobs[0]


def check_job():
    path, job = the_job()
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        fail(path, "completionMode must be Indexed (JOB_COMPLETION_INDEX selects the shard)")
    container = spec["template"]["spec"]["containers"][0]
    args = [str(a) for a in container["args"]]
    if args[0] != "score" or "--shard-from-env" not in args:
        fail(path, "the container must run `score ... --shard-from-env`")
    count = int(args[args.index("--shard-count") + 1])
    if count != spec["completions"]:
        fail(path, f"--shard-count {count} differs from completions {spec['completions']}")
    mounts = {m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"] for v in spec["template"]["spec"]["volumes"]}
    if mounts != volumes:
        fail(path, f"volume mounts {sorted(mounts)} differ from volumes {sorted(volumes)}")
    return count


def check_serve():
    path, docs = load("serve.yaml")
    kinds = {d.get("kind"): d for d in docs}
    if set(kinds) != {"Deployment", "Service"}:
        fail(path, f"expected a Deployment and a Service, found {sorted(map(str, kinds))}")
    deployment, service = kinds["Deployment"], kinds["Service"]
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    probe = container.get("readinessProbe", {}).get("httpGet", {})
    if probe.get("path") != "/healthz":
        fail(path, "the readiness probe must GET /healthz")
    port_names = {p.get("name") for p in container["ports"]}
    if probe.get("port") not in port_names:
        fail(path, f"the readiness probe's port {probe.get('port')} is not a container port")
    labels = pod["metadata"]["labels"]
    if deployment["spec"]["selector"]["matchLabels"] != labels:
        fail(path, "the Deployment's selector does not match its pod labels")
    selector = service["spec"]["selector"]
    if any(labels.get(k) != v for k, v in selector.items()):
        fail(path, f"the Service's selector {selector} does not select the pods {labels}")
    for port in service["spec"]["ports"]:
        if port["targetPort"] not in port_names:
            fail(path, f"the Service's targetPort {port['targetPort']} is not a container port")


def run_job(inspect, mounts):
    _, job = the_job()
    spec = job["spec"]
    container = spec["template"]["spec"]["containers"][0]
    replacements = {}
    for mount in container["volumeMounts"]:
        if mount["mountPath"] not in mounts:
            sys.exit(f"run-job: give a local folder for {mount['mountPath']} (MOUNT=DIR)")
        replacements[mount["mountPath"]] = mounts[mount["mountPath"]]

    def local(value):
        for mount_path, folder in replacements.items():
            if value == mount_path or value.startswith(mount_path + "/"):
                return folder + value[len(mount_path):]
        return value

    for index in range(spec["completions"]):
        env = {e["name"]: local(str(e["value"])) for e in container.get("env", [])}
        env["JOB_COMPLETION_INDEX"] = str(index)
        # Kubernetes expands $(NAME) in args from the container's environment.
        args = [local(re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), str(a)))
                for a in container["args"]]
        environment = {k: v for k, v in os.environ.items()
                       if k != "JOB_COMPLETION_INDEX" and not k.startswith("SLURM_")}
        environment.update(env)
        print(f"JOB_COMPLETION_INDEX={index} inspect {' '.join(args)}", file=sys.stderr)
        status = subprocess.run([inspect] + args, env=environment).returncode
        # 1: some photos could not be read (their rows carry the error).
        if status not in (0, 1):
            sys.exit(f"run-job: index {index} exited with {status}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "run-job":
        if len(sys.argv) < 3:
            sys.exit(__doc__)
        mounts = dict(arg.split("=", 1) for arg in sys.argv[3:])
        run_job(sys.argv[2], mounts)
        return
    shards = check_job()
    check_serve()
    print(f"deploy/kubernetes: score-job.yaml (Indexed Job, {shards} shards) and serve.yaml "
          "(Deployment with /healthz readiness, Service) parse and fit together")


if __name__ == "__main__":
    main()
