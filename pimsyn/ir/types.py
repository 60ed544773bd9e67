"""Types of the ``pim`` dialect.

``!pim.token`` is the value every dataflow op yields; an op that takes a token must wait for
the op that produced it (the DAG edges of paper Section IV-B / spec 5.12). Layer-level values
are builtin ``tensor<NxCxHxWxi16>`` (``tensor<NxCxi16>`` after an FC): network edges are SSA
def-use edges.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import IntegerType, TensorType
from xdsl.ir import ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition

#: Feature maps are 16-bit fixed point in every network the paper evaluates (Section V).
ELEMENT_BITS = 16


@irdl_attr_definition
class TokenType(ParametrizedAttribute, TypeAttribute):
    """Completion token of a dataflow op."""

    name = "pim.token"


def feature_map_type(shape: Sequence[int]) -> TensorType:
    """``tensor<...xi16>`` of a layer output shape (N, C, H, W) or (N, C)."""
    return TensorType(IntegerType(ELEMENT_BITS), list(shape))


def tensor_shape(value_type) -> tuple[int, ...]:
    """Static shape of a tensor type (empty tuple for anything else)."""
    if isinstance(value_type, TensorType):
        return tuple(int(d) for d in value_type.get_shape())
    return ()
