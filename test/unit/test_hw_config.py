"""Hardware description: reading the reference config.json (spec 1.2) and its validation."""

import json
from importlib import resources

import pytest

from pimsyn.hw.config import HardwareError, adc_resolution, hardware_from_dict, load_hardware


def _raw() -> dict:
    return json.loads(resources.files("pimsyn.data").joinpath("default-hw.json").read_text())


def test_default_values_of_spec_tables():
    hw = load_hardware()
    assert (hw.weight_res, hw.data_res, hw.memory_bw_bits, hw.vfu_width, hw.noc_bw_bits) == (16, 16, 1024, 32, 64)
    assert hw.noc_power_w == 0.104
    assert hw.crossbar(256, 2).peak_power_w == 12e-4
    assert hw.crossbar(512, 4).dynamic_power_w == 4.4e-3
    assert hw.adc(9).peak_power_w == 2.25e-3 and hw.adc(9).frequency_ghz == 1
    assert hw.dac(1).latency_ns == 3 and hw.dac(1).frequency_ghz == 0.3
    assert hw.alu["POOL"].frequency_ghz == 0.05 and hw.alu["POOL"].latency_ns == 200
    assert hw.memory(64).leak_power_w == 13.6025e-3
    assert hw.memory(4096).read_energy_nj == 0.472291
    assert list(hw.memories) == [64, 128, 256, 512, 1024, 2048, 4096]
    assert list(hw.adcs) == [4, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert hw.annealing.chains == 10 and hw.annealing.cooling == 0.95
    assert hw.evolution.population == 40 and hw.evolution.min_macro_size == 32


def test_component_lookup_by_op_label():
    hw = load_hardware()
    assert hw.component("ADC", 1, 9) is hw.adc(9)
    assert hw.component("DAC", 2, 9) is hw.dac(2)
    assert hw.component("SHIFTADD", 1, 9).frequency_ghz == 0.25


@pytest.mark.parametrize(
    ("size", "rho", "expected"),
    [  # spec 2.2 table, r_dac = 1, 2, 4
        (128, 1, (7, 8, 10)), (128, 2, (8, 10, 12)), (128, 4, (10, 12, 14)),
        (256, 1, (8, 9, 11)), (256, 2, (9, 11, 13)), (256, 4, (11, 13, 15)),
        (512, 1, (9, 10, 12)), (512, 2, (10, 12, 14)), (512, 4, (12, 14, 16)),
    ],
)
def test_adc_resolution_formula(size, rho, expected):
    assert tuple(adc_resolution(size, rho, dac) for dac in (1, 2, 4)) == expected


def test_unknown_adc_resolution_names_the_available_ones():
    with pytest.raises(HardwareError, match=r"no ADC with resolution 15 in default-hw.json \(have 4, 6\.\.14\)"):
        load_hardware().adc(15)


def test_unknown_memory_and_crossbar():
    hw = load_hardware()
    with pytest.raises(HardwareError, match="no memory with capacity"):
        hw.memory(32)
    with pytest.raises(HardwareError, match="no RRAM entry 64_1"):
        hw.crossbar(64, 1)


def test_missing_table():
    raw = _raw()
    del raw["ADC"]
    with pytest.raises(HardwareError, match="missing table 'ADC'"):
        hardware_from_dict(raw, "hw.json")


def test_missing_key_in_entry():
    raw = _raw()
    del raw["memory"]["128"]["read_energy"]
    with pytest.raises(HardwareError, match=r"memory\[128\] is missing 'read_energy'"):
        hardware_from_dict(raw, "hw.json")


def test_non_numeric_value():
    raw = _raw()
    raw["DAC"]["2"]["latency"] = "fast"
    with pytest.raises(HardwareError, match=r"DAC\[2\]\.latency must be a number, got 'fast'"):
        hardware_from_dict(raw, "hw.json")


@pytest.mark.parametrize(("table", "key"), [("ADC", "peak_power"), ("SHIFTADD", "frequency")])
def test_non_positive_power_or_frequency(table, key):
    raw = _raw()
    entry = raw[table]["9"] if table == "ADC" else raw[table]
    entry[key] = 0
    with pytest.raises(HardwareError, match=f"{key} must be positive"):
        hardware_from_dict(raw, "hw.json")


def test_bad_table_key():
    raw = _raw()
    raw["RRAM"]["big"] = raw["RRAM"]["128_1"]
    with pytest.raises(HardwareError, match="RRAM key 'big' must be '<size>_<cell_res>'"):
        hardware_from_dict(raw, "hw.json")


def test_file_errors(tmp_path):
    with pytest.raises(HardwareError, match="cannot read hardware description"):
        load_hardware(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(HardwareError, match="not valid JSON"):
        load_hardware(bad)


def test_reemitted_json_round_trips(tmp_path):
    hw = load_hardware()
    assert json.loads(hw.to_json()) == _raw()
    path = tmp_path / "hw.json"
    path.write_text(hw.to_json())
    again = load_hardware(path)
    assert again.adcs == hw.adcs and again.memories == hw.memories and again.alu == hw.alu
