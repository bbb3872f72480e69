"""Stopping an lmms-eval run on purpose: a message and a non-zero exit status, at every verbosity.

lmms-eval 0.7.3's `cli_evaluate` (`lmms_eval/__main__.py`) wraps each evaluation in
`except Exception`, prints the error and goes on, so the process exits 0 unless `--verbosity DEBUG`.
`RunStopped` derives from `SystemExit`, which is not an `Exception`: nothing in lmms-eval catches
it, Python prints its message to stderr and exits with status 1. Under `torchrun` or
`accelerate launch` the launcher sees a worker exit with 1, stops the other workers and exits
non-zero itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loguru import logger

MODELS_DOC = "docs/models.md"


class RunStopped(SystemExit):
    """Ends the lmms-eval process with `message` (on stderr and in the log) and exit status 1."""

    def __init__(self, message: str) -> None:
        logger.error(message)
        super().__init__(message)
        self.message = message


#: A task's failures are judged once this many of its calls have finished (or all of them, if fewer).
MIN_JUDGED_CALLS = 10


def failed_share_limit(value: object) -> float:
    """`max_failed_share` as given on the command line, as a number from 0 to 1 (RunStopped otherwise)."""
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        share = float("nan")
    if not 0.0 <= share <= 1.0:
        raise RunStopped(
            f"compgap_cascade: max_failed_share must be a number from 0 to 1 (1 turns the stop off), not {value!r}"
        )
    return share


@dataclass
class FailureMonitor:
    """Counts failed inner-model calls per task (a cascade's step 2 apart) and stops a run that mostly fails.

    `max_failed_share` is the largest share of failed calls a task may have; 1 turns the stop off.
    """

    inner_name: str
    max_failed_share: float = 0.5
    expected: Counter = field(default_factory=Counter)
    done: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    last_error: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.max_failed_share = failed_share_limit(self.max_failed_share)

    def expect(self, owner: str, calls: int = 1) -> None:
        self.expected[owner] += calls

    def record(self, owner: str, error: str | None) -> None:
        self.done[owner] += 1
        if error:
            self.failed[owner] += 1
            self.last_error[owner] = error

    def check(self) -> None:
        """Stop the run if a task has enough finished calls and more than the allowed share failed."""
        if self.max_failed_share >= 1.0:
            return
        for owner, done in self.done.items():
            judged_at = min(MIN_JUDGED_CALLS, max(1, self.expected[owner]))
            failed = self.failed[owner]
            if done >= judged_at and failed > self.max_failed_share * done:
                raise RunStopped(
                    f"compgap_cascade stopped the run: {failed} of the {done} finished calls of {owner} to the inner "
                    f"model `{self.inner_name}` failed (more than {self.max_failed_share:.0%}); the last error: "
                    f"{self.last_error[owner]}.\nScores from such a run would count the failures as wrong answers "
                    f"and show a gap that the model never produced. What to do: fix the model or server and run the "
                    f"same command again (with cache_dir=<dir> in --model_args, calls that succeeded are not "
                    f"repeated); see {MODELS_DOC} for the model arguments each family needs. To score failed calls "
                    f"as wrong answers instead of stopping, pass max_failed_share=1 in --model_args."
                )
