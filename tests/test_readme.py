"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme_blocks = _bash_blocks((REPO / "README.md").read_text())
    assert len(readme_blocks) >= 2, "the README opens with the main-job command and the test command"
    test_command = readme_blocks[1]
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def test_readme_main_job_installs_the_same_way_and_runs_every_setting() -> None:
    main_job = _bash_blocks((REPO / "README.md").read_text())[0]
    install = (
        "python3 -m venv .venv && .venv/bin/pip install torch==2.14.1 torchvision==0.29.1 && .venv/bin/pip install"
    )
    assert main_job.startswith(install)
    assert "--model compgap_cascade" in main_job and "--tasks compgap " in main_job and "--log_samples" in main_job
