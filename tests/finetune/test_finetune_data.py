"""Training data: splits disjoint from the test split, targets our own scorers accept, the export files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_compgap import cli
from lmms_compgap.core.data import DataIntegrityError, fingerprint_rows
from lmms_compgap.core.registry import families, generated_family_names, get_family, picture_family_names
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.core.results import score_response
from lmms_compgap.core.splits import (
    DEFAULT_SEEDS,
    assert_disjoint,
    build_split,
    canonical_signatures,
    shared_items,
    signature_split,
)
from lmms_compgap.finetune.export import ExportError, export_fingerprint, export_split, read_manifest
from lmms_compgap.finetune.targets import (
    KIND_SETTINGS,
    STYLES,
    TaskPrompts,
    assign_styles,
    examples_for,
    parse_style_mix,
)
from lmms_compgap.tasks import hooks
from tests.helpers import load_task_yaml

CANONICAL_SEEDS = sorted({family.canonical_seed for family in families().values() if family.has_data_file})


# ---- disjointness ---------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    family=st.sampled_from(generated_family_names()),
    train_seed=st.one_of(st.integers(0, 2**40), st.sampled_from([*DEFAULT_SEEDS.values(), *CANONICAL_SEEDS])),
    validation_seed=st.one_of(st.integers(0, 2**40), st.sampled_from([*DEFAULT_SEEDS.values(), *CANONICAL_SEEDS])),
)
def test_train_validation_and_test_never_share_an_item_whatever_the_seeds(
    family: str, train_seed: int, validation_seed: int
) -> None:
    generator = get_family(family)
    if generator.canonical_seed in (train_seed, validation_seed):
        with pytest.raises(ValueError, match="test split"):
            build_split(generator, "train", 10, generator.canonical_seed)
        return
    test = generator.canonical_rows()
    train_split = build_split(generator, "train", 60, train_seed)
    validation_split = build_split(generator, "validation", 60, validation_seed)
    train, validation = train_split.rows, validation_split.rows
    assert shared_items(train, test) == []
    assert shared_items(validation, test) == []
    assert shared_items(train, validation) == []
    # Nor one problem in other words (the problem signature).
    problems = {
        name: {generator.problem_signature(item) for item in split.items}
        for name, split in (("train", train_split), ("validation", validation_split))
    }
    assert not problems["train"] & canonical_signatures(generator).keys()
    assert not problems["validation"] & canonical_signatures(generator).keys()
    assert not problems["train"] & problems["validation"]
    # Across families too (another family's seed gives another family's stream, never its items), but a rendering
    # variant's items are its family's by design (core.rendering): the same items, drawn another way.
    for other in generated_family_names():
        if _items_of(other) != _items_of(family):
            assert shared_items(train, build_split(get_family(other), "train", 20, train_seed).rows) == []


def _items_of(name: str) -> str:
    """The family whose items `name` holds: its own, or for a rendering variant the family it draws."""
    variant = rendering_of(get_family(name))
    return variant[0] if variant else name


@pytest.mark.parametrize("family", generated_family_names())
def test_default_splits_hold_no_test_item(family: str) -> None:
    generator = get_family(family)
    train = build_split(generator, "train", 3000)
    validation = build_split(generator, "validation")
    assert validation.size == 1000 and len(validation.rows) == 1000
    for split in (train, validation):
        assert shared_items(split.rows, generator.canonical_rows()) == []
        assert all(signature_split(generator.problem_signature(item)) == split.split for item in split.items)
        assert not {generator.problem_signature(item) for item in split.items} & canonical_signatures(generator).keys()
    assert shared_items(train.rows, validation.rows) == []


def test_the_check_names_a_shared_item() -> None:
    generator = get_family("count")
    train = list(build_split(generator, "train", 5).rows)
    test_row = generator.canonical_rows()[7]
    twin = {**train[2], "question": test_row["question"], "intermediate": test_row["intermediate"]}
    with pytest.raises(DataIntegrityError, match=rf"{train[2]['uid']} = {test_row['uid']} \(same question"):
        assert_disjoint([*train, twin], generator.canonical_rows(), "count train")
    same_picture = {**train[3], "spec": test_row["spec"]}
    assert shared_items([same_picture], [test_row]) == [(train[3]["uid"], test_row["uid"], "picture spec")]


def test_splits_are_deterministic_fingerprinted_and_named_apart() -> None:
    generator = get_family("cards")
    first, again = build_split(generator, "validation", 30), build_split(generator, "validation", 30)
    assert first.rows == again.rows and first.fingerprint == fingerprint_rows(first.rows)
    assert first.rows[0]["uid"] == "cards-v1-validation-00000"
    assert build_split(generator, "validation", 30, seed=5).fingerprint != first.fingerprint
    # The test split is the committed one, unchanged.
    assert build_split(generator, "test").rows[0]["uid"] == "cards-v1-00000"
    with pytest.raises(ValueError, match="fixed"):
        build_split(generator, "test", size=10)


# ---- targets --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def items() -> dict[str, list]:
    """Enough training items of each family to hold every question kind, with their rows."""
    splits = {name: build_split(get_family(name), "train", 300) for name in generated_family_names()}
    return {name: list(zip(split.rows, split.items, strict=True)) for name, split in splits.items()}


def test_the_items_checked_cover_every_question_kind(items: dict[str, list]) -> None:
    kinds = {
        name: Counter(json.loads(row["attributes"]).get("kind") for row, _ in pairs) for name, pairs in items.items()
    }
    assert set(kinds["cards"]) == {"total", "colour_sum", "suit_sum", "range", "make24"}
    assert set(kinds["count"]) == {"colour+shape", "shape", "colour"}
    assert any(row["answer"] == "0" for row, _ in items["count"])
    steps = {json.loads(row["attributes"])["steps"] for row, _ in items["mathtext"]}
    assert steps == {1, 2, 3, 4}


@pytest.mark.parametrize("family", generated_family_names())
@pytest.mark.parametrize("style", STYLES)
def test_every_target_is_scored_correct_and_its_intermediate_exact(family: str, style: str, items) -> None:
    prompts = TaskPrompts.installed(get_family(family))
    generator = get_family(family)
    for row, item in items[family]:
        examples = examples_for(style, row, item, prompts)
        assert [example.kind for example in examples] == (["vision", "language"] if style == "skills" else [style])
        for example in examples:
            scored = score_response(row, example.setting, example.target)
            if example.setting == "vision":
                assert scored["exact_match"] == 1, (row["uid"], example.target)
            else:
                assert (scored["accuracy"], scored["strict_accuracy"]) == (1, 1), (row["uid"], example.target)
            if example.kind in ("composition", "vision"):
                assert example.target.startswith(example.intermediate)
                assert generator.score_intermediate(example.intermediate, row).exact == 1
            elif "\n" in row["intermediate"] or family == "mathtext":  # direct and language: no restated list
                assert row["intermediate"] not in example.target


@pytest.mark.parametrize("family", generated_family_names())
def test_composition_targets_compose_visual_then_textual_skill(family: str, items) -> None:
    row, item = items[family][0]
    (example,) = examples_for("composition", row, item, TaskPrompts.installed(get_family(family)))
    intermediate, _, rest = example.target.partition("\n\n")
    assert intermediate == row["intermediate"]
    assert rest.splitlines()[:-1] == list(item.solution) and item.solution
    assert rest.splitlines()[-1] == f"Answer: {row['answer']}"


@pytest.mark.parametrize("family", generated_family_names())
def test_prompts_are_the_ones_evaluation_sends(family: str, items) -> None:
    row, item = items[family][1]
    prompts = TaskPrompts.installed(get_family(family))
    by_kind = {example.kind: example for style in STYLES for example in examples_for(style, row, item, prompts)}
    for kind, hook in (
        ("composition", hooks.direct_text),
        ("direct", hooks.direct_text),
        ("vision", hooks.vision_text),
        ("language", hooks.language_text),
    ):
        setting = KIND_SETTINGS[kind]
        kwargs = load_task_yaml(family, f"compgap_{family}_{setting}.yaml")["lmms_eval_specific_kwargs"]["default"]
        assert by_kind[kind].prompt == hook(row, kwargs)
        assert by_kind[kind].with_image == (setting != "language")
    assert row["intermediate"] in by_kind["language"].prompt


def test_style_mixes_have_exact_proportions_and_clear_errors() -> None:
    assert parse_style_mix("composition") == {"composition": 1.0}
    assert parse_style_mix("composition=3, skills=1") == {"composition": 0.75, "skills": 0.25}
    styles = assign_styles(10, parse_style_mix("composition=0.7,direct=0.2,skills=0.1"), "x")
    assert Counter(styles) == {"composition": 7, "direct": 2, "skills": 1}
    assert styles == assign_styles(10, parse_style_mix("composition=0.7,direct=0.2,skills=0.1"), "x")
    assert Counter(assign_styles(3, parse_style_mix("composition,direct"), "y")).total() == 3
    for bad, message in (
        ("compose", "unknown target style"),
        ("direct=0", "positive"),
        ("direct=x", "not a number"),
        ("direct,direct", "twice"),
        ("direct=inf", "positive"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_style_mix(bad)


# ---- export ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "train"
    export_split(out, picture_family_names(), "train", parse_style_mix("composition=2,direct=1,skills=1"), size=8)
    return out


def test_export_writes_each_picture_once_and_records_in_both_formats(exported: Path) -> None:
    manifest = read_manifest(exported)
    llava = json.loads((exported / "llava.json").read_text())
    hf = datasets.load_from_disk(str(exported / "hf"))
    assert len(llava) == len(hf) == manifest["examples"]
    pictures = sorted(path.relative_to(exported).as_posix() for path in exported.rglob("*.png"))
    assert len(pictures) == manifest["images"] == len(picture_family_names()) * 8  # one per item
    assert sorted({path for record in llava for path in record["images"]}) == pictures
    for record, row in zip(llava, hf, strict=True):
        human, gpt = record["conversations"]
        assert (human["from"], gpt["from"]) == ("human", "gpt")
        assert human["value"].count("<image>") == len(record["images"]) == len(row["images"])
        assert record.get("image") == (record["images"][0] if record["images"] else None)
        assert row["messages"] == [
            {"role": "user", "content": human["value"].removeprefix("<image>\n")},
            {"role": "assistant", "content": gpt["value"]},
        ]
        for path, image in zip(record["images"], row["images"], strict=True):
            family, uid = row["family"], row["uid"]
            rows = {
                r["uid"]: r for r in map(json.loads, (exported / "rows" / f"{family}.jsonl").read_text().splitlines())
            }
            assert path == f"images/{family}/{uid}.png"
            assert image.tobytes() == get_family(family).draw_row(rows[uid]).tobytes()
    info = json.loads((exported / "dataset_info.json").read_text())
    assert info["compgap_train"]["file_name"] == "llava.json"


def test_the_manifest_records_seeds_and_fingerprints_that_regenerate(exported: Path) -> None:
    manifest = read_manifest(exported)
    assert manifest["split"] == "train" and set(manifest["families"]) == set(picture_family_names())
    prints = {}
    for family, summary in manifest["families"].items():
        split = build_split(get_family(family), "train", summary["size"], summary["seed"])
        assert summary["fingerprint"] == split.fingerprint
        assert (exported / "rows" / f"{family}.jsonl").read_text().splitlines() == [
            json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in split.rows
        ]
        assert summary["examples"]["composition"] == 4 and summary["examples"]["vision"] == 2
        prints[family] = split.fingerprint
    assert manifest["data_fingerprint"] == export_fingerprint(prints, (exported / "llava.json").read_bytes())


def test_parquet_export_reads_back_with_datasets(tmp_path: Path) -> None:
    export_split(tmp_path / "v", ["count"], "validation", {"skills": 1.0}, size=3, hf_format="parquet")
    dataset = datasets.load_dataset("parquet", data_files=str(tmp_path / "v" / "hf.parquet"), split="train")
    assert [row["kind"] for row in dataset] == ["vision", "language"] * 3
    assert [len(row["images"]) for row in dataset] == [1, 0] * 3
    spec = json.loads(read_rows(tmp_path / "v", "count")[0]["spec"])
    assert dataset[0]["images"][0].size == (spec["width"], spec["height"])


def read_rows(folder: Path, family: str) -> list[dict]:
    return [json.loads(line) for line in (folder / "rows" / f"{family}.jsonl").read_text().splitlines()]


def test_export_refuses_a_used_folder_and_the_test_split(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_split(tmp_path / "used", ["count"], size=2)
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]
    with pytest.raises(SystemExit):
        cli.main(["data", "export", "--out", str(tmp_path / "x"), "--split", "test"])
    assert "invalid choice: 'test'" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="unknown target style"):
        cli.main(["data", "export", "--out", str(tmp_path / "x"), "--style", "cot"])
    assert not (tmp_path / "x").exists()


def test_data_build_writes_a_training_split(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        cli.main(
            ["data", "build", "--split", "validation", "--task", "mathtext", "--size", "5", "--out", str(tmp_path)]
        )
        == 0
    )
    rows = [json.loads(line) for line in (tmp_path / "mathtext" / "validation.jsonl").read_text().splitlines()]
    assert rows == list(build_split(get_family("mathtext"), "validation", 5).rows)
    assert "no test item" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="test split"):
        cli.main(
            [
                "data",
                "build",
                "--split",
                "train",
                "--seed",
                str(get_family("count").canonical_seed),
                "--task",
                "count",
                "--out",
                str(tmp_path),
            ]
        )
