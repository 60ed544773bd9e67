// A conv (2 blocks, 2 bits) feeding a pool (3 blocks); used by several tests.
builtin.module @tiny {
  %data = pim.input "data" : tensor<1x3x4x4xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 4 : tensor<1x3x4x4xi16> -> tensor<1x4x4x4xi16>
  %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x4x4x4xi16> -> tensor<1x4x2x2xi16>
  pim.dataflow {
    %0 = pim.load "conv1" cnt 0 to 2 vec_width 27
    %1 = pim.mvm "conv1" cnt 0 to 2 bit 0 to 2 xb_num 1 after %0
    %2 = pim.store "conv1" cnt 0 to 2 vec_width 4 after %1
    %3 = pim.load "pool1" cnt 0 to 3 vec_width 16 after %2 parent_blocks [[0, 1, 1]]
    %4 = pim.alu "pool1" pool cnt 0 to 3 vec_width 4 after %3
  }
}
