"""Build the ResNet family (He et al. 2016) as a :class:`Network`, without any model file.

Used to study the largest network a compact chip can run (issue "Compact chips"). The
builder is the one source of truth: ``pimsyn model NAME -o net.json`` writes its
:class:`Network` through the existing exporter (:func:`network_to_json`), and that file
reads back through :func:`pimsyn.frontend.load_model` to the same :class:`Network`.

Depths: ResNet-18 / -34 (basic blocks, two 3x3 convs, [2, 2, 2, 2] / [3, 4, 6, 3]) and
ResNet-50 / -101 / -152 (bottleneck blocks 1x1 -> 3x3 -> 1x1 with expansion 4,
[3, 4, 6, 3] / [3, 4, 23, 3] / [3, 8, 36, 3]; the stride sits on the 3x3 conv, as in
torchvision's "v1.5", which has the same weights as the paper's v1).

Datasets:

* ``imagenet``: input 1x3x224x224, 7x7/2 stem conv (pad 3) and 3x3/2 max pool (pad 1),
  1000 classes; stages at 56, 28, 14, 7.
* ``cifar100``: input 1x3x32x32, 3x3/1 stem conv (pad 1), no max pool, 100 classes;
  stages at 32, 16, 8, 4.

Representation, as the frontends write an ONNX export of torchvision's model (compare
``test/data/networks/resnet18.json``): BatchNorm folded into its conv (``batchnorm_folded``,
with a bias), ReLU fused into the conv (``activation``) except after the last conv of a
block and after a projection; the residual add is an ``eltwise`` add of (last conv,
shortcut) followed by a ReLU ``post_op``; a shortcut that changes the stride or the
channels is a 1x1 projection conv with that stride; global average pooling is a ``pool``
with ``global_pool``, ``avg``, kernel = the input's H x W, stride 1, no padding, feeding
the FC directly (a Flatten would dissolve on load anyway).
"""

from __future__ import annotations

from dataclasses import dataclass

from pimsyn.frontend.validate import check_network, window_output
from pimsyn.model.network import Network, NetworkError, Node


class UnknownModelError(NetworkError):
    """A model name or dataset the builder does not know (one line, exit 2 on the CLI)."""


#: name -> (block kind, blocks per stage)
ARCHITECTURES: dict[str, tuple[str, tuple[int, int, int, int]]] = {
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
    "resnet101": ("bottleneck", (3, 4, 23, 3)),
    "resnet152": ("bottleneck", (3, 8, 36, 3)),
}
STAGE_WIDTHS = (64, 128, 256, 512)
EXPANSION = {"basic": 1, "bottleneck": 4}


@dataclass(frozen=True)
class Dataset:
    size: int  # input H = W
    classes: int
    stem_kernel: int
    stem_stride: int
    max_pool: bool


DATASETS: dict[str, Dataset] = {
    "imagenet": Dataset(size=224, classes=1000, stem_kernel=7, stem_stride=2, max_pool=True),
    "cifar100": Dataset(size=32, classes=100, stem_kernel=3, stem_stride=1, max_pool=False),
}


def model_names() -> tuple[str, ...]:
    return tuple(ARCHITECTURES)


def dataset_names() -> tuple[str, ...]:
    return tuple(DATASETS)


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []

    def add(self, node: Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def conv(self, name: str, src: int, out_ch: int, kernel: int, stride: int, relu: bool) -> int:
        prev = self.nodes[src]
        pad = kernel // 2
        size = [window_output(prev.shape[a], kernel, stride, pad, pad, 1) for a in (2, 3)]
        return self.add(Node(
            name=name, kind="conv", inputs=(src,), shape=(1, out_ch, *size),
            kernel=(kernel, kernel), stride=(stride, stride), pads=(pad, pad, pad, pad),
            in_channels=prev.shape[1], out_channels=out_ch, bias=True,
            activation="relu" if relu else "none", batchnorm_folded=True,
        ))

    def pool(self, name: str, src: int, method: str, kernel: int | None, stride: int, pad: int) -> int:
        prev = self.nodes[src]
        is_global = kernel is None
        kh, kw = (prev.shape[2], prev.shape[3]) if is_global else (kernel, kernel)
        size = [window_output(prev.shape[a], k, stride, pad, pad, 1) for a, k in ((2, kh), (3, kw))]
        return self.add(Node(
            name=name, kind="pool", inputs=(src,), shape=(1, prev.shape[1], *size),
            kernel=(kh, kw), stride=(stride, stride), pads=(pad, pad, pad, pad),
            pool_method=method, global_pool=is_global,
        ))

    def block(self, prefix: str, src: int, kind: str, width: int, stride: int) -> int:
        in_ch = self.nodes[src].shape[1]
        out_ch = width * EXPANSION[kind]
        if kind == "basic":
            x = self.conv(f"{prefix}.conv1", src, width, 3, stride, relu=True)
            x = self.conv(f"{prefix}.conv2", x, out_ch, 3, 1, relu=False)
        else:
            x = self.conv(f"{prefix}.conv1", src, width, 1, 1, relu=True)
            x = self.conv(f"{prefix}.conv2", x, width, 3, stride, relu=True)
            x = self.conv(f"{prefix}.conv3", x, out_ch, 1, 1, relu=False)
        shortcut = src
        if stride != 1 or in_ch != out_ch:
            shortcut = self.conv(f"{prefix}.downsample", src, out_ch, 1, stride, relu=False)
        return self.add(Node(
            name=f"{prefix}.add", kind="eltwise", inputs=(x, shortcut), shape=self.nodes[x].shape,
            eltwise_op="add", post_ops=("relu",),
        ))


def build_resnet(name: str, dataset: str = "imagenet") -> Network:
    """ResNet ``name`` (resnet18 ... resnet152) for ``dataset`` (imagenet, cifar100)."""
    if name not in ARCHITECTURES:
        raise UnknownModelError(f"unknown model '{name}' (choose one of {', '.join(ARCHITECTURES)})")
    if dataset not in DATASETS:
        raise UnknownModelError(f"unknown dataset '{dataset}' (choose one of {', '.join(DATASETS)})")
    kind, blocks = ARCHITECTURES[name]
    data = DATASETS[dataset]
    b = _Builder()
    x = b.add(Node(name="input", kind="input", inputs=(), shape=(1, 3, data.size, data.size)))
    x = b.conv("conv1", x, 64, data.stem_kernel, data.stem_stride, relu=True)
    if data.max_pool:
        x = b.pool("maxpool", x, "max", 3, 2, 1)
    for stage, (count, width) in enumerate(zip(blocks, STAGE_WIDTHS), start=1):
        for i in range(count):
            stride = 2 if stage > 1 and i == 0 else 1
            x = b.block(f"layer{stage}.{i}", x, kind, width, stride)
    x = b.pool("avgpool", x, "avg", None, 1, 0)
    channels = b.nodes[x].shape[1]
    b.add(Node(
        name="fc", kind="fc", inputs=(x,), shape=(1, data.classes),
        in_channels=channels, out_channels=data.classes, bias=True,
    ))
    net_name = name if dataset == "imagenet" else f"{name}_{dataset}"
    net = Network(net_name, tuple(b.nodes))
    check_network(net)  # the checks every frontend's network passes
    return net


def weight_count(net: Network) -> int:
    """Weights and biases of the convs and FCs (BatchNorm folded: one bias per output channel)."""
    total = 0
    for node in net.nodes:
        if node.kind in ("conv", "fc"):
            total += node.weight_rows // (node.groups if node.kind == "conv" else 1) * node.weight_cols
            total += node.out_channels if node.bias else 0
    return total
