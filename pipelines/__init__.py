"""The Dagster code location: definitions, resources, jobs and schedules."""
