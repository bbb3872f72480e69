"""lmms-compgap: the cross-modality skill composition gap, as lmms-eval tasks."""

__version__ = "0.1.0"
