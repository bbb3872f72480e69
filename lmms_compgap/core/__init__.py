"""The composition core, shared by every family: what a family declares and the registry that finds the families,
the settings and cascade envelopes, the scorer, data files and the task YAMLs generated from the declarations."""
