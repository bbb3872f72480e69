"""The composition core: task families, settings, data files and the cascade envelope."""
