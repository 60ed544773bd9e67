"""`pimsyn sim DESIGN.mlir`: the built-in simulator (docs/simulator.md)."""

from __future__ import annotations

import click

from pimsyn.tools.errors import PimsynError, reports_user_errors


@click.command("sim")
@click.argument("design_file", type=click.Path(dir_okay=False))
@click.option("--batch", "-b", default="1", show_default=True, help="Back-to-back inferences (pipelined).")
@click.option("--trace", "trace_path", type=click.Path(dir_okay=False),
              help="Write a Chrome trace-event JSON here (Perfetto / chrome://tracing), one track per macro.")
@click.option("--trace-events", default="500000", show_default=True,
              help="Most slices in the trace; a longer run keeps its earliest ones.")
@click.option("--spm-ports", is_flag=True, help="One read and one write scratchpad port per macro (default: ideal).")
@click.option("--no-contention", is_flag=True,
              help="Ignore shared resources (NoC links, shared ADCs, ports): the dependency-only schedule.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the summary here (default stdout).")
@reports_user_errors
def sim_cmd(design_file, batch, trace_path, trace_events, spm_ports, no_contention, as_json, output) -> None:
    """Simulate a synthesized design.mlir event by event: cycles, energy, busy time, utilisation."""
    import json

    from pimsyn.files import check_output_file, check_text_file, write_or_print, write_text_atomic
    from pimsyn.ir.context import read_module
    from pimsyn.sim.simulate import simulate_with_starts
    from pimsyn.sim.summary import summary_text

    batch_n = _positive_int(batch, "--batch")
    max_events = _positive_int(trace_events, "--trace-events")
    check_text_file(design_file, "design file")
    for path in (trace_path, output):
        if path:
            check_output_file(path)
    result, (flow, program), start = simulate_with_starts(
        read_module(design_file), batch=batch_n, spm_ports=spm_ports, contention=not no_contention)
    if trace_path:
        from pimsyn.sim.trace import trace_json

        write_text_atomic(trace_path, trace_json(flow, program, start, max_events))
    text = json.dumps(result.as_dict(), indent=2, allow_nan=False) + "\n" if as_json else summary_text(result)
    write_or_print(text, output)


def _positive_int(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise PimsynError(f"{what} must be a whole number, got '{text}'") from None
    if value < 1:
        raise PimsynError(f"{what} must be >= 1, got {value}")
    return value
