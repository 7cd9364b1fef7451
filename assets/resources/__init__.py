"""Dagster resources: where the warehouse is, how sources are reached, the reference files, and the IO managers that
hand each asset the tables and raw files it declares as inputs."""

from assets.resources.access import BUNDLED_SAMPLE, PROJECT, SourceAccess
from assets.resources.io_managers import PublishedTables, RawFiles, StagingTables
from assets.resources.reference import ReferenceFiles
from assets.resources.warehouse import Warehouse

__all__ = [
    "BUNDLED_SAMPLE",
    "PROJECT",
    "PublishedTables",
    "RawFiles",
    "ReferenceFiles",
    "SourceAccess",
    "StagingTables",
    "Warehouse",
]
