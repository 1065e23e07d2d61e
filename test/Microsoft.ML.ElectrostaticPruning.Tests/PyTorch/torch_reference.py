"""PyTorch side of the interop tests (PyTorchReferenceFixture, PyTorchExportFixture); run with Debian's python3-torch.

generate DIR: state dicts of a torchvision resnet18 (10 and 1000 classes) and of akamaster's CIFAR ResNet-20 (random
    weights, BatchNorm statistics calibrated on random images so that activations stay O(1)), the variants the bad-input
    tests read, and DIR/reference.safetensors: the input and the eval-mode logits of each network.
check DIR: rebuilds every DIR/export_NAME.safetensors with electrostatic_pruning_torch.load_pruned (strict=True) and
    writes DIR/python_logits.safetensors: the logits of each on the tensor NAME of DIR/input.safetensors; prints the
    loader's summary of each.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
import torch.nn.init as init
import torchvision
from torch import nn

IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


# akamaster/pytorch_resnet_cifar10 resnet.py (option A), as published.
def _weights_init(m):
    if isinstance(m, nn.Linear) or isinstance(m, nn.Conv2d):
        init.kaiming_normal_(m.weight)


class LambdaLayer(nn.Module):
    def __init__(self, lambd):
        super(LambdaLayer, self).__init__()
        self.lambd = lambd

    def forward(self, x):
        return self.lambd(x)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = LambdaLayer(lambda x: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4), "constant", 0))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super(ResNet, self).__init__()
        self.in_planes = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = self._make_layer(block, 16, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 32, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 64, num_blocks[2], stride=2)
        self.linear = nn.Linear(64, num_classes)
        self.apply(_weights_init)

    def _make_layer(self, block, planes, num_blocks, stride):
        layers = []
        for stride in [stride] + [1] * (num_blocks - 1):
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, out.size()[3])
        return self.linear(out.view(out.size(0), -1))


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def normalize(images):
    return (images - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)


def calibrate(model, generator):
    """Random BatchNorm scale and shift, then running statistics averaged over random batches (raw and normalized)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.normal_(0, 0.2, generator=generator)
                m.momentum = None
        model.train()
        for i in range(4):
            images = torch.rand(8, 3, 32, 32, generator=generator)
            model(normalize(images) if i % 2 else images)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.1
    return model.eval()


def generate(folder):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(4, 3, 32, 32, generator=g)
    r18 = calibrate(torchvision.models.resnet18(num_classes=10), g)
    r18_1000 = calibrate(torchvision.models.resnet18(num_classes=1000), g)
    r20 = calibrate(ResNet(BasicBlock, [3, 3, 3]), g)
    sd = r20.state_dict()
    half = ResNet(BasicBlock, [3, 3, 3]).eval()
    half.load_state_dict({k: v.half().to(v.dtype) if v.is_floating_point() else v for k, v in sd.items()})
    with torch.no_grad():
        reference = {"input": x, "resnet18": r18(x), "resnet18_normalized": r18(normalize(x)), "resnet20": r20(x),
                     "resnet20_half": half(x)}
    write_safetensors(os.path.join(folder, "reference.safetensors"), reference)
    torch.save(r18.state_dict(), os.path.join(folder, "resnet18.pth"))
    torch.save(r18_1000.state_dict(), os.path.join(folder, "resnet18_1000.pth"))
    torch.save(sd, os.path.join(folder, "resnet20.pth"))
    # akamaster's published layout (DataParallel prefix, nested state_dict, no counters), once in each format.
    wrapped = {"state_dict": {"module." + k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}, "best_prec1": 91.25}
    torch.save(wrapped, os.path.join(folder, "resnet20_wrapped.pth"))
    torch.save(wrapped, os.path.join(folder, "resnet20_legacy.th"), _use_new_zipfile_serialization=False)
    torch.save({k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}, os.path.join(folder, "resnet20_no_counters.pth"))
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in sd.items()}, os.path.join(folder, "resnet20_half.pth"))
    torch.save({k: (v * 100).long() if k == "conv1.weight" else v for k, v in sd.items()}, os.path.join(folder, "resnet20_int.pth"))
    torch.save(nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4)), os.path.join(folder, "whole_model.pth"))


def check(folder):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from electrostatic_pruning_torch import load_pruned, read_safetensors, summary
    inputs = read_safetensors(os.path.join(folder, "input.safetensors"))[0]
    logits = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith("export_") and name.endswith(".safetensors"):
            key = name[len("export_"):-len(".safetensors")]
            model, _ = load_pruned(os.path.join(folder, name))
            with torch.no_grad():
                logits[key] = model(inputs[key])
            print(summary(os.path.join(folder, name)))
    write_safetensors(os.path.join(folder, "python_logits.safetensors"), logits)


if __name__ == "__main__":
    {"generate": generate, "check": check}[sys.argv[1]](sys.argv[2])
