# Sourced by tools/models/make-effnet.sh and tools/bench/bench-effnet.sh: the pinned venv of the
# EfficientNet-Lite0 reference engines (PyTorch CPU wheel, ONNX Runtime). Sets $venv.
venv=tools/.venv-effnet
packages=("numpy==2.4.6" "onnx==1.23.2" "onnxruntime==1.32.0" "pillow==13.0.0" "scikit-image==0.26.0"
          "safetensors==0.8.0" "torch==2.13.0")
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, onnxruntime, onnx, skimage, safetensors" 2>/dev/null; then
    python3 -m venv "$venv"
    # The machine image carries a CPU torch wheel; otherwise PyPI's torch.
    local_torch=$(ls /opt/wheels/torch-2.13.0+cpu-*.whl 2>/dev/null | head -1 || true)
    "$venv/bin/pip" install -q ${local_torch:+"$local_torch"} "${packages[@]}"
fi
