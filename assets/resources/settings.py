"""Resources whose deployment settings and run config merge field by field."""

from __future__ import annotations

from dagster import ConfigurableResource, Field, Shape
from dagster._core.definitions.definition_config_schema import DefinitionConfigSchema


class MergedSettings(ConfigurableResource):
    """A resource whose values given where it is defined (the environment's settings, as EnvVars) stay the default of
    each field on its own.

    Dagster makes those values one default for the resource's whole config, which run config for any single field
    replaces: `--config-json` setting only `page_delay_s` silently put the source mode and the quotes folder back to
    the class defaults. Here each given value is the default of its own field, so run config overrides what it names
    and nothing else. (Dagster has no public hook for this; tests/pipeline/test_settings.py fails if it changes.)"""

    @property
    def _config_schema(self) -> DefinitionConfigSchema:
        whole = super()._config_schema.as_field()
        shape = whole.config_type
        given = self._resolved_config_dict
        fields = {
            name: Field(field.config_type, default_value=given[name], is_required=False, description=field.description)
            if name in given
            else field
            for name, field in shape.fields.items()
        }
        return DefinitionConfigSchema(
            Field(
                Shape(fields, description=shape.description),
                default_value=whole.default_value,
                is_required=False,
                description=whole.description,
            )
        )
