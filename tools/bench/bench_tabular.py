"""scikit-learn on the very folds `inspect tabular evaluate --export-folds` used, beside our results.

Usage: bench_tabular.py DATA.csv FOLDS.csv OURS.json...   (run by tools/bench/bench-tabular.sh)
Each OURS.json is the `--json` output of one `inspect tabular evaluate` run.
"""
import csv
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, OrdinalEncoder, PolynomialFeatures

warnings.filterwarnings("ignore")
MISSING = {"", "?", "na", "nan"}


def load(path, folds_path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    with open(folds_path, newline="") as f:
        folds = list(csv.DictReader(f))
    # The folds file lists the labelled rows (row index into the data file, fold, label).
    picked = [rows[int(r["row"])] for r in folds]
    fold = np.array([int(r["fold"]) for r in folds])
    y = np.array([int(r["label"]) for r in folds])
    return picked, fold, y


def columns(rows, features):
    """Numeric columns as floats with NaN, the rest as strings with 'missing'."""
    num, cat = [], []
    for c in features:
        vals = [r[c].strip() for r in rows]
        try:
            [float(v) for v in vals if v.lower() not in MISSING]
            num.append(c)
        except ValueError:
            cat.append(c)
    xn = np.array([[float(r[c]) if r[c].strip().lower() not in MISSING else np.nan for c in num] for r in rows])
    xc = np.array([[r[c].strip() if r[c].strip().lower() not in MISSING else "missing" for c in cat] for r in rows], dtype=object)
    return num, cat, xn.reshape(len(rows), len(num)), xc.reshape(len(rows), len(cat))


def logistic(n_num, n_cat, crosses):
    # Amazon ML style: quantile bins and missing indicators for numbers, one-hot for categories,
    # optionally every pairwise product of those indicators (the crossed levels),
    # L2 strength chosen by 5-fold CV AUC on the training fold.
    num = list(range(n_num))
    cat = list(range(n_num, n_num + n_cat))
    pre = ColumnTransformer([
        ("bins", make_pipeline(SimpleImputer(strategy="median"),
                               KBinsDiscretizer(n_bins=10, strategy="quantile", encode="onehot")), num),
        ("missing", MissingIndicator(features="all"), num),
        ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=5), cat),
    ])
    steps = [("pre", pre)]
    if crosses:
        steps.append(("cross", PolynomialFeatures(degree=2, interaction_only=True, include_bias=False)))
    steps.append(("lr", LogisticRegressionCV(Cs=10, cv=5, scoring="roc_auc", max_iter=2000)))
    return Pipeline(steps)


def trees(n_num, n_cat):
    num = list(range(n_num))
    cat = list(range(n_num, n_num + n_cat))
    pre = ColumnTransformer([
        ("num", "passthrough", num),
        ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), cat),
    ])
    mask = [False] * n_num + [True] * n_cat
    return Pipeline([("pre", pre), ("gb", HistGradientBoostingClassifier(categorical_features=mask, random_state=0))])


def cross_validate(make, x, y, fold):
    aucs, seconds = [], 0.0
    for k in range(fold.max() + 1):
        tr, te = fold != k, fold == k
        model = make()
        start = time.perf_counter()
        model.fit(x[tr], y[tr])
        seconds += time.perf_counter() - start
        aucs.append(roc_auc_score(y[te], model.predict_proba(x[te])[:, 1]))
    return float(np.mean(aucs)), seconds


def main():
    data, folds_path, ours_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; identical folds from {folds_path}")
    header = f"{'features':<48} {'model':<18} {'ours AUC':>9} {'sklearn AUC':>12} {'ours train s':>13} {'sklearn train s':>16}"
    print(header)
    print("-" * len(header))
    for path in ours_paths:
        with open(path) as f:
            ours = json.load(f)
        features = ours["features"]
        rows, fold, y = load(data, folds_path)
        num, cat, xn, xc = columns(rows, features)
        x = np.concatenate([xn.astype(object), xc], axis=1)
        crosses = ours["recipe"].get("crossAllPairs", False)
        if ours["model"] == "logistic":
            make = lambda: logistic(len(num), len(cat), crosses)
        else:
            make = lambda: trees(len(num), len(cat))
        auc, seconds = cross_validate(make, x, y, fold)
        name = ours["model"] + (" + crosses" if crosses else "")
        print(f"{','.join(features):<48} {name:<18} {ours['meanAUC']:>9.4f} {auc:>12.4f} {ours['trainSeconds']:>13.2f} {seconds:>16.2f}")


if __name__ == "__main__":
    main()
