"""The process `scoring.equivalence` runs math-verify in: one JSON request per line in, one verdict per line out.

Run as ``python -m lmms_compgap.scoring.equivalence_worker``. It first answers ``{"ready": true}`` (or
``{"ready": false, "error": ...}`` when math-verify cannot be imported), then for each request
``{"gold": ..., "answer": ...}`` (both already in the LaTeX form math-verify reads) one line
``{"equal": bool, "reason": str | null}``. math-verify's own time limits use SIGALRM, so they are off here:
the parent process bounds each comparison by the clock and ends this process when it runs over. Memory is
bounded too, so that an answer such as ``10^{10^{10}}`` fails here with MemoryError instead of exhausting
the machine.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

#: Address space the worker may use (bytes): sympy on a hostile answer must fail here, not take the machine.
MEMORY_LIMIT = 4 * 1024**3


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on POSIX: the parent's time limit still bounds every comparison
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _reply(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    _limit_memory()
    logging.disable(logging.WARNING)  # math-verify warns on every call that its own (signal) timeout is off
    try:
        from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify
    except Exception as error:  # noqa: BLE001 - any import failure is reported to the parent, which explains it
        _reply({"ready": False, "error": f"{type(error).__name__}: {error}"})
        return
    configs = [LatexExtractionConfig(), ExprExtractionConfig()]
    _reply({"ready": True})
    for line in sys.stdin:
        try:
            request = json.loads(line)
            gold = parse(request["gold"], extraction_config=configs, parsing_timeout=None)
            if not gold:
                _reply({"equal": False, "reason": "math-verify cannot read the gold answer"})
                continue
            answer = parse(request["answer"], extraction_config=configs, parsing_timeout=None)
            if not answer:
                _reply({"equal": False, "reason": "math-verify cannot read the answer as mathematics"})
                continue
            _reply({"equal": bool(verify(gold, answer, timeout_seconds=None)), "reason": None})
        except MemoryError:
            _reply({"equal": False, "reason": "the comparison needs more memory than allowed (a huge number?)"})
        except Exception as error:  # noqa: BLE001 - a failed comparison is a verdict, not a crash
            _reply({"equal": False, "reason": f"math-verify failed: {type(error).__name__}: {str(error)[:200]}"})


if __name__ == "__main__":
    main()
