"""Hostile submission files: refused with a clear message, before or while parsing, in bounded memory."""

from __future__ import annotations

import copy
import json
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.cli import main
from lmms_compgap.core import splits
from lmms_compgap.core.dataset_family import DatasetFamily
from lmms_compgap.core.hub_data import DatasetUnavailable
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.splits import MAX_SPLIT_SIZE, SPLIT_VERSION
from lmms_compgap.errors import NotVerifiedHere, SubmissionRejected
from lmms_compgap.report.files import safe_json
from lmms_compgap.report.submissions.verify import verify_submission

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def _file(tmp_path: Path, payload: bytes | str) -> Path:
    path = tmp_path / "hostile.json"
    path.write_bytes(payload.encode() if isinstance(payload, str) else payload)
    return path


def _rejected(path: Path, fragment: str, max_bytes: int = safe_json.DEFAULT_MAX_BYTES) -> None:
    with pytest.raises(SubmissionRejected) as caught:
        verify_submission(path, max_bytes)
    assert fragment in str(caught.value), str(caught.value)


def test_a_file_above_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300 * 1024 * 1024)
    _rejected(path, "above the size cap of 209715200")


def test_the_size_cap_is_configurable(tmp_path: Path, capsys) -> None:
    path = _file(tmp_path, json.dumps({"x": "y" * 5000}))
    _rejected(path, "above the size cap of 1000", max_bytes=1000)
    assert main(["verify", str(path), "--max-bytes", "1000"]) == 1
    assert "size cap" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading() -> None:
    # /dev/zero reports size 0 and never ends: it is not read at all.
    _rejected(Path("/dev/zero"), "/dev/zero: a character device, not a regular file; not read", max_bytes=1000)


def test_deep_nesting_past_the_parser_is_refused(tmp_path: Path) -> None:
    _rejected(_file(tmp_path, '{"a":' + "[" * 200_000 + "]" * 200_000 + "}"), "nested too deeply")


def test_deep_nesting_the_parser_accepts_is_refused_before_validation(tmp_path: Path) -> None:
    _rejected(_file(tmp_path, '{"a":' * 200 + "1" + "}" * 200), "nested more than 32 levels")


def test_too_many_values_are_refused_before_parsing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(safe_json, "MAX_VALUES", 1000)
    _rejected(_file(tmp_path, '{"a": [' + ",".join(["0"] * 5000) + "]}"), "JSON values, above the limit of 1000")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": NaN}', "NaN is not valid JSON"),
        ('{"a": Infinity}', "Infinity is not valid JSON"),
        ('{"a": 1, "a": 2}', "the same key twice"),
        ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
        ("[1, 2, 3]", "not a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("", "not valid JSON"),
    ],
)
def test_malformed_files_are_named(tmp_path: Path, payload: str | bytes, fragment: str) -> None:
    _rejected(_file(tmp_path, payload), fragment)


def test_a_missing_file_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    _rejected(tmp_path / "absent.json", "cannot read")


# ---- issue 19: no file can stop the board, cost more than its size, or leak from the machine ---------------------
SECRET = "hunter2-SECRET-token"


def _document(honest: Path) -> dict[str, Any]:
    return json.loads(honest.read_text())


def _write(folder: Path, name: str, document: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def _with_public_family(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a gsm8k direct and cascade task added (copies of cards' entries, renamed)."""
    for setting in ("direct", "cascade"):
        entry = copy.deepcopy(next(task for task in document["tasks"] if task["task"] == f"compgap_cards_{setting}"))
        entry.update(task=f"compgap_gsm8k_{setting}", family="gsm8k")
        document["tasks"].append(entry)
    return document


@pytest.fixture
def no_public_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine has no copy of any public dataset (whatever the real one has)."""

    def missing(self: DatasetFamily) -> Any:
        raise DatasetUnavailable(f"the dataset {self.name} is not on this machine. Searched:\n  - nowhere")

    monkeypatch.setattr(DatasetFamily, "dataset_rows", missing)


def test_a_file_needing_a_missing_public_dataset_is_not_verified_and_the_others_are_checked(
    honest: Path, tmp_path: Path, no_public_dataset: None, capsys
) -> None:
    public = _write(tmp_path, "public.json", _with_public_family(_document(honest)))
    with pytest.raises(NotVerifiedHere) as caught:
        verify_submission(public)
    assert "compgap_gsm8k: the dataset gsm8k is not on this machine" in str(caught.value)
    assert "every other check passed" in str(caught.value)
    # Listed as not verified (exit 2), never a traceback; the next file is still checked.
    assert main(["verify", str(public), str(honest)]) == 2
    captured = capsys.readouterr()
    assert f"NOT VERIFIED {public}" in captured.err and f"OK {honest}" in captured.out


def test_a_missing_public_dataset_does_not_hide_another_problem(
    honest: Path, tmp_path: Path, no_public_dataset: None
) -> None:
    document = _with_public_family(_document(honest))
    document["tasks"][0]["items"][0]["correct"] = 1 - document["tasks"][0]["items"][0]["correct"]
    with pytest.raises(SubmissionRejected) as caught:
        verify_submission(_write(tmp_path, "public.json", document))
    assert not isinstance(caught.value, NotVerifiedHere) and "the scorer gives" in str(caught.value)


def test_the_leaderboard_is_written_with_a_file_it_cannot_verify(
    honest: Path, tmp_path: Path, no_public_dataset: None
) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "model-a.json").write_bytes(honest.read_bytes())
    _write(folder, "public.json", _with_public_family(_document(honest)))
    assert main(["leaderboard", str(folder), "--include-partial", "--resamples", "1000"]) == 0
    page = (folder / "leaderboard" / "leaderboard.md").read_text()
    assert "org/model-a" in page.split("## Rejected files")[0]
    assert "public.json: not verified here" in page.split("## Not verified here")[1]
    assert "Not verified here" in (folder / "leaderboard" / "leaderboard.html").read_text()


def _training(families: dict[str, dict[str, Any]]) -> dict[str, Any]:
    fingerprint = "sha256:" + "0" * 64
    return {
        "compgap_data": True,
        "base_model": "base",
        "method": "lora",
        "data_fingerprint": fingerprint,
        "splits": {"train": {"data_fingerprint": fingerprint, "style": {"composition": 1}, "families": families}},
    }


def _claim(size: int, seed: int = 5) -> dict[str, Any]:
    fingerprint = "sha256:" + "0" * 64
    return {"seed": seed, "size": size, "fingerprint": fingerprint, "data_version": 1, "split_version": SPLIT_VERSION}


@pytest.mark.parametrize(
    ("families", "fragment"),
    [
        ({"gsm8k": _claim(10)}, "training train split: a family compgap exports no training data for"),
        ({"count": _claim(MAX_SPLIT_SIZE + 1)}, f"above the {MAX_SPLIT_SIZE} compgap exports; not regenerated"),
        ({"count": _claim(1_000_000)}, "not regenerated"),
        ({"nosuchfamily": _claim(10)}, "a family compgap exports no training data for"),
    ],
)
def test_training_claims_are_refused_before_anything_is_regenerated(
    honest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, families: dict[str, Any], fragment: str
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("regenerated a split for a claim refused by a cheap check")

    monkeypatch.setattr(splits, "build_split", never)
    document = _document(honest)
    document["training"] = _training(families)
    _rejected(_write(tmp_path, "trained.json", document), fragment)


def test_a_training_claim_is_regenerated_only_after_every_other_check(
    honest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("regenerated a split for a file with a changed aggregate")

    monkeypatch.setattr(splits, "build_split", never)
    document = _document(honest)
    document["training"] = _training({"count": _claim(MAX_SPLIT_SIZE)})
    document["aggregates"]["count"]["settings"]["cot"]["accuracy"] = 0.123
    _rejected(_write(tmp_path, "trained.json", document), "a changed aggregate")


def test_a_split_larger_than_compgap_exports_is_not_built() -> None:
    with pytest.raises(ValueError, match=f"1 to {MAX_SPLIT_SIZE} items"):
        splits.build_split(get_family("count"), "train", MAX_SPLIT_SIZE + 1)


def test_a_million_schema_errors_cost_as_little_as_a_few(honest: Path, tmp_path: Path) -> None:
    # 2 MB: a million zeros where items belong took 15 s of CPU listing every error; now a few are looked at.
    document = _document(honest)
    document["tasks"][0]["items"] = [0] * 1_000_000
    path = _write(tmp_path, "zeros.json", document)
    started = time.process_time()
    _rejected(path, "schema violation at tasks/0/items")
    assert time.process_time() - started < 5


def test_the_depth_walk_holds_no_memory_for_a_flat_array() -> None:
    flat = [0] * 1_000_000
    tracemalloc.start()
    try:
        assert safe_json._depth({"a": flat}) == 2
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # it held a (value, depth) tuple per element before: about 64 MB here


@needs_symlinks
def test_a_symbolic_link_is_never_followed_and_its_target_never_published(honest: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"format": SECRET, "token": SECRET}))
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "x.json").symlink_to(secret)
    (folder / "model-a.json").write_bytes(honest.read_bytes())
    _rejected(folder / "x.json", "a symbolic link; links are not followed, not read")
    assert main(["leaderboard", str(folder), "--include-partial", "--resamples", "1000"]) == 0
    written = [(folder / "leaderboard" / name).read_text() for name in ("leaderboard.md", "leaderboard.html")]
    assert all("x.json" in text and SECRET not in text for text in written)


@needs_symlinks
@pytest.mark.parametrize("link", ["leaderboard", "leaderboard/leaderboard.md", "leaderboard/leaderboard.html"])
def test_the_leaderboard_never_writes_through_a_symbolic_link(honest: Path, tmp_path: Path, link: str, capsys) -> None:
    folder = tmp_path / "submissions"
    (folder / "leaderboard").mkdir(parents=True)
    (folder / "model-a.json").write_bytes(honest.read_bytes())
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "leaderboard.md").write_text("precious")
    if link == "leaderboard":
        (folder / "leaderboard").rmdir()
        (folder / "leaderboard").symlink_to(target)
    else:
        (folder / link).symlink_to(target / "leaderboard.md")
    assert main(["leaderboard", str(folder), "--include-partial", "--resamples", "1000"]) == 1
    assert "links are not followed" in capsys.readouterr().err
    assert (target / "leaderboard.md").read_text() == "precious" and sorted(target.iterdir()) == [
        target / "leaderboard.md"
    ]


@needs_symlinks
def test_a_submissions_folder_that_is_a_link_is_not_read(honest: Path, tmp_path: Path, capsys) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "model-a.json").write_bytes(honest.read_bytes())
    (tmp_path / "link").symlink_to(real)
    assert main(["leaderboard", str(tmp_path / "link"), "--resamples", "1000"]) == 1
    assert "links are not followed" in capsys.readouterr().err and not (real / "leaderboard").exists()


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update({SECRET: SECRET}),
        lambda d: d["model"].update(name=[SECRET]),
        lambda d: d["tasks"][0].update(version=SECRET[:30]),
        lambda d: d["tasks"][0]["items"][0].update(uid=SECRET),
        lambda d: d["tasks"][0].update(family="hunter2secret"),
        lambda d: d["aggregates"]["count"]["settings"]["cot"].update(accuracy=SECRET),
        lambda d: d["aggregates"]["count"].update({SECRET: 1}),
        lambda d: d["statistics"].update(resamples=SECRET),
        lambda d: d.update(training=_training({"hunter2secret": _claim(10)})),
    ],
)
def test_a_rejection_never_quotes_the_file(honest: Path, tmp_path: Path, edit: Any) -> None:
    document = _document(honest)
    edit(document)
    with pytest.raises(SubmissionRejected) as caught:
        verify_submission(_write(tmp_path, "leak.json", document))
    assert "hunter2" not in str(caught.value), str(caught.value)


def test_names_that_differ_only_by_invisible_characters_are_duplicates_shown_escaped(
    honest: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name, label in (("plain.json", "tq"), ("hidden.json", "tq\u200b"), ("bidi.json", "q\u202et")):
        document = _document(honest)
        document["model"]["name"] = label
        _write(folder, name, document)
    assert main(["leaderboard", str(folder), "--include-partial", "--resamples", "1000"]) == 0
    markdown = (folder / "leaderboard" / "leaderboard.md").read_text(encoding="utf-8")
    page = (folder / "leaderboard" / "leaderboard.html").read_text(encoding="utf-8")
    for text in (markdown, page):
        assert "\u200b" not in text and "\u202e" not in text
        assert "u200b (hidden.json)" in text and "tq (plain.json)" in text and "u202et" in text
