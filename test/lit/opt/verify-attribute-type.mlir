// An attribute of the wrong type (checked by xDSL's IRDL, whose message names neither the
// op nor the attribute) is reported with the file, the op, its layer and the attribute.
// RUN: not pimsyn-opt %s 2>&1 | filecheck %s
// RUN: not pimsyn export %s --network-json 2>&1 | filecheck %s
// CHECK: {{.*}}verify-attribute-type.mlir: pim.conv "conv1": attribute 'dup': "x" should be of base attribute integer
// CHECK-NOT: Traceback
builtin.module @tiny {
  %data = pim.input "data" : tensor<1x3x8x8xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 {dup = "x"} : tensor<1x3x8x8xi16> -> tensor<1x8x8x8xi16>
}
