"""The ResNet-family builder (pimsyn/frontend/resnet_family.py) and `pimsyn model`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pimsyn.frontend import load_model, network_from_json, network_to_json
from pimsyn.frontend.resnet_family import (
    ARCHITECTURES, DATASETS, UnknownModelError, build_resnet, weight_count,
)
from pimsyn.tools.cli import main

NETS = Path(__file__).resolve().parent.parent / "data" / "networks"

#: Published ImageNet parameter counts (torchvision's resnet18 ... resnet152, the paper's
#: 11.69M / 21.80M / 25.56M / 44.55M / 60.19M). They count the conv weights (no conv bias),
#: each BatchNorm's gamma and beta (2 per channel) and the FC weights and bias.
PUBLISHED = {
    "resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032,
    "resnet101": 44_549_160, "resnet152": 60_192_808,
}

#: (conv, fc, eltwise) layers: stem + convs of the blocks + projection shortcuts (3 for
#: basic blocks, whose layer1 keeps 64 channels; 4 for bottlenecks), one FC, one add a block.
COUNTS = {
    "resnet18": (20, 1, 8), "resnet34": (36, 1, 16), "resnet50": (53, 1, 16),
    "resnet101": (104, 1, 33), "resnet152": (155, 1, 50),
}


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_imagenet_weights_match_the_published_counts(name):
    # What we count (weight_count): conv and FC weights plus one bias per output channel
    # (BatchNorm folded into its conv gives the conv a bias; the FC has its own). The
    # published count has gamma and beta per BN channel instead, i.e. one more parameter
    # per conv output channel: adding those gives the published number exactly.
    net = build_resnet(name, "imagenet")
    ours = weight_count(net)
    assert abs(ours - PUBLISHED[name]) <= 0.005 * PUBLISHED[name]
    bn_channels = sum(n.out_channels for n in net.nodes if n.kind == "conv")
    assert ours + bn_channels == PUBLISHED[name]


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_layer_counts(name, dataset):
    net = build_resnet(name, dataset)
    conv, fc, eltwise = COUNTS[name]
    assert (net.count("conv"), net.count("fc"), net.count("eltwise")) == (conv, fc, eltwise)
    assert net.count("pool") == (2 if dataset == "imagenet" else 1)
    assert net.count("input") == 1 and net.count("concat") == 0
    assert all(n.eltwise_op == "add" and n.post_ops == ("relu",) for n in net.nodes if n.kind == "eltwise")
    assert all(n.batchnorm_folded and n.bias for n in net.nodes if n.kind == "conv")


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_cifar100_shapes(name):
    net = build_resnet(name, "cifar100")
    width = 512 * (4 if ARCHITECTURES[name][0] == "bottleneck" else 1)
    nodes = {n.name: n for n in net.nodes}
    assert nodes["input"].shape == (1, 3, 32, 32)
    stem = nodes["conv1"]
    assert (stem.kernel, stem.stride, stem.shape) == ((3, 3), (1, 1), (1, 64, 32, 32))
    assert "maxpool" not in nodes
    # one block's output per stage: 32, 16, 8, 4
    sizes = [n.shape[2:] for n in net.nodes if n.kind == "eltwise" and n.name.endswith(".0.add")]
    assert sizes == [(32, 32), (16, 16), (8, 8), (4, 4)]
    pool, fc = net.nodes[-2], net.nodes[-1]
    assert net.nodes[pool.inputs[0]].shape == (1, width, 4, 4)  # final feature map before pooling
    assert (pool.pool_method, pool.global_pool, pool.kernel, pool.shape) == ("avg", True, (4, 4), (1, width, 1, 1))
    assert (fc.in_channels, fc.out_channels, fc.shape) == (width, 100, (1, 100))


def test_imagenet_stem_and_head():
    net = build_resnet("resnet50", "imagenet")
    nodes = {n.name: n for n in net.nodes}
    assert (nodes["conv1"].kernel, nodes["conv1"].stride, nodes["conv1"].shape) == ((7, 7), (2, 2), (1, 64, 112, 112))
    pool = nodes["maxpool"]
    assert (pool.pool_method, pool.kernel, pool.stride, pool.shape) == ("max", (3, 3), (2, 2), (1, 64, 56, 56))
    assert nodes["avgpool"].kernel == (7, 7) and nodes["avgpool"].global_pool
    assert nodes["fc"].shape == (1, 1000)
    # projections: 1x1, stride 2 where the stage downsamples (layer1's only changes channels)
    proj = [(n.name, n.kernel, n.stride) for n in net.nodes if n.name.endswith("downsample")]
    assert proj == [("layer1.0.downsample", (1, 1), (1, 1))] + [
        (f"layer{s}.0.downsample", (1, 1), (2, 2)) for s in (2, 3, 4)]


def _conv_shapes(net):
    return [(n.kernel, n.stride, n.pads, n.dilation, n.groups, n.in_channels, n.out_channels, n.shape)
            for n in net.nodes if n.kind == "conv"]


def test_resnet18_matches_the_bundled_network_json():
    ours, theirs = build_resnet("resnet18"), load_model(NETS / "resnet18.json")
    assert _conv_shapes(ours) == _conv_shapes(theirs)
    assert [n.kind for n in ours.nodes] == [n.kind for n in theirs.nodes]
    assert [n.inputs for n in ours.nodes] == [n.inputs for n in theirs.nodes]
    assert [(n.activation, n.post_ops) for n in ours.nodes] == [(n.activation, n.post_ops) for n in theirs.nodes]
    assert sum(n.macs for n in ours.nodes) == sum(n.macs for n in theirs.nodes)


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("name", ARCHITECTURES)
def test_json_round_trip(name, dataset):
    net = build_resnet(name, dataset)
    assert network_from_json(json.loads(json.dumps(network_to_json(net))), net.name) == net


def test_cli_writes_network_json_that_loads(tmp_path):
    out = tmp_path / "resnet18_cifar100.json"
    res = CliRunner().invoke(main, ["model", "resnet18", "--dataset", "cifar100", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert load_model(out) == build_resnet("resnet18", "cifar100")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    res = CliRunner().invoke(main, ["layers", str(out)])
    assert res.exit_code == 0, res.output
    assert "20 conv, 1 fc, 1 pool, 8 eltwise" in res.output
    res = CliRunner().invoke(main, ["model", "resnet34"])  # default imagenet, to stdout
    assert res.exit_code == 0 and json.loads(res.output)["node_list"][0]["output_dim"] == [1, 3, 224, 224]


@pytest.mark.parametrize("args, message", [
    (["model", "resnet20"], "error: unknown model 'resnet20' (choose one of resnet18, resnet34, resnet50, "
                            "resnet101, resnet152)"),
    (["model", "resnet18", "--dataset", "mnist"], "error: unknown dataset 'mnist' (choose one of imagenet, cifar100)"),
])
def test_cli_unknown_name_or_dataset_is_one_line_exit_2(tmp_path, args, message):
    out = tmp_path / "net.json"
    res = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == message
    assert not out.exists()


def test_builder_errors_are_network_errors():
    with pytest.raises(UnknownModelError, match="unknown model 'vgg16'"):
        build_resnet("vgg16")
    with pytest.raises(UnknownModelError, match="unknown dataset 'cifar10'"):
        build_resnet("resnet50", "cifar10")
