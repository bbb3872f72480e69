"""The errors of the report commands: each names the file and the problem, for the CLI to print."""

from __future__ import annotations


class ReportError(RuntimeError):
    """A report, submission or leaderboard cannot be made; the message says why."""


class SubmissionRejected(ReportError):
    """A submission file failed verification."""


class NotVerifiedHere(SubmissionRejected):
    """A submission this machine cannot check to the end (a public dataset it needs is not here): neither accepted
    nor rejected, and listed apart with the reason. Every other check on it passed."""


def join_problems(problems: list[str], shown: int = 5) -> str:
    """The first `shown` problems, and how many more there are."""
    more = f"; and {len(problems) - shown} more" if len(problems) > shown else ""
    return "; ".join(problems[:shown]) + more
