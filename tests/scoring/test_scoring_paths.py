"""The three scorers (lmms-eval's hooks, `compgap score`, `compgap verify`) give the same verdicts on the same rows.

Each family's answers are read against the row's question (issue 18); the responses here are ones whose verdict
depends on it, so a path that lost the question would disagree with the others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest

from lmms_compgap import scoring
from lmms_compgap.cli import main
from lmms_compgap.core.registry import get_family
from lmms_compgap.report.submissions.document import response_sha256
from lmms_compgap.report.submissions.verify import _rescore_items
from lmms_compgap.tasks import hooks

FAMILIES = ["mathtext", "count", "cards", "clock"]
ROWS_PER_FAMILY = 12


def _responses(row: dict[str, Any]) -> list[str]:
    """Responses whose verdict needs the question: the value attached to the noun asked about beside a relation to
    the givens, a percentage on a count, a sum verb, a difference of zero, a check cut off, and plain ones."""
    answer = row["answer"]
    asked = scoring.asked_quantity(row["question"])
    noun = max(asked.nouns, key=len) if asked is not None and asked.nouns else "of them"
    return [
        f"Answer: {answer}",
        f"That leaves {answer} {noun}, 12 more than before.",
        f"Answer: {answer} {noun}, 3 more than in the morning.",
        f"Answer: {answer}%",
        f"The cards are 9 and 8, which sum to {answer}.",
        "There is no difference; both are worth 10.",
        f"So it is {answer}. Let me verify: 9 + 8 is 1",
        f"**Final answer: {answer}**",
    ]


def _lmms_eval_docs(family: str) -> list[dict[str, Any]]:
    """The docs lmms-eval hands `process_results`: the installed data file loaded by `datasets`, as its task does."""
    loaded = datasets.load_dataset("json", data_files=str(get_family(family).data_file()), split="train")
    return loaded.select(range(ROWS_PER_FAMILY)).to_list()


@pytest.mark.parametrize("family", FAMILIES)
def test_hooks_compgap_score_and_verify_give_the_same_verdicts(family: str, tmp_path: Path, capsys) -> None:
    docs = _lmms_eval_docs(family)
    rows = get_family(family).installed_rows()
    lines = [(doc_id, response) for doc_id, doc in enumerate(docs) for response in _responses(doc)]

    by_hooks = [hooks.process_cot(docs[doc_id], [response])["compgap"] for doc_id, response in lines]
    hook_verdicts = [(record["correct"], record["strict"]) for record in by_hooks]

    path = tmp_path / "responses.jsonl"
    path.write_text("".join(json.dumps({"doc_id": d, "response": r}) + "\n" for d, r in lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["score", f"compgap_{family}_cot", str(path)]) == 0
    scored = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["correct"], line["strict"]) for line in scored] == hook_verdicts

    # `compgap verify` re-scores each claimed item and rejects the submission on any disagreement.
    items = [
        {
            "doc_id": d,
            "response": r,
            "sha256": response_sha256(r),
            "correct": c,
            "strict": s,
            "intermediate_usable": None,
        }
        for (d, r), (c, s) in zip(lines, hook_verdicts, strict=True)
    ]
    scores = _rescore_items(
        tmp_path / "submission.json", get_family(family), {"cot": {"task": f"compgap_{family}_cot", "items": items}}
    )
    assert len(scores["cot"]) == len(docs)
    assert [rows[doc_id]["question"] for doc_id, _ in lines] == [docs[doc_id]["question"] for doc_id, _ in lines]

    # The verdicts depend on the question: read without it, some would differ (the cards' questions name no noun
    # and no count; their question-aware rows are in tests/scoring/test_grading.py).
    if family == "cards":
        return
    numeric = [scoring.normalize_number(rows[d]["answer"]) is not None for d, _ in lines]
    without = [
        scoring.score_number(r, rows[d]["answer"]) if ok else None for (d, r), ok in zip(lines, numeric, strict=True)
    ]
    assert any(v is not None and (v["correct"], v["strict"]) != h for v, h in zip(without, hook_verdicts, strict=True))
