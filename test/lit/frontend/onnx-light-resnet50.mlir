// The real ONNX Model Zoo ResNet-50 shipped in the onnx package (weights stripped).
// RUN: pimsyn import %onnx_light/light_resnet50.onnx | filecheck %s
// CHECK: pim.input "gpu_0/data_0" : tensor<1x3x224x224xi16>
// CHECK-COUNT-53: pim.conv
// CHECK: pim.fc {{.*}} in 2048 out 1000
