// Values that disagree: a conv's input_channel that its provider does not give, then a
// bool where an integer is expected. One line naming node and field, exit 2.
// RUN: echo '[{"name": "x", "operation": "OP_INPUT", "output_dim": [1, 3, 4, 4], "consumer": ["c"]}, {"name": "c", "operation": "OP_CONV", "output_dim": [1, 8, 4, 4], "param": {"kernel_h": 1, "kernel_w": 1, "input_channel": 5, "output_channel": 8}, "provider": ["x"]}]' > %t.json
// RUN: not pimsyn import %t.json 2>&1 | filecheck %s --check-prefix=CHANNELS
// CHANNELS: error: {{.*}}node 'c': param 'input_channel' is 5 but provider 'x' has 3 output channels
// CHANNELS-NOT: Traceback
// RUN: sed -e 's/"output_channel": 8/"output_channel": true/' %t.json > %t.bool.json
// RUN: not pimsyn layers %t.bool.json 2>&1 | filecheck %s --check-prefix=BOOL
// BOOL: error: {{.*}}node 'c': param 'output_channel' must be an integer, got true
// BOOL-NOT: Traceback
