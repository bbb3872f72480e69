"""The `lmms_eval.models` entry point: kept import-light, lmms-eval loads it on every run."""

from lmms_eval.models.registry_v2 import ModelManifest

MANIFEST = [
    # One class serves simple and chat inner models: it sets `is_simple` per instance from its
    # inner model, so the class is registered as simple (the registry checks the class attribute).
    ModelManifest(model_id="compgap_cascade", simple_class_path="lmms_compgap.models.cascade.CompgapCascade"),
    ModelManifest(model_id="compgap_instant", simple_class_path="lmms_compgap.models.instant.CompgapInstant"),
    # Any transformers image-text-to-text checkpoint, batched (lmms-eval 0.7.3 has no working generic one).
    ModelManifest(model_id="compgap_hf", chat_class_path="lmms_compgap.models.hf.CompgapHF"),
]
