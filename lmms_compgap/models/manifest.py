"""The `lmms_eval.models` entry point: kept import-light, lmms-eval loads it on every run."""

from lmms_eval.models.registry_v2 import ModelManifest

# One class serves simple and chat inner models: it sets `is_simple` per instance from its inner
# model, so the class is registered as simple (the registry checks the class attribute).
MANIFEST = ModelManifest(
    model_id="compgap_cascade",
    simple_class_path="lmms_compgap.models.cascade.CompgapCascade",
)
