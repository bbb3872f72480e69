"""End to end: `--tasks compgap_render` runs mathtext and its rendering variants in one lmms-eval command through
compgap_cascade with a tiny random-weight model, and `compgap report --sensitivity` pairs each variant with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lmms_compgap.core.settings import SETTINGS
from tests.helpers import TINY_QWEN_ARGS, offline_env, run_lmms_eval

pytestmark = pytest.mark.e2e

RENDERINGS = ("large", "lowcontrast", "red", "serif", "small")
LIMIT = 2


def test_the_render_group_runs_every_variant_and_the_report_compares_each_with_mathtext(
    tiny_qwen_dir: Path, tmp_path: Path
) -> None:
    run = run_lmms_eval(
        [
            "--model",
            "compgap_cascade",
            "--model_args",
            f"inner=qwen2_5_vl,pretrained={tiny_qwen_dir},{TINY_QWEN_ARGS}",
            "--tasks",
            "compgap_render",
            "--device",
            "cpu",
            "--batch_size",
            "2",
            "--limit",
            str(LIMIT),
            "--gen_kwargs",
            "max_new_tokens=8",
            "--log_samples",
        ],
        tmp_path / "out",
    )
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for family in ("mathtext", *(f"mathtext{name}" for name in RENDERINGS)):
        for setting in SETTINGS:
            task = f"compgap_{family}_{setting}"
            samples = run.samples[task]
            assert [s["compgap"]["uid"] for s in samples] == [f"{family}-v1-{i:05d}" for i in range(LIMIT)], task
            assert all(s["compgap"]["failed_step"] is None for s in samples), task
    metadata = run.results["configs"]["compgap_mathtextsmall_vision"]["metadata"]
    assert (metadata["rendering_of"], metadata["rendering"]) == ("mathtext", "small")

    report = subprocess.run(
        [sys.executable, "-m", "lmms_compgap.cli", "report", str(tmp_path / "out"), "--sensitivity", "--no-plots"],
        capture_output=True,
        text=True,
        timeout=600,
        env=offline_env(),
        cwd=tmp_path,
    )
    assert report.returncode == 0, report.stderr
    assert "mathtext rendering (reference mathtext rendering=as drawn)" in report.stdout
    rows = (tmp_path / "compgap-report" / "sensitivity.csv").read_text(encoding="utf-8")
    for name in RENDERINGS:
        assert f",{name},mathtext,vision,flexible,{LIMIT}," in rows, name
