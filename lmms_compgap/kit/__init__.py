"""The family kit: `compgap new-family` writes a working skeleton family to start from (docs/adding_a_family.md);
`compgap tasks build` (in `lmms_compgap.tasks`) then writes its task YAMLs and data from its declaration."""
