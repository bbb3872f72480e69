"""The resume cache serves a call only to the model identity that made it, and survives a run killed mid-write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from loguru import logger

from lmms_compgap.models import call_cache, checkpoint
from lmms_compgap.models.call_cache import CallCache, describe_change, open_call_cache
from lmms_compgap.models.checkpoint import FileHashes
from tests.fixtures.recording_model import rebuild_requests, setup_cascade


@pytest.fixture
def warnings() -> list[str]:
    messages: list[str] = []
    sink = logger.add(messages.append, level="WARNING", format="{message}")
    yield messages
    logger.remove(sink)


def _checkpoint(folder: Path, weights: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"architectures": ["TinyForConditionalGeneration"]}))
    (folder / "chat_template.jinja").write_text("{{ messages }}")
    (folder / "model.safetensors").write_bytes(weights)
    (folder / "optimizer.pt").write_bytes(b"training state, not the model")
    return folder


def _identity(**changes: object) -> dict:
    identity = {
        "inner": "qwen2_5_vl",
        "arguments": {"pretrained": "/models/m", "max_pixels": "50176"},
        "framework": {"batch_size": "2"},
        "checkpoint": {"files": {"config.json": "c1", "model.safetensors": "w1"}},
        "versions": {"transformers": "5.24.0", "lmms_eval": "0.7.3"},
    }
    for path, value in changes.items():
        section, key = path.split("__")
        identity[section] = {**identity[section], key: value}
    return identity


def test_replaced_weights_at_the_same_path_are_never_served_from_the_cache(tmp_path: Path, warnings: list[str]) -> None:
    folder = _checkpoint(tmp_path / "model", b"A" * 4096)
    args = {"cache_dir": str(tmp_path / "cache"), "pretrained": str(folder)}
    first, first_inner, requests = setup_cascade(True, args)
    first.generate_until(requests)
    made = sum(len(call) for call in first_inner.calls)

    same, same_inner, requests = setup_cascade(True, args)
    same.generate_until(rebuild_requests(same, requests))
    assert (same.last_stats.cache_hits, same_inner.calls) == (made, []), "the same model reuses every call"

    # Fine-tuned into the same folder: same size, and the modification time put back.
    stat = (folder / "model.safetensors").stat()
    (folder / "model.safetensors").write_bytes(b"B" * 4096)
    os.utime(folder / "model.safetensors", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    warnings.clear()
    replaced, replaced_inner, requests = setup_cascade(True, args)
    replaced.generate_until(rebuild_requests(replaced, requests))
    assert replaced.last_stats.cache_hits == 0
    assert sum(len(call) for call in replaced_inner.calls) == made
    (line,) = [message for message in warnings if "not reusing" in message]
    assert "checkpoint file model.safetensors changed" in line and "\n" not in line.strip()


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"checkpoint__files": {"config.json": "c1", "model.safetensors": "w2"}}, "checkpoint file model.safetensors"),
        ({"checkpoint__files": {"config.json": "c1"}}, "checkpoint file model.safetensors removed"),
        ({"arguments__max_pixels": "100352"}, "argument max_pixels 50176 -> 100352"),
        ({"framework__batch_size": "1"}, "argument batch_size 2 -> 1"),
        ({"versions__transformers": "5.25.0"}, "transformers 5.24.0 -> 5.25.0"),
        ({"arguments__chat_template": "{{x}}"}, "argument chat_template unset -> {{x}}"),
    ],
)
def test_the_reason_a_cache_did_not_apply_names_what_changed(changes: dict, said: str) -> None:
    assert said in describe_change(_identity(), _identity(**changes))


def test_a_hub_checkpoint_is_identified_by_its_resolved_revision(tmp_path: Path) -> None:
    old, new = ({**_identity(), "checkpoint": {"hub": "org/model", "revision": commit}} for commit in ("abc", "def"))
    assert "checkpoint" in describe_change(old, new)
    found = checkpoint.find_checkpoint("org/not-in-any-cache")
    fingerprint = checkpoint.checkpoint_fingerprint(found, FileHashes(tmp_path / "m.json"))
    assert fingerprint == {"hub": "org/not-in-any-cache", "revision": "unresolved"}


def test_a_hub_id_resolves_to_the_commit_its_local_cache_points_at(tmp_path: Path, monkeypatch) -> None:
    from huggingface_hub import constants

    repo = tmp_path / "hub" / "models--org--model"
    for commit in ("1111", "2222"):
        (repo / "snapshots" / commit).mkdir(parents=True)
        (repo / "snapshots" / commit / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    fingerprints = []
    for commit in ("1111", "2222"):  # a re-download moved main to a newer commit
        (repo / "refs" / "main").write_text(commit)
        found = checkpoint.find_checkpoint("org/model")
        fingerprints.append(checkpoint.checkpoint_fingerprint(found, FileHashes(tmp_path / "m.json")))
    assert fingerprints == [{"hub": "org/model", "revision": "1111"}, {"hub": "org/model", "revision": "2222"}]


def test_records_of_an_older_cache_format_are_not_reused_and_say_why(tmp_path: Path, warnings: list[str]) -> None:
    (tmp_path / "calls.rank0.jsonl").write_text(json.dumps({"format": 1, "model": "x", "key": "k", "text": "t"}) + "\n")
    cache = CallCache(tmp_path, _identity())
    assert len(cache) == 0
    assert any("not reusing 1 cached call(s)" in line and "older lmms-compgap" in line for line in warnings)


def test_checkpoint_files_are_hashed_once_and_training_leftovers_never(tmp_path: Path, monkeypatch) -> None:
    folder = _checkpoint(tmp_path / "model", b"A" * 4096)
    first = open_call_cache(tmp_path / "cache", "inner", {"pretrained": str(folder)}, {}, None)
    assert set(first.identity["checkpoint"]["files"]) == {"config.json", "chat_template.jinja", "model.safetensors"}

    def no_reading(*args: object) -> None:
        raise AssertionError("an unchanged file was read again")

    monkeypatch.setattr(checkpoint, "file_sha256", no_reading)
    again = open_call_cache(tmp_path / "cache", "inner", {"pretrained": str(folder)}, {}, None)
    assert again.model == first.model


def test_a_torn_last_line_is_cut_before_appending_and_the_next_record_survives_two_resumes(
    tmp_path: Path, warnings: list[str]
) -> None:
    cache = CallCache(tmp_path, _identity())
    cache.put_many([("k1", "first"), ("k2", "second")])
    with cache.path.open("a") as handle:  # a kill in the middle of writing k3
        handle.write('{"format": 2, "model": "' + cache.model + '", "key": "k3", "te')

    resumed = CallCache(tmp_path, _identity())
    assert any("removed an incomplete last line" in line for line in warnings)
    assert cache.path.read_bytes().endswith(b"\n")
    resumed.put_many([("k3", "third")])

    warnings.clear()
    again = CallCache(tmp_path, _identity())
    assert [again.get(key) for key in ("k1", "k2", "k3")] == ["first", "second", "third"]
    assert warnings == [], "no line was lost or glued to another"
    lines = cache.path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)


def test_the_versions_that_run_a_model_are_part_of_its_identity() -> None:
    assert {"lmms-compgap", "lmms_eval", "transformers"} <= set(call_cache.VERSIONED_PACKAGES)
