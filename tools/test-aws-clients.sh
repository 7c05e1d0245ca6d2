#!/usr/bin/env bash
# The AWS-compatible routes through the real AWS clients (docs/AWS.md). Installs boto3 and
# botocore 1.35.99 and awscli 1.36.40 (which pins that botocore) from PyPI into tools/.venv-aws,
# trains an inspection model "aliens" on Lookout for Vision's minimum of the aliens photos
# (20 normal, 10 anomalous, from ../shared/datasets/lookout-aliens), starts the release server
# on a free loopback port with a credentials file, then:
#   1. tools/aws-clients/check_boto3.py: each operation's answer as botocore parses it, each
#      modeled error as its exception class, and 403 for a wrong secret, no signature or an
#      expired one;
#   2. one run of the AWS CLI per service on the same server, and a wrong secret refused.
# Fails (exit 1) on any failure. Build flags for the server come from INSPECT_SWIFT_FLAGS
# (tools/test.sh passes its test flags, so the suite after it reuses the build).
# Run from anywhere: tools/test-aws-clients.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-aws-clients: FAILED: $*" >&2; exit 1; }
datasets="$(cd .. && pwd)/shared/datasets"
[ -d "$datasets/lookout-aliens/anomaly" ] && [ -f "$datasets/portraits/obama.jpg" ] \
    || fail "needs ../shared/datasets/lookout-aliens and ../shared/datasets/portraits next to the project"

venv=tools/.venv-aws
if ! "$venv/bin/python" -c 'import boto3, botocore, awscli, sys; sys.exit(botocore.__version__ != "1.35.99" or awscli.__version__ != "1.36.40")' 2>/dev/null; then
    echo "== installing boto3, botocore 1.35.99 and awscli 1.36.40 into $venv" >&2
    python3 -m venv "$venv" || fail "python3 -m venv (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet "boto3==1.35.99" "botocore==1.35.99" "awscli==1.36.40" || fail "pip install"
fi
"$venv/bin/python" - <<'PY' || fail "awscli 1.36.40 does not pin botocore 1.35.99"
import importlib.metadata as m
pins = [r for r in m.requires("awscli") if r.replace(" ", "").startswith("botocore")]
assert pins and pins[0].replace(" ", "").replace("(", "").replace(")", "") == "botocore==1.35.99", pins
print("awscli", m.version("awscli"), "requires", pins[0])
PY

# shellcheck source=tools/serve-for-tests.sh
. tools/serve-for-tests.sh
build_inspect

make_work_folder

echo "== training 'aliens' on 20 normal and 10 anomalous photos" >&2
mkdir -p "$work/train/good" "$work/train/bad"
ls "$datasets/lookout-aliens/normal" | sort -V | sed -n 1,20p | while read -r f; do cp "$datasets/lookout-aliens/normal/$f" "$work/train/good/"; done
ls "$datasets/lookout-aliens/anomaly" | sort -V | sed -n 1,10p | while read -r f; do cp "$datasets/lookout-aliens/anomaly/$f" "$work/train/bad/"; done
"$inspect" train "$work/train/good" "$work/train/bad" --name aliens --model-store "$work/store" --no-holdout-report \
    >"$work/train.log" 2>&1 || { cat "$work/train.log" >&2; fail "inspect train"; }

cat > "$work/credentials" <<'INI'
[default]
aws_access_key_id = AKIAINSPECTCLIENTS
aws_secret_access_key = inspect/test+secret/for/the/clients
INI
start_server "$work/server.log" --model-store "$work/store" --aws-credentials "$work/credentials"
grep "AWS-compatible" "$work/server.log" >&2 || true

echo "== boto3 against $url" >&2
"$venv/bin/python" tools/aws-clients/check_boto3.py "$url" "$work/credentials" "$datasets" aliens || fail "boto3 checks"

echo "== AWS CLI against $url" >&2
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials" AWS_CONFIG_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1
aws="$venv/bin/aws"
"$aws" --version
photo="$datasets/lookout-aliens/anomaly/$(ls "$datasets/lookout-aliens/anomaly" | sort -V | tail -1)"
printf '28,female,2,S' > "$work/passenger.csv"
"$aws" lookoutvision detect-anomalies --endpoint-url "$url" --project-name aliens --model-version 1 \
    --content-type image/png --body "$photo" > "$work/cli-lookout.json" || fail "aws lookoutvision detect-anomalies"
"$aws" rekognition detect-faces --endpoint-url "$url" --image-bytes "fileb://$datasets/portraits/obama.jpg" --attributes ALL \
    > "$work/cli-rekognition.json" || fail "aws rekognition detect-faces"
"$aws" machinelearning predict --endpoint-url "$url" --ml-model-id titanic-survival --predict-endpoint "$url" \
    --record age=28,sex=female,pclass=2,embarked=S > "$work/cli-ml.json" || fail "aws machinelearning predict"
"$aws" sagemaker-runtime invoke-endpoint --endpoint-url "$url" --endpoint-name titanic-survival --content-type text/csv \
    --body "fileb://$work/passenger.csv" "$work/cli-sagemaker-body.json" > "$work/cli-sagemaker.json" || fail "aws sagemaker-runtime invoke-endpoint"
"$venv/bin/python" - "$work" <<'PY' || fail "AWS CLI answers"
import json, sys
w = sys.argv[1]
load = lambda name: json.load(open(f"{w}/{name}"))
lookout = load("cli-lookout.json")["DetectAnomalyResult"]
assert isinstance(lookout["IsAnomalous"], bool) and lookout["AnomalyMask"], lookout.keys()
face = load("cli-rekognition.json")["FaceDetails"][0]
assert face["Gender"]["Value"] in ("Male", "Female") and "AgeRange" in face
prediction = load("cli-ml.json")["Prediction"]
assert prediction["predictedLabel"] in ("0", "1")
assert load("cli-sagemaker.json")["ContentType"] == "application/json"
assert load("cli-sagemaker-body.json")["Prediction"]["predictedScores"]["1"] == prediction["predictedScores"]["1"]
print(f"ok    aws lookoutvision: IsAnomalous={lookout['IsAnomalous']} Confidence={lookout['Confidence']}")
print(f"ok    aws rekognition: Gender={face['Gender']['Value']} AgeRange={face['AgeRange']}")
print(f"ok    aws machinelearning: predictedLabel={prediction['predictedLabel']} predictedScores={prediction['predictedScores']}")
print("ok    aws sagemaker-runtime: the same score")
PY
if AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID=AKIAINSPECTCLIENTS AWS_SECRET_ACCESS_KEY=wrong \
    "$aws" sagemaker-runtime invoke-endpoint --endpoint-url "$url" --endpoint-name titanic-survival --content-type text/csv \
    --body "fileb://$work/passenger.csv" "$work/denied.json" 2>"$work/denied.err"; then
    fail "the AWS CLI with a wrong secret was answered"
fi
grep -q "InvalidSignatureException" "$work/denied.err" || { cat "$work/denied.err" >&2; fail "wrong secret: no InvalidSignatureException"; }
echo "ok    aws with a wrong secret: $(grep -o 'An error occurred (InvalidSignatureException)[^:]*' "$work/denied.err")"
echo "test-aws-clients: all passed" >&2
