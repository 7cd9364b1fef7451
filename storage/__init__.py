"""Where the pipeline keeps its files: the append-only raw zone and the layered Parquet tables.

Paths go through universal-pathlib, so the warehouse root may be a local folder or an fsspec URI such as s3://bucket/bpo.
"""
