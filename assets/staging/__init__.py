"""Staging layer: each source's files parsed into typed, keyed, validated tables (one module per source)."""
