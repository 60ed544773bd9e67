// conv1 (3x3, pad 1, 3->8) -> max pool 2x2 -> conv2 (3x3, pad 1, 8->16) -> fc (256->10).
// With S = 128, rho = 2 (R = 8): every conv weight set is 1 x 1 tiles = 8 crossbars, the FC
// has 2 row tiles = 16 crossbars. Used by the stage tests in this folder.
builtin.module @tiny {
  %data = pim.input "data" : tensor<1x3x8x8xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 8 activation relu : tensor<1x3x8x8xi16> -> tensor<1x8x8x8xi16>
  %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x8x8x8xi16> -> tensor<1x8x4x4xi16>
  %conv2 = pim.conv %pool1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 8 out 16 activation relu : tensor<1x8x4x4xi16> -> tensor<1x16x4x4xi16>
  %fc1 = pim.fc %conv2 "fc1" in 256 out 10 : tensor<1x16x4x4xi16> -> tensor<1x10xi16>
}
