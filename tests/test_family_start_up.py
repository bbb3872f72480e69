"""The "start-up check" rows of docs/models.md: the real wrapper loads the declared class and answers batched probes.

Cheaper than tests/test_e2e_families.py (no lmms-eval process, no task): each row's tiny checkpoint
is built once, in a folder named as the row says (lmms-eval's `glm4v` and `qwen3_vl` read the class
from the name), and `compgap_cascade` builds the row's wrapper at the row's batch size and runs its
start-up check: the class check, two image requests in one call and two text-only requests in another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.checkpoint import loaded_models
from tests.fixtures.families import START_UP_RUNS, FamilyRun
from tests.fixtures.tiny_models import BUILDERS


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("start-up-models")


@pytest.mark.parametrize("run", START_UP_RUNS, ids=[run.id for run in START_UP_RUNS])
def test_family_wrapper_loads_the_declared_class_and_passes_the_start_up_check(
    run: FamilyRun, model_root: Path
) -> None:
    folder = model_root / run.folder_name
    if not folder.exists():
        BUILDERS[run.tiny](folder)
    arguments = dict(pair.split("=", 1) for pair in run.model_args.split(","))
    model = CompgapCascade(inner=run.inner, pretrained=str(folder), batch_size=run.batch_size, device="cpu",
                           **arguments)  # fmt: skip
    assert [type(loaded).__name__ for loaded in loaded_models(model.inner)] == [run.transformers_class]
    assert model.inner.batch_size == run.batch_size
