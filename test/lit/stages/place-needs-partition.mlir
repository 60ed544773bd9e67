// place needs the macro count of every conv/FC layer (partition); without it, it fails
// with one line naming the stage to run first, and exit code 2 (a stage error).
// RUN: not pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},place' 2>&1 | filecheck %s
// RUN: %python -c "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], capture_output=True).returncode != 2)" pimsyn-opt %S/../Inputs/tiny-net.mlir -p 'duplicate{strategy=uniform total-power=2.0 ratio=0.3 xbar=128 cell-res=2},place'
// CHECK:     {{^}}pimsyn-opt: error: place: layer 'conv1' has no macros; run 'partition' first{{$}}
// CHECK-NOT: {{.}}
