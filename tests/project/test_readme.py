"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re

from tests.helpers import REPO


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme_blocks = _bash_blocks((REPO / "README.md").read_text())
    assert len(readme_blocks) >= 2, "the README opens with the main-job command and the test command"
    test_command = readme_blocks[1]
    ci_lines = (REPO / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


INSTALL_FROM_LOCK = "python3 -m venv .venv && .venv/bin/pip install "
LOCK = "-c constraints.txt "


def test_both_readme_commands_install_from_the_lock() -> None:
    main_job, test_command = _bash_blocks((REPO / "README.md").read_text())[:2]
    assert main_job.startswith(INSTALL_FROM_LOCK + LOCK + '".[models]" && ')
    # Both compile every installed module at install (pip's default): with PYTHONDONTWRITEBYTECODE set, a test process
    # would otherwise compile the ~4,600 modules it imports every time it starts.
    assert test_command.startswith(INSTALL_FROM_LOCK + LOCK + '".[test]" && ')
    assert (REPO / "constraints.txt").is_file()


def test_readme_main_job_runs_every_setting_and_stops_before_the_report_without_results() -> None:
    main_job = _bash_blocks((REPO / "README.md").read_text())[0]
    assert "--model compgap_cascade" in main_job and "--tasks compgap " in main_job and "--log_samples" in main_job
    # lmms-eval exits 0 after most failures: the chain must check for a results file before reporting.
    steps = main_job.split(" && ")
    evaluate = next(i for i, step in enumerate(steps) if "lmms-eval --model" in step)
    report = next(i for i, step in enumerate(steps) if "compgap report" in step)
    assert any("_results.json" in step for step in steps[evaluate + 1 : report])
