"""Make `respoken.py`: speak again, attempt after attempt, every problem whose clip the data check does not follow.

`python -m lmms_compgap.families.spoken.respeak [--workers 2]` checks the canonical split's first clips (attempt
0: the voice, rate and pitch drawn with the problem), then speaks each failing problem again in its next attempt's
voice, rate and pitch (`family.respoken_voice`) and checks that clip, up to `MAX_ATTEMPTS` times, and writes the
attempt that passed for each problem spoken again. The check itself is `compgap data check`'s, unchanged: this only
chooses, per problem, among clips drawn by a seed, and `compgap data check` then proves the clips it chose.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lmms_compgap.core.family import canonical_json
from lmms_compgap.datacheck.runner import check_family

from .family import MAX_ATTEMPTS, Spoken, respoken_voice, text_key

TABLE = Path(__file__).with_name("respoken.py")
_HEADER = TABLE.read_text(encoding="utf-8").split("RESPOKEN: dict[str, int] = ")[0]


def respoken_row(row: dict[str, Any], attempt: int) -> dict[str, Any]:
    """`row` with the voice, rate and pitch of its `attempt`-th re-speaking."""
    text = row["intermediate"]
    return {**row, "spec": canonical_json({"text": text, **respoken_voice(text, attempt)})}


def find_attempts(rows: list[dict[str, Any]], workers: int, first: int = 0) -> tuple[dict[str, int], list[str]]:
    """The attempt whose clip the check follows, for every row whose first clip it does not; and the uids of the
    rows no attempt passed. From attempt `first` on (0: the clip drawn with the problem)."""
    attempts: dict[str, int] = {}
    pending = rows
    for attempt in range(first, MAX_ATTEMPTS + 1):
        if attempt:
            pending = [respoken_row(row, attempt) for row in pending]
        checked = check_family(Spoken.name, pending, workers=workers, progress=False)
        failed = {item.uid for item in checked.items if not item.agrees}
        for row in pending:
            if attempt and row["uid"] not in failed:
                attempts[text_key(row["intermediate"])] = attempt
        print(f"attempt {attempt}: {len(pending) - len(failed)} of {len(pending)} clips followed", file=sys.stderr)
        pending = [row for row in pending if row["uid"] in failed]
        if not pending:
            break
    return attempts, [row["uid"] for row in pending]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--uids",
        help="comma-separated: only these items, from --from-attempt on, added to the table as it is (for problems "
        "a run with fewer attempts left unfollowed; the same table as a whole run, whose verdicts are per clip)",
    )
    parser.add_argument("--from-attempt", type=int, default=1)
    args = parser.parse_args(argv)
    family = Spoken()
    family.respoken = {}  # every problem's first clip, as drawn with it
    if args.uids:
        wanted = set(args.uids.split(","))
        rows = [row for row in family.generate() if row["uid"] in wanted]
        found, unfollowed = find_attempts(rows, args.workers, first=args.from_attempt)
        attempts = {**Spoken.respoken, **found}
    else:
        attempts, unfollowed = find_attempts(family.generate(), args.workers)
    lines = "".join(f"    {json.dumps(key)}: {attempt},\n" for key, attempt in sorted(attempts.items()))
    body = "{\n" + lines + "}" if lines else "{}"
    TABLE.write_text(_HEADER + "RESPOKEN: dict[str, int] = " + body + "\n", encoding="utf-8")
    print(f"wrote {len(attempts)} problems spoken again to {TABLE}", file=sys.stderr)
    if unfollowed:
        print(f"no attempt followed: {', '.join(unfollowed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
