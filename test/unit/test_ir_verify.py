"""Verifier and parse errors of the pim dialect: one clear line each."""

from __future__ import annotations

import pytest

from pimsyn.ir.attributes import AllocAttr, BudgetAttr, HwAttr, MacroSettingAttr, RangeAttr
from pimsyn.ir.context import parse_module
from pimsyn.ir.errors import IRParseError, IRVerifyError
from xdsl.utils.exceptions import VerifyException

_IN = '%d = pim.input "data" : tensor<1x3x8x8xi16>\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('%c = pim.conv %d "c" kernel [3, 3] in 3 out 5 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>',
         "out 5 does not match the result's channel dimension 4"),
        ('%c = pim.conv %d "c" kernel [3] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>',
         "kernel needs 2 values"),
        ('%c = pim.conv %d "c" kernel [3, 3] pads [0, -1, 0, 0] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>',
         "pads must be >= 0"),
        ('%c = pim.conv %d "c" kernel [3, 3] in 3 out 4 clip [6.0, 0.0] : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>',
         "clip range must be"),
        ('%c = pim.conv %d "c" kernel [3, 3] in 3 out 4 {macros = -2 : i64} : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>',
         "design attribute 'macros' must be an integer >= 1"),
        ('%c = pim.pool %d "p" avg kernel [2, 2] : tensor<1x3x8x8xi16> -> tensor<1x12xi16>',
         "result must be a 4-D feature map"),
        ('%c = pim.concat %d, %d "cat" axis 4 : tensor<1x3x8x8xi16>, tensor<1x3x8x8xi16> -> tensor<1x6x8x8xi16>',
         "axis 4 is out of range"),
        ('%c = pim.fc %d "f" in 192 out 7 : tensor<1x3x8x8xi16> -> tensor<1x10xi16>',
         "out 7 does not match"),
        ('%x = pim.input "x" : tensor<1x0xi16>', "static 2-D or 4-D tensor with positive sizes"),
    ],
)
def test_layer_verifier_errors(body: str, message: str):
    with pytest.raises(IRVerifyError, match=message.replace("[", r"\[").replace("(", r"\(")) as info:
        parse_module(_IN + body)
    assert "\n" not in str(info.value)


def test_parse_error_is_one_line_with_location():
    with pytest.raises(IRParseError) as info:
        parse_module(_IN + '%c = pim.conv %d "c" kernel [3, 3] in 3 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>', name="x.mlir")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith("x.mlir:2:")
    assert "missing 'out'" in text


def test_field_given_twice_is_a_parse_error():
    with pytest.raises(IRParseError, match="'in' given twice"):
        parse_module(_IN + '%c = pim.conv %d "c" kernel [3, 3] in 3 in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>')


def test_operand_type_count_mismatch():
    with pytest.raises(IRParseError, match="1 operand\\(s\\) but 2 operand type\\(s\\)"):
        parse_module(_IN + '%p = pim.pool %d "p" max kernel [2, 2] : tensor<1x3x8x8xi16>, tensor<1x3x8x8xi16> -> tensor<1x3x4x4xi16>')


def test_valid_module_passes():
    module = parse_module(_IN + '%c = pim.conv %d "c" kernel [3, 3] in 3 out 4 : tensor<1x3x8x8xi16> -> tensor<1x4x6x6xi16>')
    assert len(list(module.ops)) == 2


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RangeAttr(3, 3), "empty range"),
        (lambda: RangeAttr(-1, 2), "start -1 must be >= 0"),
        (lambda: HwAttr(256, 2, 16, 16, 0, 9), "dac_res must be positive"),
        (lambda: BudgetAttr(-1.0, 0.3, 10), "total_power_w must be positive"),
        (lambda: BudgetAttr(49.0, 0.3, 0), "crossbars must be positive"),
        (lambda: MacroSettingAttr("both"), "'both' is not one of"),
        (lambda: AllocAttr({"adc": -3}), "count of 'adc' must be >= 0"),
    ],
)
def test_attribute_verifiers(build, message):
    with pytest.raises(VerifyException, match=message):
        build()


def test_range_attr_fields():
    assert (RangeAttr(0, 29).start, RangeAttr(0, 29).end, RangeAttr(0, 29).size) == (0, 29, 29)
    assert RangeAttr(3).is_single and str(RangeAttr(3)) == "#pim.range<3>"


def test_bad_attribute_in_text_is_a_one_line_verify_error():
    text = "builtin.module attributes {pim.budget = #pim.budget<total_power_w = 49.0, rram_ratio = 0.0, crossbars = 5>} {\n}"
    with pytest.raises(IRVerifyError, match="x.mlir: #pim.budget: rram_ratio must be in") as info:
        parse_module(text, name="x.mlir")
    assert "\n" not in str(info.value)
