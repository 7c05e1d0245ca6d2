"""ONNX Runtime side of tools/bench/bench-effnet.sh: EfficientNet-Lite0 with the committed weights.

  bench_effnet_ort.py export MODELS_DIR ONNX_PATH   exports the PyTorch reference network to ONNX
  bench_effnet_ort.py run ONNX_PATH --threads T --batch B --runs R [--warmup W]

`run` prints `threads=T batch=B median_ms=... images_per_s=... cpu_ms_per_image=... peak_rss_mb=...` (the format of
bench-networks): median wall time of R session.run calls on a random B x 3 x 224 x 224 batch.
"""
import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np


def export(models_dir, onnx_path):
    import torch
    # The PyTorch network lives beside the converter that wrote the weights.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
    import effnet_reference
    model = effnet_reference.load_committed(os.path.join(models_dir, "efficientnet-lite0.safetensors"))
    os.makedirs(os.path.dirname(os.path.abspath(onnx_path)), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False)


def run(onnx_path, threads, batch, runs, warmup):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(7).standard_normal((batch, 3, 224, 224)).astype(np.float32)
    for _ in range(warmup):
        session.run(None, {"input": x})
    times = []
    cpu_start = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, {"input": x})
        times.append(time.perf_counter() - start)
    m = statistics.median(times)
    cpu_per_image = (time.process_time() - cpu_start) / (runs * batch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"threads={threads} batch={batch} median_ms={m * 1000:.3f} images_per_s={batch / m:.1f} cpu_ms_per_image={cpu_per_image * 1000:.3f} peak_rss_mb={peak:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["export", "run"])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    a = parser.parse_args()
    if a.command == "export":
        export(*a.paths)
    else:
        run(a.paths[0], a.threads, a.batch, a.runs, a.warmup)
