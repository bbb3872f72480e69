"""Hostile submission files: refused with a clear message, before or while parsing, in bounded memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lmms_compgap.cli import main
from lmms_compgap.report.errors import SubmissionRejected
from lmms_compgap.report.files import safe_json
from lmms_compgap.report.submissions.verify import verify_submission


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
    _rejected(_file(tmp_path, "[" * 200_000 + "]" * 200_000), "nested too deeply")


def test_deep_nesting_the_parser_accepts_is_refused_before_validation(tmp_path: Path) -> None:
    _rejected(_file(tmp_path, '{"a":' * 200 + "1" + "}" * 200), "nested more than 32 levels")


def test_too_many_values_are_refused_before_parsing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(safe_json, "MAX_VALUES", 1000)
    _rejected(_file(tmp_path, "[" + ",".join(["0"] * 5000) + "]"), "JSON values, above the limit of 1000")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": NaN}', "NaN is not valid JSON"),
        ('{"a": Infinity}', "Infinity is not valid JSON"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[" + "9" * 5000 + "]", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("", "not valid JSON"),
    ],
)
def test_malformed_files_are_named(tmp_path: Path, payload: str | bytes, fragment: str) -> None:
    _rejected(_file(tmp_path, payload), fragment)


def test_a_missing_file_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    _rejected(tmp_path / "absent.json", "cannot read")
