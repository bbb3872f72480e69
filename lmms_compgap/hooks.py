"""The hook functions under their first module name, for task trees generated before they moved to
`lmms_compgap.tasks.hooks` (a family of another package regenerates its tree with `compgap tasks build --family`)."""

from lmms_compgap.tasks.hooks import (
    aggregate_sum,
    cascade_text,
    cot_text,
    dataset_docs,
    direct_text,
    doc_to_intermediate,
    doc_to_target,
    doc_to_visual,
    language_text,
    no_visual,
    process_cascade,
    process_cot,
    process_direct,
    process_language,
    process_vision,
    verified_docs,
    vision_text,
)

__all__ = [
    "aggregate_sum",
    "cascade_text",
    "cot_text",
    "dataset_docs",
    "direct_text",
    "doc_to_intermediate",
    "doc_to_target",
    "doc_to_visual",
    "language_text",
    "no_visual",
    "process_cascade",
    "process_cot",
    "process_direct",
    "process_language",
    "process_vision",
    "verified_docs",
    "vision_text",
]
