"""The written contract of each table: one pandera.polars model per table, with keys, types, ranges and nullability."""
