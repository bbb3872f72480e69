"""The composition-task kit: `compgap tasks build` (a family's task YAMLs and data from its declaration) and
`compgap new-family` (a working skeleton family to start from); see docs/adding_a_family.md."""
