"""Every family's YAMLs and data file have the same shape: only what is particular to a family differs."""

from __future__ import annotations

import pytest

from lmms_compgap.core.data import data_path, fingerprint_bytes, verify_file
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.tasks import FAMILIES, get_family
from tests.conftest import REPO, load_task_yaml

FAMILY_NAMES = sorted(FAMILIES)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_data_file_is_intact_and_its_fingerprint_is_in_the_template(name: str) -> None:
    fingerprint = verify_file(get_family(name))
    assert fingerprint == fingerprint_bytes(data_path(name).read_bytes())
    template = load_task_yaml(name, f"_{name}_template_yaml")
    assert template["metadata"] == {
        "version": template["metadata"]["version"],
        "family": name,
        "data_version": get_family(name).data_version,
        "data_fingerprint": fingerprint,
    }


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_only_the_cascade_model_may_run_the_cascade_and_it_sees_the_same_prompts(name: str) -> None:
    prompts = load_task_yaml(name, f"_{name}_template_yaml")["lmms_eval_specific_kwargs"]
    assert prompts["compgap_cascade"] == {**prompts["default"], "cascade_runner": True}
    needed = {"answer_format", "direct_prompt", "cot_prompt", "visual_prompt", "textual_prompt"}
    assert needed <= set(prompts["default"])


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_setting_yamls_are_mathtexts_with_the_family_name_and_intermediate_metric(name: str) -> None:
    family = get_family(name)
    group = load_task_yaml(name, f"compgap_{name}.yaml")
    assert group["group"] == f"compgap_{name}" and group["task"] == [f"compgap_{name}_{s}" for s in SETTINGS]
    for setting in SETTINGS:
        ours = (REPO / "task_yamls" / name / f"compgap_{name}_{setting}.yaml").read_text()
        reference = (REPO / "task_yamls" / "mathtext" / f"compgap_mathtext_{setting}.yaml").read_text()
        reference = reference.replace("mathtext", name)
        if setting == "vision" and name != "mathtext":
            reference = reference.replace(
                "{metric: cer, aggregation: mean, higher_is_better: false}",
                f"{{metric: {family.intermediate_metric}, aggregation: mean, higher_is_better: true}}",
            )
        assert ours == reference, f"compgap_{name}_{setting}.yaml"
        config = load_task_yaml(name, f"compgap_{name}_{setting}.yaml")
        assert config["dataset_kwargs"]["data_files"]["test"] == "data/test.jsonl"
    vision = load_task_yaml(name, f"compgap_{name}_vision.yaml")
    assert [m["metric"] for m in vision["metric_list"]] == [
        "exact_match",
        family.intermediate_metric,
        "usable",
        "failed_calls",
    ]


def test_the_compgap_group_holds_every_family() -> None:
    group = load_task_yaml(None, "compgap.yaml")
    assert group["group"] == "compgap" and sorted(group["task"]) == [f"compgap_{name}" for name in FAMILY_NAMES]
