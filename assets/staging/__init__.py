"""Staging layer: each source's files parsed into typed, keyed, validated tables, one module per source.

Every module of this package that defines `definitions` is part of the layer: a new source's module needs no
registration anywhere else."""

from __future__ import annotations

import importlib
import pkgutil

from dagster import AssetsDefinition

from assets.staging.raw_sources import raw_sources_table


def staging_definitions(raw_assets: list[AssetsDefinition]) -> list:
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return [
        *(definition for module in modules for definition in getattr(module, "definitions", [])),
        *raw_sources_table(raw_assets),
    ]
