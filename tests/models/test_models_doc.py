"""docs/models.md is the rendering of the family matrix the end-to-end tests run, never edited by hand."""

from __future__ import annotations

from lmms_compgap.models.startup import SINGLE_REQUEST_WRAPPERS
from tests.fixtures.families import FAMILY_RUNS, MODELS_DOC, render


def test_models_doc_is_generated_from_the_family_matrix() -> None:
    assert MODELS_DOC.read_text(encoding="utf-8") == render(), "run `python tests/fixtures/families.py`"


def test_the_matrix_runs_single_request_wrappers_at_batch_size_1_and_every_family_batched() -> None:
    for run in FAMILY_RUNS:
        assert (run.batch_size == 1) == (run.inner in SINGLE_REQUEST_WRAPPERS), run
    batched = {run.family for run in FAMILY_RUNS if run.batch_size > 1}
    assert batched == {run.family for run in FAMILY_RUNS}, "every family must have a batched row"
