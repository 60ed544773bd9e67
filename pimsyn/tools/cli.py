"""`pimsyn`: the one-click synthesis tool and its sub-commands.

    pimsyn layers MODEL                 per-layer table of a model
    pimsyn import MODEL -o model.mlir   model -> layer-level pim IR
    pimsyn export IN.mlir --network-json -o net.json
    pimsyn evaluate ...                 metrics of one design point, no search
    pimsyn synth MODEL --total-power W  design-space exploration -> OUTDIR
    pimsyn sweep MODEL... --total-power 10:100:10 -o DIR   many syntheses, one table
    pimsyn emit DESIGN.mlir --target T  one output file from a synthesized design
    pimsyn asm prog.s -o program.json   a pimsim-nn listing back into its program
    pimsyn sim DESIGN.mlir              simulate a design event by event
    pimsyn model NAME -o net.json       a ResNet of the family (18 ... 152) as network JSON
    pimsyn explore-batch MODEL --area-mm2 A   a compact chip over batch sizes
    pimsyn explore-size --area-mm2 A          the ResNet family on one compact chip
"""

from __future__ import annotations

import click

from pimsyn.files import write_or_print
from pimsyn.tools.errors import OneLineErrorsGroup, reports_user_errors
from pimsyn.tools.commands import emit_cmd, evaluate_cmd, synth_cmd
from pimsyn.tools.sim_cmd import sim_cmd
from pimsyn.tools.model_cmd import model_cmd
from pimsyn.tools.compact_cmd import explore_batch_cmd, explore_size_cmd
from pimsyn.tools.sweep_cmd import sweep_cmd


@click.group(cls=OneLineErrorsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pimsyn")
def main() -> None:
    """Synthesize ReRAM processing-in-memory CNN accelerators (PIMSYN, DATE'24)."""


@main.command("layers")
@click.argument("model", type=click.Path(dir_okay=False))
@reports_user_errors
def layers_cmd(model: str) -> None:
    """Print a per-layer table of MODEL (ONNX or network JSON)."""
    from pimsyn.frontend import load_model
    from pimsyn.tools.tables import layer_table

    net = load_model(model)
    click.echo(layer_table(net))


@main.command("import")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the IR here (default stdout).")
@reports_user_errors
def import_cmd(model: str, output: str | None) -> None:
    """Lower MODEL (ONNX or network JSON) into the layer-level pim dialect."""
    from pimsyn.files import check_output_file
    from pimsyn.frontend import load_model
    from pimsyn.ir.build import network_to_module
    from pimsyn.ir.context import print_module as module_text

    if output:
        check_output_file(output)
    write_or_print(module_text(network_to_module(load_model(model))), output)


@main.command("export")
@click.argument("ir_file", type=click.Path(dir_okay=False))
@click.option("--network-json", "network_json", is_flag=True, required=True,
              help="Write the PIMCOMP network JSON (the only export format so far).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (default stdout).")
@reports_user_errors
def export_cmd(ir_file: str, network_json: bool, output: str | None) -> None:
    """Export the network of a pim IR file as PIMCOMP network JSON."""
    import json

    from pimsyn.files import check_output_file, check_text_file
    from pimsyn.frontend.network_json_export import network_to_json
    from pimsyn.ir.extract import module_to_network
    from pimsyn.ir.context import read_module

    check_text_file(ir_file)
    if output:
        check_output_file(output)
    net = module_to_network(read_module(ir_file))
    write_or_print(json.dumps(network_to_json(net), indent=4, allow_nan=False) + "\n", output)


@main.command("asm")
@click.argument("listing", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write program.json here (default stdout).")
@reports_user_errors
def asm_cmd(listing: str, output: str | None) -> None:
    """Assemble a pimsim-nn listing (pimsyn emit --target pimsim-asm) into program.json."""
    from pimsyn.backend.pimsim_asm import asm_to_program, program_json_text
    from pimsyn.files import check_output_file, read_text

    if output:
        check_output_file(output)
    write_or_print(program_json_text(asm_to_program(read_text(listing, "listing"), listing)), output)


main.add_command(evaluate_cmd)
main.add_command(synth_cmd)
main.add_command(emit_cmd)
main.add_command(sim_cmd)
main.add_command(model_cmd)
main.add_command(explore_batch_cmd)
main.add_command(explore_size_cmd)
main.add_command(sweep_cmd)
