// A compact design: the tiny network of test/unit/test_compact_synth.py (conv1 3->64, pool1,
// conv2 64->128, conv3 128->256, pool2, fc 4096->10 at 16x16) on 3 ISAAC macros (0.8 mm²),
// written by `pimsyn synth tiny.json --area-mm2 0.8` with pim.hardware and pim.search dropped.
builtin.module @tiny attributes {pim.metrics = {feasible = 1.000000e+00 : f64, batch = 1.600000e+01 : f64, parts = 3.000000e+00 : f64, throughput_inferences_per_s = 10938.793208281249 : f64, latency_ns = 1462684.2006563528 : f64, compute_ns = 1.437400e+06 : f64, reload_ns = 25284.200656352557 : f64, activation_ns = 0.000000e+00 : f64, energy_per_inference_nj = 95435.07825758963 : f64, power_efficiency_gops_per_w = 504.55845878840245 : f64, tops_per_w = 0.50455845878840244 : f64, average_power_w = 1.0439445858759109 : f64, dram_energy_share = 0.26654296558913776 : f64, reloads_per_inference = 1.875000e-01 : f64, area_mm2 = 0.73553712000000004 : f64, area_efficiency_gops_per_mm2 = 716.11759214823394 : f64, ops_per_inference = 0x4186F60000000000 : f64, energy_compute_dynamic_nj = 830380.15508480009 : f64, energy_chip_static_nj = 289580.31655648386 : f64, energy_dram_transfer_nj = 50105.835520000008 : f64, energy_dram_background_nj = 356894.94496015005 : f64, dram_weights_read_bytes = 0x413C000000000000 : f64, dram_activations_read_bytes = 6.144000e+05 : f64, dram_activations_written_bytes = 3.935360e+05 : f64}} {
  %data = pim.input "data" : tensor<1x3x16x16xi16>
  %conv1 = pim.conv %data "conv1" kernel [3, 3] pads [1, 1, 1, 1] in 3 out 64 activation relu : tensor<1x3x16x16xi16> -> tensor<1x64x16x16xi16>
  %pool1 = pim.pool %conv1 "pool1" max kernel [2, 2] stride [2, 2] : tensor<1x64x16x16xi16> -> tensor<1x64x8x8xi16>
  %conv2 = pim.conv %pool1 "conv2" kernel [3, 3] pads [1, 1, 1, 1] in 64 out 128 activation relu : tensor<1x64x8x8xi16> -> tensor<1x128x8x8xi16>
  %conv3 = pim.conv %conv2 "conv3" kernel [3, 3] pads [1, 1, 1, 1] in 128 out 256 activation relu : tensor<1x128x8x8xi16> -> tensor<1x256x8x8xi16>
  %pool2 = pim.pool %conv3 "pool2" max kernel [2, 2] stride [2, 2] : tensor<1x256x8x8xi16> -> tensor<1x256x4x4xi16>
  %fc = pim.fc %pool2 "fc" in 4096 out 10 : tensor<1x256x4x4xi16> -> tensor<1x10xi16>
  pim.compact "isaac" macros 3 macro_crossbars 96 xbar 128 cell_res 2 dac_res 1 adc_res 8 macro_area_mm2 0.24517904000000001 dram lpddr5 batch 16 area_limit_mm2 0.8 {
    pim.part 0 layers ["conv1", "pool1", "conv2"] duplication ddm cycles_ddm 5910.0 cycles_sa 7805.0 {
      pim.resident "conv1" rows [0, 1] cols [0, 1] crossbars 8 dup 12 ddm 12 sa 9 macros 1
      pim.resident "conv2" rows [0, 5] cols [0, 1] crossbars 40 dup 4 ddm 4 sa 3 macros 2
      pim.dram_load "conv1" weights bytes 32768
      pim.dram_load "conv2" weights bytes 163840
      pim.dram_load "data" activations bytes 13824 into "conv1"
      pim.dram_store "conv2" activations bytes 16384
    }
    pim.part 1 layers ["conv3", "pool2"] duplication ddm cycles_ddm 8208.0 cycles_sa 8208.0 {
      pim.resident "conv3" rows [0, 9] cols [0, 2] crossbars 144 dup 2 ddm 2 sa 2 macros 3
      pim.dram_load "conv3" weights bytes 589824
      pim.dram_load "conv2" activations bytes 16384 from 0 into "conv3"
      pim.dram_store "pool2" activations bytes 8192
    }
    pim.part 2 layers ["fc"] duplication ddm cycles_ddm 256.0 cycles_sa 256.0 overlap {
      pim.resident "fc" rows [0, 32] cols [0, 1] crossbars 256 dup 1 ddm 1 sa 1 macros 3
      pim.dram_load "fc" weights bytes 1048576
      pim.dram_load "pool2" activations bytes 8192 from 1 into "fc"
      pim.dram_store "fc" activations bytes 20
    }
    pim.batch_point 1 throughput 7008.484439061671 latency_ns 142684.20065635256 energy_nj 147825.30776943386 tops_per_w 0.32573973108247845 dram_share 0.45782495934802286 reloads 3.0 gops_per_mm2 458.81651710077455 throughput_ddm 7008.484439061671 throughput_sa 6090.720032757965
    pim.batch_point 2 throughput 8669.861196863567 latency_ns 230684.20065635256 energy_nj 119883.68341111693 tops_per_w 0.40166079844969765 dram_share 0.3766120906148955 reloads 1.5 gops_per_mm2 567.5799886094449 throughput_ddm 8669.861196863567 throughput_sa 7593.4699006850315
    pim.batch_point 4 throughput 9835.64149663142 latency_ns 406684.2006563525 energy_nj 105912.87123195847 tops_per_w 0.4546432878261003 dram_share 0.3199366498697358 reloads 0.75 gops_per_mm2 643.898807819921 throughput_ddm 9835.64149663142 throughput_sa 8662.054687697497
    pim.batch_point 8 throughput 10544.571763955337 latency_ns 758684.2006563526 energy_nj 98927.46514237924 tops_per_w 0.4867462835593476 dram_share 0.28559603179315074 reloads 0.375 gops_per_mm2 690.309543114987 throughput_ddm 10544.571763955337 throughput_sa 9317.665051237056
    pim.batch_point 16 throughput 10938.79320828125 latency_ns 1462684.2006563528 energy_nj 95435.07825758963 tops_per_w 0.5045584587884024 dram_share 0.26654296558913776 reloads 0.1875 gops_per_mm2 716.1175921482339 throughput_ddm 10938.79320828125 throughput_sa 9684.150225891146
    pim.batch_point 32 throughput 11147.168327565789 latency_ns 2870684.200656352 energy_nj 93688.72673519481 tops_per_w 0.5139633942950274 dram_share 0.2564825052850017 reloads 0.09375 gops_per_mm2 729.7590501998112 throughput_ddm 11147.168327565789 throughput_sa 9878.420717590794
    pim.batch_point 64 throughput 11254.361547386994 latency_ns 5686684.200656353 energy_nj 92815.55097399742 tops_per_w 0.5187985794911685 dram_share 0.2513103072731536 reloads 0.046875 gops_per_mm2 736.776547378098 throughput_ddm 11254.361547386994 throughput_sa 9978.508474521263
  }
}
