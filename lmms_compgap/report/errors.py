"""The errors of the report commands: each names the file and the problem, for the CLI to print."""

from __future__ import annotations


class ReportError(RuntimeError):
    """A report, submission or leaderboard cannot be made; the message says why."""


class SubmissionRejected(ReportError):
    """A submission file failed verification."""


def join_problems(problems: list[str], shown: int = 5) -> str:
    """The first `shown` problems, and how many more there are."""
    more = f"; and {len(problems) - shown} more" if len(problems) > shown else ""
    return "; ".join(problems[:shown]) + more
