"""Dagster asset definitions, one sub-package per layer: raw -> staging -> benchmarks -> publish."""
