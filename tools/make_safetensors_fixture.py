"""Writes Tests/NetworksTests/Fixtures/reference.safetensors with the reference
implementation (the `safetensors` package from PyPI) and the values it holds, as JSON, so
our reader is checked against files it did not write. Run: tools/make-safetensors-fixture.sh"""
import json
import os

import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NetworksTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(3)
tensors = {
    "conv.weight": rng.standard_normal((4, 3, 3, 2)).astype(np.float32),
    "bias": np.array([1.5, -2.25, 1e-3], dtype=np.float32),
    "half": np.array([[0.5, -1.0], [65504.0, 6.1e-5]], dtype=np.float16),
    "scalar": np.array(7.0, dtype=np.float64),
    "empty": np.zeros((0, 5), dtype=np.float32),
}
save_file(tensors, os.path.join(OUT, "reference.safetensors"),
          metadata={"format": "pt", "note": "made by tools/make_safetensors_fixture.py"})
expected = {name: {"shape": list(v.shape), "values": [float(x) for x in v.astype(np.float64).ravel()]}
            for name, v in tensors.items()}
with open(os.path.join(OUT, "reference.json"), "w") as f:
    json.dump({"metadata": {"format": "pt", "note": "made by tools/make_safetensors_fixture.py"},
               "tensors": expected}, f, indent=1)
print("wrote", os.path.relpath(os.path.join(OUT, "reference.safetensors"), ROOT))
