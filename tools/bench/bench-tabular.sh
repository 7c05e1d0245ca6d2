#!/usr/bin/env bash
# Tabular benchmark: our 10-fold cross-validated AUC and training time beside scikit-learn's,
# on identical folds (ours exported with --export-folds, read back by the Python side).
# Run from the repository root: tools/bench/bench-tabular.sh
# INSPECT=PATH uses a built inspect instead of building one (BENCH_TENSORS=PATH likewise for the
# machine line's bench-tensors), so a test build's binaries are not rebuilt with other flags.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
venv="tools/.venv-bench-tabular"
out="out/bench-tabular"
mkdir -p "$out"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet scikit-learn numpy
fi
if [ -z "${INSPECT:-}" ]; then swift build -c release --product inspect >&2; fi
inspect="${INSPECT:-$(swift build -c release --show-bin-path)/inspect}"
data="datasets/titanic.csv"
# Both sides single-threaded (ours is), so the times compare the work and not the thread pools.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
seed=1
ours=()
for features in age,sex,pclass,embarked age,sex,pclass,embarked,sibsp,parch,fare; do
    variants=("logistic" "logistic --cross-all" "trees")
    # Every pairwise cross of seven columns makes scikit-learn's logistic regression far too slow
    # here (thousands of dense columns); cross the four-column set only.
    if [ "$features" != age,sex,pclass,embarked ]; then variants=("logistic" "trees"); fi
    for variant in "${variants[@]}"; do
        json="$out/$(echo "$variant" | tr -d ' -')-$(echo "$features" | tr ',' '-').json"
        # shellcheck disable=SC2086  # the variant is a model name and its flags
        "$inspect" tabular evaluate "$data" --target survived --folds 10 --seed "$seed" \
            --features "$features" --model $variant --export-folds "$out/folds.csv" --json > "$json"
        ours+=("$json")
    done
done
echo "inspect: 10-fold CV on $data (seed $seed); train time is the sum over the 10 folds, including the"
echo "inner 5-fold search of the regularisation (ours, and sklearn's LogisticRegressionCV; HistGradientBoosting runs with its"
echo "defaults). One thread each; the machine's load at the time shows in the times."
"$venv/bin/python" tools/bench/bench_tabular.py "$data" "$out/folds.csv" "${ours[@]}"
