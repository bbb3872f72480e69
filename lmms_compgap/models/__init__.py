"""Models lmms-compgap registers into lmms-eval (through the `lmms_eval.models` entry point)."""
