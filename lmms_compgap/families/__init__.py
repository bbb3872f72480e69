"""The task families shipped with lmms-compgap, one subpackage each (exposing its `FAMILY`), found by
`lmms_compgap.core.registry`: adding a folder here adds a family (docs/adding_a_family.md)."""
