#!/usr/bin/env bash
# Runs the container command of deploy/kubernetes/score-job.yaml locally, once per completion
# index, with the environment Kubernetes gives each pod (JOB_COMPLETION_INDEX, the env list,
# $(VAR) expanded) and the volume mounts replaced by local folders; then merges the parts
# and checks they are byte-identical to one process. No cluster or container engine needed.
# Environment: INSPECT (a built binary; default: build it).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/deploy-tests/common.sh
started=$(date +%s)
inspect_binary
work=$(mktemp -d /tmp/inspect-job.XXXXXX)
make_demo_model "$work" 30 20
# The Job reads /data/photos and the model `demo` from the store at /store.
mkdir -p "$work/data" "$work/results"
mv "$work/demo/test" "$work/data/photos"
"$INSPECT" score "$work/data/photos" --model demo --model-store "$work/store" --out "$work/reference.csv" || [ $? -eq 1 ]
python3 tools/deploy-tests/check_manifests.py run-job "$INSPECT" \
    /data="$work/data" /store="$work/store" /results="$work/results"
"$INSPECT" merge "$work/merged.csv" "$work"/results/part-*.csv
cmp "$work/merged.csv" "$work/reference.csv"
echo "PASS: the Indexed Job's command, run for each index, merges to the one-process output ($(( $(wc -l < "$work/reference.csv") - 1 )) rows, $(( $(date +%s) - started )) s)"
