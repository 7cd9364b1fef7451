"""scripts/noop_floor.py builds the pipeline's own graph with bodies that do nothing: same assets, dependencies,
groups and checks (so the floor it measures cannot drift from the pipeline), and it runs."""

from dagster import AssetChecksDefinition, AssetKey, materialize

from pipelines.definitions import defs as real
from scripts.noop_floor import noop_definitions

NOOP = noop_definitions(real)


def shape(definitions):
    graph = definitions.resolve_asset_graph()
    assets = {
        key: (sorted(graph.get(key).parent_keys), graph.get(key).group_name) for key in graph.get_all_asset_keys()
    }
    checks = {key: graph.get_check_spec(key).blocking for key in graph.asset_check_keys}
    ops = sorted(node.node_def.name for node in definitions.assets)
    inputs = {
        node.node_def.name: node.keys_by_input_name
        for node in definitions.assets
        if not isinstance(node, AssetChecksDefinition)
    }
    return assets, checks, ops, inputs


def test_the_noop_graph_has_the_pipelines_assets_dependencies_groups_checks_and_ops():
    assets, checks, ops, inputs = shape(NOOP)
    real_assets, real_checks, real_ops, real_inputs = shape(real)
    assert assets == real_assets
    assert checks == real_checks
    assert ops == real_ops
    assert inputs == real_inputs and any(inputs.values()), "the inputs Dagster loads are part of the floor"
    assert len(checks) > 0 and any(checks.values()), "blocking checks are part of the floor"
    assert NOOP.executor is real.executor


def test_the_noop_graph_materializes_everything_and_passes_every_check():
    result = materialize(NOOP.assets, resources=NOOP.resources, raise_on_error=True)
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert materialized == set(NOOP.resolve_asset_graph().get_all_asset_keys())
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(list(NOOP.resolve_asset_graph().asset_check_keys))
    assert all(evaluation.passed for evaluation in evaluations)
    assert AssetKey("location_function_costs") in materialized
