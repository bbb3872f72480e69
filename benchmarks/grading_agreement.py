"""How often our scores agree with a careful grader, next to two extractors the field uses, on the grading corpus.

    python benchmarks/grading_agreement.py                   # Markdown tables and every disagreement
    python benchmarks/grading_agreement.py --json            # the same, as JSON
    python benchmarks/grading_agreement.py --no-math-verify  # skip math-verify (it needs `compgap setup math-verify`)
    python benchmarks/grading_agreement.py --corpus heldout  # the held-out corpus instead of the first one

The first corpus (`tests/data/grading_corpus/<family>.jsonl`, written by `benchmarks/grading_corpus/write_corpus.py`)
holds realistic responses to real items of the committed test split, each with a careful grader's flexible and
strict verdict. Each response is scored here exactly as `compgap score` scores it: by
`lmms_compgap.core.results.score_response` with the item's full test row (a cascade response is wrapped in the
envelope `compgap_cascade` writes, step 1 being the gold intermediate, which the final answer's score does not
read). The held-out corpus (`tests/data/grading_corpus/heldout/<family>.jsonl`, written blind by
`benchmarks/grading_corpus/write_heldout.py`) has the same line format; nobody tunes the scorer on it, so its
agreement is the one that says how the scorer does on answers it has not seen. Beside our two scores, the
same responses go through:

- lm-evaluation-harness's GSM8K `flexible-extract`: the regular expression `(-?[$0-9.,]{2,})|(-?[0-9]+)`, the
  last match (`group_select: -1`), its first non-empty group, stripped; then, as its `exact_match` does, `,`, `$`
  and a final `.` removed; compared numerically with the target (a target that is not a number, such as a
  time or a make-24 expression, is compared as text);
- math-verify's `parse` of the whole response and `verify` against the parsed target, run in the worker process
  that scores MATH-500 (`lmms_compgap.scoring.equivalence_worker`, with math-verify from its own folder).

Both extractors only find an answer, so their agreement is with the grader's flexible verdict.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# Measure the checkout's scorer, not whatever copy is installed (run as `python benchmarks/grading_agreement.py`,
# the script's own folder would come first on the path and an older installed package would be measured).
sys.path.insert(0, str(REPO))

from lmms_compgap.core.registry import generated_family_names, get_family  # noqa: E402
from lmms_compgap.core.rendering import rendering_of  # noqa: E402
from lmms_compgap.core.settings import ANSWER_SETTINGS  # noqa: E402

CORPUS = REPO / "tests" / "data" / "grading_corpus"
#: The corpora by name: the first one (the scorer is fixed against its disagreements) and the held-out one.
CORPORA = {"first": CORPUS, "heldout": CORPUS / "heldout"}
#: Every generated family has a corpus (the test fails for one that has none), but a rendering variant: it has its
#: base family's items, prompts and scorer (only its pictures differ), so the base's corpus grades it.
FAMILIES = tuple(name for name in generated_family_names() if rendering_of(get_family(name)) is None)
#: A target that is a plain number (not a time, not a make-24 expression).
NUMBER = re.compile(r"-?[0-9]+")
FIELDS = ("family", "setting", "uid", "doc_id", "target", "response", "flexible", "strict", "style", "reason")

#: lm-evaluation-harness's GSM8K flexible-extract pattern (tasks/gsm8k/gsm8k.yaml, `group_select: -1`).
GSM8K_FLEXIBLE = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")
#: What its exact_match ignores before comparing (`regexes_to_ignore` of the same YAML).
GSM8K_IGNORE = (re.compile(r","), re.compile(r"\$"), re.compile(r"(?s).*#### "), re.compile(r"\.$"))


def test_rows(family: str) -> list[dict[str, Any]]:
    """The committed test split of `family`, in doc-id order."""
    path = REPO / "task_yamls" / family / "data" / "test.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def load_corpus(families: Iterable[str] = FAMILIES, corpus: str = "first") -> list[dict[str, Any]]:
    """Every line of the corpus named `corpus` (a key of CORPORA) for `families`, in file order."""
    lines: list[dict[str, Any]] = []
    for family in families:
        text = (CORPORA[corpus] / f"{family}.jsonl").read_text(encoding="utf-8")
        lines += [json.loads(line) for line in text.splitlines() if line.strip()]
    return lines


def our_scores(entry: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """Our flexible and strict scores of one corpus response, through `score_response` as `compgap score` calls it."""
    from lmms_compgap.core.results import score_response
    from lmms_compgap.core.settings import CascadeResponse

    response = entry["response"]
    if entry["setting"] == "cascade":
        response = CascadeResponse(step1=row["intermediate"], step2=response).encode()
    record = score_response(row, entry["setting"], response)["compgap"]
    return {"correct": record["correct"], "strict": record["strict"], "extracted": record["extracted"]}


def gsm8k_flexible_extract(response: str) -> str:
    """What lm-evaluation-harness's GSM8K flexible-extract filter returns ("[invalid]" when nothing matches)."""
    found = GSM8K_FLEXIBLE.findall(response)
    if not found:
        return "[invalid]"
    groups = found[-1]
    return [group for group in groups if group][0].strip()


def _gsm8k_clean(text: str) -> str:
    for pattern in GSM8K_IGNORE:
        text = pattern.sub("", text)
    return text.strip()


def gsm8k_correct(response: str, target: str) -> int:
    """1 when the flexible-extract answer equals the target once GSM8K's ignored characters are removed."""
    extracted, gold = _gsm8k_clean(gsm8k_flexible_extract(response)), _gsm8k_clean(target)
    try:
        return int(Decimal(extracted) == Decimal(gold))
    except InvalidOperation:
        return int(extracted == gold)


class MathVerify:
    """math-verify's `parse` of a whole response and `verify` against the target, in the worker process that scores
    MATH-500 (`scoring.equivalence`: math-verify from its own folder, each comparison bounded in time)."""

    def __init__(self) -> None:
        from lmms_compgap.scoring.equivalence import _Worker

        # Our own worker, not `equivalence.equivalent`: that one reads its argument as an answer already extracted
        # (it wraps plain text in $...$), while the field hands math-verify the whole response.
        self.worker = _Worker()

    def correct(self, response: str, target: str) -> int:
        from lmms_compgap.scoring.equivalence import as_math

        return int(self.worker.compare(as_math(target), response).equal)

    def close(self) -> None:
        self.worker.stop()


@dataclass
class Scored:
    """One corpus response with the grader's verdicts and every scorer's."""

    family: str
    setting: str
    uid: str
    style: str
    target: str
    response: str
    reason: str
    grader_flexible: int
    grader_strict: int
    ours_flexible: int
    ours_strict: int
    ours_extracted: Any
    gsm8k: int | None = None
    math_verify: int | None = None


def score_corpus(
    lines: list[dict[str, Any]], math_verify: MathVerify | None = None, gsm8k: bool = True
) -> list[Scored]:
    """Score every corpus line with our scorer (and, when asked, the two field extractors)."""
    rows = {family: test_rows(family) for family in {line["family"] for line in lines}}
    out = []
    for line in lines:
        row = rows[line["family"]][line["doc_id"]]
        ours = our_scores(line, row)
        out.append(
            Scored(
                family=line["family"],
                setting=line["setting"],
                uid=line["uid"],
                style=line["style"],
                target=line["target"],
                response=line["response"],
                reason=line["reason"],
                grader_flexible=line["flexible"],
                grader_strict=line["strict"],
                ours_flexible=ours["correct"],
                ours_strict=ours["strict"],
                ours_extracted=ours["extracted"],
                gsm8k=gsm8k_correct(line["response"], line["target"]) if gsm8k else None,
                math_verify=math_verify.correct(line["response"], line["target"]) if math_verify else None,
            )
        )
    return out


def agreement(scored: list[Scored]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (family, setting), per family (setting "all"), overall ("all", "all") and over the responses whose target
    is a number ("numbers", "all"; not a time, not a make-24 expression): n and each agreement rate."""
    groups: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for item in scored:
        for key in ((item.family, item.setting), (item.family, "all"), ("all", "all")):
            groups[key].append(item)
        if NUMBER.fullmatch(item.target):  # the extractors of the field read numbers only: their fair ground
            groups[("numbers", "all")].append(item)
    table = {}
    for key, items in groups.items():
        n = len(items)
        cell: dict[str, Any] = {
            "n": n,
            "flexible": sum(i.ours_flexible == i.grader_flexible for i in items) / n,
            "strict": sum(i.ours_strict == i.grader_strict for i in items) / n,
            "graded_right": sum(i.grader_flexible for i in items),
        }
        if items[0].gsm8k is not None:
            cell["gsm8k"] = sum(i.gsm8k == i.grader_flexible for i in items) / n
        if items[0].math_verify is not None:
            cell["math_verify"] = sum(i.math_verify == i.grader_flexible for i in items) / n
        table[key] = cell
    return table


def disagreements(scored: list[Scored]) -> list[Scored]:
    """The responses where our flexible or strict score differs from the grader's."""
    return [i for i in scored if (i.ours_flexible, i.ours_strict) != (i.grader_flexible, i.grader_strict)]


def _ordered_keys(table: dict[tuple[str, str], Any]) -> list[tuple[str, str]]:
    keys = []
    for family in [*FAMILIES, "all", "numbers"]:
        for setting in [*ANSWER_SETTINGS, "all"]:
            if (family, setting) in table:
                keys.append((family, setting))
    return keys


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def markdown(table: dict[tuple[str, str], dict[str, Any]], different: list[Scored]) -> str:
    """The agreement table and the list of disagreements, in Markdown."""
    out = [
        "| family | setting | n | graded right | ours, flexible | ours, strict | GSM8K flexible-extract | "
        "math-verify |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for family, setting in _ordered_keys(table):
        cell = table[(family, setting)]
        label = (f"**{family}**", "**all**") if setting == "all" else (family, setting)
        if family == "numbers":
            label = ("**all, number targets only**", "**all**")
        out.append(
            f"| {label[0]} | {label[1]} | {cell['n']} | {cell['graded_right']} | {_pct(cell['flexible'])} | "
            f"{_pct(cell['strict'])} | {_pct(cell.get('gsm8k'))} | {_pct(cell.get('math_verify'))} |"
        )
    out += ["", f"## Disagreements with the grader ({len(different)})", ""]
    if different:
        out += [
            "| family | setting | uid | style | grader (flexible/strict) | ours | ours read | response (end) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i in different:
            tail = i.response[-160:].replace("\n", "⏎").replace("|", "\\|")
            out.append(
                f"| {i.family} | {i.setting} | {i.uid} | {i.style} | {i.grader_flexible}/{i.grader_strict} "
                f"| {i.ours_flexible}/{i.ours_strict} | {i.ours_extracted} | {tail} |"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--no-math-verify", action="store_true", help="leave math-verify out")
    parser.add_argument("--family", choices=FAMILIES, action="append", help="only these families (repeatable)")
    parser.add_argument(
        "--corpus",
        choices=sorted(CORPORA),
        default="first",
        help="which corpus to measure (default: first; heldout: the one nobody tunes on)",
    )
    args = parser.parse_args(argv)
    families = tuple(args.family or FAMILIES)
    verifier = None if args.no_math_verify else MathVerify()
    from lmms_compgap.scoring.equivalence import MathVerifyUnavailable

    try:
        scored = score_corpus(load_corpus(families, args.corpus), verifier)
    except MathVerifyUnavailable as error:
        print(f"grading_agreement: {error}; or pass --no-math-verify", file=sys.stderr)
        return 1
    finally:
        if verifier is not None:
            verifier.close()
    table = agreement(scored)
    different = disagreements(scored)
    where = CORPORA[args.corpus].relative_to(REPO)
    if args.json:
        payload = {
            "corpus": args.corpus,
            "path": str(where),
            "agreement": [{"family": f, "setting": s, **table[(f, s)]} for f, s in _ordered_keys(table)],
            "disagreements": [asdict(i) for i in different],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        print(f"Corpus: {args.corpus} (`{where}`)\n")
        print(markdown(table, different))
    return 0


if __name__ == "__main__":
    sys.exit(main())
