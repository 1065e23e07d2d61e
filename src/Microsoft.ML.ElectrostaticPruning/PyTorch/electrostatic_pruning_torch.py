"""Loads a network exported for PyTorch by Microsoft.ML.ElectrostaticPruning (a .safetensors file) into PyTorch.

    from electrostatic_pruning_torch import load_pruned
    model, metadata = load_pruned("pruned.safetensors")   # eval mode; applies the stored input normalization
    python3 electrostatic_pruning_torch.py pruned.safetensors   # prints a summary

Needs torch (1.10 or later) and, for the ImageNet ResNets, torchvision. The file holds the trainable state dict (BatchNorm
not folded) under the reference names: torchvision resnet18/34/50, akamaster's CIFAR ResNet (option-A shortcuts), GReg's
CIFAR VGG with BatchNorm, or the library's SmallCnn. Pruned layers only have fewer channels, so every Conv2d, BatchNorm2d
and Linear of the reference model is replaced by one of the saved shape, then the state dict loads with strict=True.
"""
import json
import sys

import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
          "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """(state_dict, metadata) of a safetensors file: 8-byte little-endian header length, JSON header, raw bytes."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    state = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        count = (end - begin) // torch.empty(0, dtype=dtype).element_size()
        flat = torch.frombuffer(data, dtype=dtype, count=count, offset=8 + n + begin) if count else torch.empty(0, dtype=dtype)
        state[name] = flat.reshape(entry["shape"]).clone()
    return state, metadata


class BasicBlock(nn.Module):
    """akamaster's CIFAR block; option-A shortcut: subsample, then zero-pad the channels evenly before and after."""

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes)
        self.stride = stride

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x[:, :, ::self.stride, ::self.stride] if self.stride != 1 else x
        pad = self.conv2.out_channels - shortcut.shape[1]
        return F.relu(out + (F.pad(shortcut, (0, 0, 0, 0, pad // 2, pad - pad // 2)) if pad else shortcut))


class CifarResNet(nn.Module):
    """akamaster/pytorch_resnet_cifar10 layout: conv1/bn1, layer1-3 of (depth - 2) / 6 blocks, linear."""

    def __init__(self, depth, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)
        in_planes = 16
        for stage, planes in enumerate((16, 32, 64)):
            blocks = [BasicBlock(in_planes if b == 0 else planes, planes, 2 if stage and not b else 1) for b in range((depth - 2) // 6)]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
            in_planes = planes
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(F.relu(self.bn1(self.conv1(x))))))
        return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1))


VGG = {11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512],
       13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512],
       16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512],
       19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512]}


class CifarVgg(nn.Module):
    """GReg's CIFAR VGG with BatchNorm: no pool after the last group, global average pool, one Linear ("classifier")."""

    def __init__(self, depth, num_classes=10, in_channels=3, height=32, width=32):
        super().__init__()
        layers, c = [], in_channels
        for v in VGG[depth]:
            if v == "M":  # a pool that would shrink a side below 1 pixel is an identity, as in the library
                layers.append(nn.MaxPool2d(2) if height >= 2 and width >= 2 else nn.Identity())
                height, width = (height // 2, width // 2) if height >= 2 and width >= 2 else (height, width)
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1, bias=False), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features, self.classifier = nn.Sequential(*layers), nn.Linear(c, num_classes)

    def forward(self, x):
        return self.classifier(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


class SmallCnn(nn.Module):
    """The library's SmallCnn: two conv-BN-ReLU-maxpool stages (32, 64 filters), flatten, fc."""

    def __init__(self, num_classes=10, in_channels=1, height=28, width=28):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(in_channels, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32)
        self.conv2, self.bn2 = nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64)
        self.pool, self.fc = nn.MaxPool2d(2), nn.Linear(64 * (height // 4) * (width // 4), num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn2(self.conv2(self.pool(F.relu(self.bn1(self.conv1(x))))))))
        return self.fc(x.flatten(1))


class Normalize:
    """Forward pre-hook applying (x - mean) / std per channel, as the library's network does before its first conv."""

    def __init__(self, mean, std):
        self.mean, self.std = torch.tensor(mean).view(1, -1, 1, 1), torch.tensor(std).view(1, -1, 1, 1)

    def __call__(self, module, inputs):
        x = inputs[0]
        return ((x - self.mean.to(x)) / self.std.to(x),) + tuple(inputs[1:])


def build(architecture, num_classes, channels, height, width):
    """The dense reference model of a zoo architecture name."""
    if architecture in ("ResNet18", "ResNet34", "ResNet50"):
        import torchvision
        return getattr(torchvision.models, architecture.lower())(num_classes=num_classes)
    if architecture.startswith("ResNet"):
        return CifarResNet(int(architecture[6:]), num_classes, channels)
    if architecture.startswith("Vgg"):
        return CifarVgg(int(architecture[3:]), num_classes, channels, height, width)
    if architecture == "SmallCnn":
        return SmallCnn(num_classes, channels, height, width)
    raise ValueError(f"unknown architecture {architecture!r}")


def fit_shapes(module, state, prefix=""):
    """Replaces every Conv2d, BatchNorm2d and Linear by one with the shape of its saved weight."""
    for name, child in module.named_children():
        w = state.get(f"{prefix}{name}.weight")
        if isinstance(child, nn.Conv2d) and w is not None:
            new = nn.Conv2d(w.shape[1] * child.groups, w.shape[0], child.kernel_size, child.stride, child.padding,
                            child.dilation, child.groups, child.bias is not None)
        elif isinstance(child, nn.BatchNorm2d) and w is not None:
            new = nn.BatchNorm2d(w.shape[0], child.eps, child.momentum)
        elif isinstance(child, nn.Linear) and w is not None:
            new = nn.Linear(w.shape[1], w.shape[0], child.bias is not None)
        else:
            fit_shapes(child, state, f"{prefix}{name}.")
            continue
        setattr(module, name, new)


def load_pruned(path, normalize=True):
    """(model, metadata): the network in eval mode; with normalize, a pre-hook applies the stored input normalization."""
    state, metadata = read_safetensors(path)
    channels, height, width = json.loads(metadata["input_shape"])
    model = build(metadata["architecture"], int(metadata["class_count"]), channels, height, width)
    fit_shapes(model, state)
    model.load_state_dict(state, strict=True)
    if normalize and "normalization_mean" in metadata:
        model.register_forward_pre_hook(Normalize(json.loads(metadata["normalization_mean"]), json.loads(metadata["normalization_std"])))
    return model.eval(), metadata


def summary(path):
    """A few lines describing the network in the file (what the command line prints)."""
    model, meta = load_pruned(path)
    c, h, w = json.loads(meta["input_shape"])
    with torch.no_grad():
        logits = model(torch.zeros(1, c, h, w))
    lines = [f"{meta['architecture']} ({meta.get('reference', '?')}): {sum(p.numel() for p in model.parameters()):,} parameters, "
             f"{c}x{h}x{w} input, {logits.shape[1]} classes", f"kept widths per layer: {meta.get('widths', '?')}"]
    if "classes" in meta:
        lines.append(f"classes: {', '.join(json.loads(meta['classes']))}")
    if "normalization_mean" in meta:
        lines.append(f"input normalization (applied by the model): mean {meta['normalization_mean']}, std {meta['normalization_std']}")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 electrostatic_pruning_torch.py MODEL.safetensors")
    print(summary(sys.argv[1]))
