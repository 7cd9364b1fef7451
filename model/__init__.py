"""The cost model: wages, loaded costs, location tiers and tier benchmarks, as pure functions over polars frames."""
