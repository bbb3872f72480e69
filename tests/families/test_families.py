"""Every registered task family keeps the kit's contract, whatever it is made of: deterministic distinct items,
pictures drawn from rows alone, problem signatures that keep training data off the test problems, prompts and
scores that round-trip through the hooks in every setting, task YAMLs that lmms-eval registers, current task files,
and an independent data check that agrees with the pictures and catches wrong labels. Parametrized over the
registry, so a new family (built in or from another package's entry point) is walked without a line changed here
(`-k <family>` runs one)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.core import data as data_files
from lmms_compgap.core.family import TaskFamily, canonical_json
from lmms_compgap.core.registry import family_names, generated_family_names, get_family
from lmms_compgap.core.results import setting_metrics
from lmms_compgap.core.settings import SETTINGS, CascadeResponse, decode_cascade_request
from lmms_compgap.tasks import hooks, writer
from tests.helpers import generated_task_metadata

#: The generated families (the ones built from public datasets need the datasets: tests/families/test_public_datasets.py
#: runs them over stand-ins in the datasets' formats).
NAMES = generated_family_names()
#: Rows of the canonical split the slower checks (drawing, the data check) look at.
SAMPLE = 6
ROW_COLUMNS = {"uid", "family", "index", "question", "answer", "intermediate", "attributes", "spec"}
#: How to tell that a tool a data check declares is installed.
TOOL_PRESENT = {
    "tesseract": lambda: shutil.which("tesseract") is not None,
    "opencv": lambda: importlib.util.find_spec("cv2") is not None,
    "pocketsphinx": lambda: importlib.util.find_spec("pocketsphinx") is not None,
}


class _Dataset:
    """What `process_docs` is handed: an object with `to_list()` (a `datasets.Dataset` in lmms-eval)."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def to_list(self) -> list[dict[str, Any]]:
        return self.rows


def _other(rows: tuple[dict[str, Any], ...], row: dict[str, Any]) -> dict[str, Any]:
    """The first other row with a different answer and intermediate: its labels are wrong for `row`."""
    return next(o for o in rows if o["answer"] != row["answer"] and o["intermediate"] != row["intermediate"])


@pytest.mark.parametrize("name", NAMES)
def test_generation_is_deterministic_and_its_rows_have_the_data_schema(name: str) -> None:
    family = get_family(name)
    rows = family.generate(seed=7, size=40)
    assert rows == family.generate(seed=7, size=40)
    assert rows != family.generate(seed=8, size=40)
    assert len({(row["question"], row["intermediate"]) for row in rows}) == len(rows)
    for index, row in enumerate(rows):
        assert set(row) == ROW_COLUMNS
        assert row["uid"] == f"{name}-v{family.data_version}-{index:05d}" and row["family"] == name
        assert row["answer"].strip() and row["intermediate"].strip(), row["uid"]
        for column in ("attributes", "spec"):
            assert canonical_json(json.loads(row[column])) == row[column], (row["uid"], column)
    canonical = family.canonical_rows()
    assert len(canonical) == family.canonical_size and canonical[:3] == tuple(family.generate()[:3])


@pytest.mark.parametrize("name", NAMES)
def test_problem_signatures_are_canonical_json_and_keep_training_data_off_the_test_problems(name: str) -> None:
    """A signature is one text per problem (canonical JSON, the same for the same item), and a small training
    split holds no test item's signature (`core.splits`; tests/core/test_problem_signatures.py has the properties)."""
    from lmms_compgap.core.splits import build_split, canonical_signatures

    family = get_family(name)
    for item in family.generate_items(seed=7, size=20):
        signature = family.problem_signature(item)
        assert signature == canonical_json(json.loads(signature)) == family.problem_signature(item)
    train = build_split(family, "train", 30, seed=11)
    assert not {family.problem_signature(item) for item in train.items} & canonical_signatures(family).keys()


@pytest.mark.parametrize("name", NAMES)
def test_pictures_are_drawn_from_the_row_alone(name: str) -> None:
    family = get_family(name)
    for row in family.canonical_rows()[:SAMPLE]:
        first, again = family.draw_row(row), family.draw_row(json.loads(json.dumps(row)))
        assert first.mode == "RGB" and first.size == again.size and first.tobytes() == again.tobytes()
        (visual,) = hooks.doc_to_visual(row)
        if family.medium == "audio":  # requests carry the clip (the picture is of it, for people)
            clip = family.speak_row(json.loads(json.dumps(row)))
            assert visual["sampling_rate"] == family.sample_rate and visual["type"] == "audio"
            assert (visual["array"] * 32768).astype("<i2").tobytes() == clip.tobytes()
        else:
            assert visual.tobytes() == first.tobytes()
        assert hooks.no_visual(row) == []


@pytest.mark.parametrize("name", NAMES)
def test_prompts_are_filled_and_the_cascade_carries_both_steps(name: str) -> None:
    family = get_family(name)
    kwargs = {**family.prompts.as_kwargs(), "cascade_runner": True}
    for row in family.canonical_rows()[:SAMPLE]:
        texts = {
            "direct": hooks.direct_text(row, kwargs),
            "cot": hooks.cot_text(row, kwargs),
            "vision": hooks.vision_text(row, kwargs),
            "language": hooks.language_text(row, kwargs),
        }
        assert all("{" + field + "}" not in text for text in texts.values() for field in ("question", "answer_format"))
        assert row["intermediate"] in texts["language"] and kwargs["answer_format"] in texts["language"]
        assert row["intermediate"] not in texts["direct"]  # the direct setting must see the picture, not the answer key
        request = decode_cascade_request(hooks.cascade_text(row, kwargs))
        assert request is not None and request.step1_prompt == texts["vision"]
        assert request.step2_template == family.prompts.textual_prompt
        with pytest.raises(hooks.CascadeModelRequired):
            hooks.cascade_text(row, family.prompts.as_kwargs())


@pytest.mark.parametrize("name", NAMES)
def test_gold_responses_score_right_and_wrong_ones_wrong_in_every_setting(name: str) -> None:
    family = get_family(name)
    rows = family.canonical_rows()
    graded = family.intermediate_metric.name
    for row in rows[:SAMPLE]:
        gold, wrong = f"Answer: {row['answer']}", f"Answer: {_other(rows, row)['answer']}"
        for process in (hooks.process_direct, hooks.process_cot, hooks.process_language):
            right = process(row, [gold])
            assert (right["accuracy"], right["strict_accuracy"], right["failed_calls"]) == (1, 1, 0), row["uid"]
            assert right["compgap"]["family"] == name and right["compgap"]["uid"] == row["uid"]
            assert process(row, [wrong])["accuracy"] == 0, row["uid"]
            assert process(row, [""])["failed_calls"] == 1
        vision = hooks.process_vision(row, [row["intermediate"]])
        assert (vision["exact_match"], vision["usable"], vision["failed_calls"]) == (1, 1, 0), row["uid"]
        assert graded in vision and set(vision) - {"compgap"} == {m.name for m in setting_metrics(family, "vision")}
        assert hooks.process_vision(row, [_other(rows, row)["intermediate"]])["exact_match"] == 0
        cascade = hooks.process_cascade(row, [CascadeResponse(row["intermediate"], gold).encode()])
        assert (cascade["accuracy"], cascade["step1_usable"], cascade["failed_calls"]) == (1, 1, 0), row["uid"]
        assert set(cascade) - {"compgap"} == {m.name for m in setting_metrics(family, "cascade")}
        assert hooks.process_cascade(row, [CascadeResponse(row["intermediate"], wrong).encode()])["accuracy"] == 0
    assert hooks.doc_to_target(rows[0]) == rows[0]["answer"]
    assert hooks.doc_to_intermediate(rows[0]) == rows[0]["intermediate"]


@pytest.mark.parametrize("name", NAMES)
def test_process_docs_accepts_the_canonical_rows_and_refuses_an_edited_one(name: str) -> None:
    family = get_family(name)
    rows = [dict(row) for row in family.canonical_rows()]
    dataset = _Dataset(rows)
    assert hooks.verified_docs(dataset) is dataset
    rows[1]["answer"] = _other(family.canonical_rows(), rows[1])["answer"]
    with pytest.raises(hooks.DataRefused, match=rf"item 1 \({name}-v{family.data_version}-00001\).*answer"):
        hooks.verified_docs(dataset)


@pytest.mark.parametrize("name", NAMES)
def test_generated_task_yamls_register_with_lmms_eval(name: str, tmp_path: Path) -> None:
    from lmms_eval.tasks import TaskManager
    from lmms_eval.utils import load_yaml_config

    family = get_family(name)
    writer.write(tmp_path, writer.tree_files([family], groups=False))
    manager = TaskManager("ERROR", include_path=str(tmp_path), include_defaults=False)
    tasks = {f"compgap_{name}_{setting}" for setting in SETTINGS}
    assert tasks <= set(manager.all_subtasks) and f"compgap_{name}" in manager.all_groups
    fingerprint = data_files.fingerprint_bytes(data_files.data_path(name, tmp_path).read_bytes())
    for setting in SETTINGS:
        config = load_yaml_config(str(tmp_path / name / f"compgap_{name}_{setting}.yaml"))
        assert config["metadata"] == generated_task_metadata(family, fingerprint)
        assert [m["metric"] for m in config["metric_list"]] == [m.name for m in setting_metrics(family, setting)]
        assert config["lmms_eval_specific_kwargs"]["default"] == family.prompts.as_kwargs()


@pytest.mark.parametrize("name", NAMES)
def test_the_familys_task_files_are_current_and_its_data_file_intact(name: str) -> None:
    family = get_family(name)
    root = family.task_root()
    comparison = writer.compare(root, writer.tree_files([family], groups=False), whole_tree=False)
    assert comparison.current, f"stale under {root}: {comparison}; run `compgap tasks build --family {name}`"
    assert family.verify_data_file() == data_files.fingerprint_bytes(data_files.data_path(name, root).read_bytes())


def _data_check_runs(family: TaskFamily) -> None:
    if family.data_check is None:
        pytest.skip(f"the {family.name} family declares no data check")
    missing = [tool for tool in family.data_check.tools if not TOOL_PRESENT.get(tool, lambda: True)()]
    if missing:
        pytest.skip(f"the {family.name} data check needs {', '.join(missing)}, not installed here")


@pytest.mark.parametrize("name", NAMES)
def test_data_check_agrees_with_the_pictures_and_catches_swapped_labels(name: str) -> None:
    family = get_family(name)
    _data_check_runs(family)
    rows = list(family.canonical_rows()[:SAMPLE])
    checks = family.check_items(rows)
    assert [check.uid for check in checks] == [row["uid"] for row in rows]
    # At least the share the family passes with (every item, for a family whose tools read all of its data right).
    agreement = 100 * sum(check.agrees for check in checks) / len(checks)
    assert agreement >= family.data_check.threshold, [check.note for check in checks if not check.agrees]
    swapped = [
        {**row, "intermediate": other["intermediate"], "answer": other["answer"]}
        for row, other in zip(rows, rows[1:] + rows[:1], strict=True)
    ]
    assert not any(check.agrees for check in family.check_items(swapped))


@pytest.mark.parametrize("name", family_names())  # every family, the ones built from datasets too
def test_the_family_has_a_task_card_whose_links_and_pictures_exist(name: str) -> None:
    package = Path(sys.modules[type(get_family(name)).__module__].__file__).parent
    card = package / "README.md"
    text = card.read_text(encoding="utf-8")
    assert f"compgap_{name}" in text, f"{card} must name the family's tasks"
    local = [target for target in re.findall(r"\]\(([^)#\s]+)", text) if "://" not in target]
    assert [target for target in local if not (package / target).exists()] == [], card
