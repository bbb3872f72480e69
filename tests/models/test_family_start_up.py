"""The "start-up check" rows of docs/models.md: the real wrapper loads the declared class and answers batched probes.

Cheaper than tests/models/test_e2e_families.py (no lmms-eval process, no task): each row's tiny checkpoint
is built once, in a folder named as the row says (lmms-eval's `glm4v` and `qwen3_vl` read the class
from the name), and `compgap_cascade` builds the row's wrapper at the row's batch size and runs its
start-up check: the class check, two image requests in one call and two text-only requests in another.
Rows of a family or wrapper that cannot run the cascade must stop instead, with the row's message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lmms_eval.utils import simple_parse_args_string

from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.checkpoint import loaded_models
from lmms_compgap.models.stop import RunStopped
from tests.fixtures.families import START_UP_RUNS, FamilyRun
from tests.fixtures.tiny_models import BUILDERS

PASSING = tuple(run for run in START_UP_RUNS if not run.stops)
STOPPING = tuple(run for run in START_UP_RUNS if run.stops)


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("start-up-models")


def _cascade(run: FamilyRun, model_root: Path) -> CompgapCascade:
    """`compgap_cascade` over the row's wrapper and tiny checkpoint (built once per module)."""
    folder = model_root / run.folder_name
    if not folder.exists():
        BUILDERS[run.tiny](folder)
    arguments = simple_parse_args_string(run.model_args)  # as lmms-eval parses --model_args: "70" is a number
    return CompgapCascade(inner=run.inner, pretrained=str(folder), batch_size=run.batch_size, device="cpu", **arguments)


@pytest.mark.parametrize("run", PASSING, ids=[run.id for run in PASSING])
def test_family_wrapper_loads_the_declared_class_and_passes_the_start_up_check(
    run: FamilyRun, model_root: Path
) -> None:
    model = _cascade(run, model_root)
    assert [type(loaded).__name__ for loaded in loaded_models(model.inner)] == [run.transformers_class]
    assert model.inner.batch_size == run.batch_size


@pytest.mark.parametrize("run", STOPPING, ids=[run.id for run in STOPPING])
def test_family_that_cannot_run_the_cascade_stops_at_start_up_with_the_reason(run: FamilyRun, model_root: Path) -> None:
    with pytest.raises(RunStopped) as stopped:
        _cascade(run, model_root)
    assert run.stops in stopped.value.message
