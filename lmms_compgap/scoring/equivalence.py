"""Whether an answer is mathematically equivalent to the gold one, as math-verify decides, within a time limit.

Equivalence is math-verify's (https://github.com/huggingface/Math-Verify): LaTeX and plain expressions are
parsed into sympy and compared (``\\frac{1}{2}``, ``0.5`` and ``1/2`` are equal; intervals compare their
ends and brackets; sets ignore order). This module only hands it the two answers and bounds the cost:
sympy can take hours on a hostile answer (``9^{9^{9}}``), and math-verify's own limit uses SIGALRM, which
does not work in the threads lmms-eval scores in. So comparisons run in one worker process
(`equivalence_worker`), one at a time, each limited to `TIMEOUT` seconds (the worker is ended and restarted
when one runs over: that answer is not credited, with the reason). Verdicts are cached per (gold, answer).

math-verify lives apart from the environment. Every math-verify release parses LaTeX with an antlr runtime of
4.9.3 or newer, while lmms-eval 0.7.3 depends on latex2sympy2 1.9.1, which pins antlr4-python3-runtime 4.7.2: pip
cannot install both (and pip's math-verify next to lmms-eval resolves to 0.1.0, which does not import). Forcing
antlr 4.9.3 into the environment would make every later dependency-checking `pip install` fail on the pin. So
`compgap setup math-verify` installs the pinned `MATH_VERIFY_PINS` into their own folder (`math_verify_dir()`),
and only the worker process puts that folder first on its path.
"""

from __future__ import annotations

import functools
import json
import os
import re
import select
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from lmms_compgap.scoring.numbers import normalize_number

#: Seconds one comparison may take (math-verify's own default limit is 5 s per parse and per comparison).
TIMEOUT = 10.0
#: Seconds the worker may take to start (it imports sympy and math-verify).
STARTUP_TIMEOUT = 120.0
#: Answers longer than this are not compared (no final answer of MATH is nearly this long).
MAX_ANSWER_CHARS = 1000
#: math-verify and the LaTeX parser it runs with, as tested (bump together, then run the MATH-500 tests).
MATH_VERIFY_PINS: tuple[str, ...] = (
    "math-verify==0.9.0",
    "latex2sympy2_extended==1.11.0",
    "antlr4-python3-runtime==4.9.3",
)
#: Where `compgap setup math-verify` installs them (default: inside the environment, see `math_verify_dir`).
DIR_ENV = "COMPGAP_MATH_VERIFY_DIR"
INSTALL_HINT = "run `compgap setup math-verify` (installs math-verify apart from lmms-eval's antlr 4.7.2; needs PyPI)"
_DELIMITED = re.compile(r"\$|\\\(|\\\[|\\boxed")
_WORDS = re.compile(r"[A-Za-z][A-Za-z ()'.-]*")


def math_verify_dir() -> Path:
    """The folder math-verify is installed into and the worker imports it from (`$COMPGAP_MATH_VERIFY_DIR`, else
    `<environment>/share/lmms-compgap/math-verify`)."""
    return Path(os.environ.get(DIR_ENV) or Path(sys.prefix) / "share" / "lmms-compgap" / "math-verify")


def install_math_verify(target: Path | None = None) -> Path:
    """Install `MATH_VERIFY_PINS` into `target` (default `math_verify_dir()`) with pip, apart from the environment."""
    target = target or math_verify_dir()
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--upgrade", "--target", str(target)]
    subprocess.run([*command, *MATH_VERIFY_PINS], check=True)
    return target


class MathVerifyUnavailable(RuntimeError):
    """math-verify cannot be imported in this environment."""


@dataclass(frozen=True)
class Equivalence:
    """math-verify's verdict; `reason` says why an answer was not compared or could not be read."""

    equal: bool
    reason: str | None = None


def as_math(text: str) -> str:
    """An answer as math-verify reads it: a number in words as digits, plain words as ``\\text{}``, anything else
    inside ``$...$`` unless it already has math delimiters."""
    text = text.strip()
    if _DELIMITED.search(text):
        return text
    number = normalize_number(text) if any(char.isalpha() for char in text) else None
    if number is not None:
        return f"${number}$"
    if _WORDS.fullmatch(text):
        return f"$\\text{{{text}}}$"
    return f"${text}$"


class _Worker:
    """The worker process, started on first use and again after a comparison ran over its time."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def _read(self, timeout: float) -> dict | None:
        process = self._process
        assert process is not None and process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            return None
        line = process.stdout.readline()
        return json.loads(line) if line else None

    def _start(self) -> None:
        env = dict(os.environ)
        folder = math_verify_dir()
        if folder.is_dir():  # first on the path: its antlr runtime shadows lmms-eval's 4.7.2 in this process only
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), env.get("PYTHONPATH", "")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "lmms_compgap.scoring.equivalence_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        hello = self._read(STARTUP_TIMEOUT)
        if not hello or not hello.get("ready"):
            self.stop()
            detail = (hello or {}).get("error", "the worker did not start")
            raise MathVerifyUnavailable(f"math-verify is not usable here ({detail}); install it: {INSTALL_HINT}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def compare(self, gold: str, answer: str) -> Equivalence:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            process = self._process
            assert process is not None and process.stdin is not None
            try:
                process.stdin.write((json.dumps({"gold": gold, "answer": answer}) + "\n").encode("utf-8"))
                process.stdin.flush()
                verdict = self._read(TIMEOUT)
            except (BrokenPipeError, ValueError, OSError):
                verdict = None
            if verdict is None:
                self.stop()
                return Equivalence(False, f"the comparison did not finish within {TIMEOUT:g} s")
            return Equivalence(bool(verdict.get("equal")), verdict.get("reason"))


_WORKER = _Worker()


def ensure_available() -> None:
    """Start the worker now (MathVerifyUnavailable, with what to install, when math-verify cannot run)."""
    with _WORKER._lock:
        if _WORKER._process is None or _WORKER._process.poll() is not None:
            _WORKER._start()


@functools.lru_cache(maxsize=65536)
def equivalent(gold: str, answer: str) -> Equivalence:
    """Whether `answer` equals `gold` (both as written: LaTeX, plain expressions or words), by math-verify."""
    if len(answer) > MAX_ANSWER_CHARS:
        return Equivalence(False, f"the answer is longer than {MAX_ANSWER_CHARS} characters")
    return _WORKER.compare(as_math(gold), as_math(answer))
