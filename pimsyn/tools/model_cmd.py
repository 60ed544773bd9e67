"""`pimsyn model NAME [--dataset D] -o net.json`: a built-in model as network JSON.

The models come from :mod:`pimsyn.frontend.resnet_family` (the ResNet family for ImageNet
and CIFAR-100); the file is the PIMCOMP wrapped network JSON of the existing exporter, so
it reads back with ``pimsyn layers`` / ``synth --network`` to the same network.
"""

from __future__ import annotations

import click

from pimsyn.tools.errors import reports_user_errors


@click.command("model")
@click.argument("name")
@click.option("--dataset", default="imagenet", show_default=True,
              help="Input setting: imagenet (224x224, 1000 classes) or cifar100 (32x32, 100 classes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the network JSON here (default stdout).")
@reports_user_errors
def model_cmd(name: str, dataset: str, output: str | None) -> None:
    """Write built-in model NAME (resnet18, resnet34, resnet50, resnet101, resnet152) as network JSON."""
    import json

    from pimsyn.files import check_output_file, write_or_print
    from pimsyn.frontend.network_json_export import network_to_json
    from pimsyn.frontend.resnet_family import build_resnet

    if output:
        check_output_file(output)
    net = build_resnet(name, dataset)
    write_or_print(json.dumps(network_to_json(net), indent=2, allow_nan=False) + "\n", output)
