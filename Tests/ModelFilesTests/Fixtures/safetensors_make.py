#!/usr/bin/env python3
"""Generates the safetensors interop fixtures used by SafetensorsTests.swift.

Run from this folder with the dev venv (safetensors 0.8.0, numpy 2.4.6):
    /opt/psref/bin/python safetensors_make.py

Outputs:
  safetensors_mixed.safetensors      F32, F16, F64 (scalar), U8, I32 and an empty F32 tensor, plus metadata.
  safetensors_reference.safetensors  what SafeTensorsWriter must reproduce byte for byte (F32 and U8 tensors,
                                     one metadata key, since the reference writer's metadata order is a hash
                                     map's order when there are several keys).
"""
import numpy as np
from safetensors.numpy import save_file

mixed = {
    "weight": np.array([[0.0, 1.5, -2.25], [1e-3, 65504.0, -0.0]], dtype=np.float32),
    "half": np.array([1.0, -0.5, 65504.0, 2.0**-14, 2.0**-24, 1.0 / 3.0, -np.inf], dtype=np.float16),
    "scalar": np.array(0.1, dtype=np.float64),
    "mask": np.array([[0, 1], [254, 255]], dtype=np.uint8),
    "index": np.array([-2147483648, 0, 2147483647], dtype=np.int32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
save_file(mixed, "safetensors_mixed.safetensors",
          metadata={"format": "np", "producer": "safetensors_make.py", "note": "ünïcode ✓ \"quoted\"\n"})

reference = {
    "weight": np.array([[1.0, -2.0, 0.5], [3.25, -0.0, 1e-7]], dtype=np.float32),
    "bias": np.array([0.125, -1e30], dtype=np.float32),
    "labels": np.array([7, 0, 255, 1, 2], dtype=np.uint8),
}
save_file(reference, "safetensors_reference.safetensors", metadata={"format": "pt/np \"x\" é\t\u0001"})
