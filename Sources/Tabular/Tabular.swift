// Tabular: CSV datasources with inferred schemas, recipes, logistic regression and
// gradient-boosted trees, evaluation (Amazon Machine Learning style). Foundation only.
