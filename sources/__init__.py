"""Clients and parsers for the public sources, with no knowledge of Dagster.

Each module fetches one publisher's files over HTTP and turns their raw bytes into polars frames in a common
shape; validation and storage belong to the asset layer.
"""
