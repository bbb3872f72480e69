"""Problem signatures: one per problem whatever its wording, holding all the answer needs; the training splits
leave out every test problem, and `compgap data overlap` measures it."""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lmms_compgap import cli
from lmms_compgap.core.data import DataIntegrityError
from lmms_compgap.core.family import Item, SplitSizeError
from lmms_compgap.core.registry import generated_family_names, get_family, paper_family_names
from lmms_compgap.core.splits import (
    SPLIT_VERSION,
    assert_no_test_problem,
    build_split,
    canonical_signatures,
    split_overlap,
)
from lmms_compgap.families.cards.deck import card_value, numeric_answer
from lmms_compgap.families.clock.questions import answer_text
from lmms_compgap.families.count.objects import matches
from lmms_compgap.families.mathtext.generate import _apply, _Step

FAMILIES = ("mathtext", "count", "cards", "clock")


# ---- the answer from the signature alone --------------------------------------------------------------------
def mathtext_answer(problem: dict[str, Any]) -> str:
    total = problem["start"]
    for op, value in problem["steps"]:
        total = _apply(total, _Step(op, value))
    return str(total)


def count_answer(problem: dict[str, Any]) -> str:
    colour, shape = problem["asked"]
    return str(sum(matches(c, s, colour, shape) for c, s in problem["objects"]))


def cards_answer(problem: dict[str, Any]) -> str | None:
    """The answer where ranks alone give it (total, range; make-24's values); None for colour and suit sums, whose
    signature leaves the suits out on purpose (several answers, one signature: more left out of training)."""
    question = problem["question"]
    if question["kind"] == "make24":
        return str(sorted(card_value(rank, question["rule"]) for rank in problem["ranks"]))
    if question["kind"] in ("colour_sum", "suit_sum"):
        return None
    return str(numeric_answer([(rank, "spades") for rank in problem["ranks"]], question))


def clock_answer(problem: dict[str, Any]) -> str:
    question = {"kind": problem["kind"], "offset": problem["offset"], "named": problem["named"]}
    return answer_text(problem["time"], question)


def expected_answer(family: str, item: Item) -> str | None:
    if family == "cards" and item.attributes["kind"] == "make24":
        return str(sorted(item.spec["question"]["values"]))
    if family == "cards" and item.attributes["kind"] in ("colour_sum", "suit_sum"):
        return None
    return item.answer


ANSWER_FROM_SIGNATURE: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "mathtext": mathtext_answer,
    "count": count_answer,
    "cards": cards_answer,
    "clock": clock_answer,
}


# ---- the same problem in other words ------------------------------------------------------------------------
def reword_mathtext(item: Item, rng: random.Random) -> Item:
    """Another person, friend and object: the story's words change, its numbers do not."""
    text = item.intermediate
    for old, new in (("s ", "z "), ("a", "o"), ("e", "i")):
        text = text.replace(old, new)
    solution = ("Start with them.", *item.solution[1:])
    return dataclasses.replace(
        item, intermediate=text, question=text.split(". ")[-1], spec={**item.spec, "text": text}, solution=solution
    )


def reword_count(item: Item, rng: random.Random) -> Item:
    """The objects moved and resized, listed in another order, asked about in other words."""
    objects = [[c, s, "large", rng.randint(0, 500), rng.randint(0, 500), 30.0] for c, s, *_ in item.spec["objects"]]
    rng.shuffle(objects)
    intermediate = "\n".join(f"{o[0]} {o[1]}" for o in objects)
    return dataclasses.replace(
        item, question="Count them, please.", intermediate=intermediate, spec={**item.spec, "objects": objects}
    )


def reword_cards(item: Item, rng: random.Random) -> Item:
    """The same ranks in other suits, elsewhere on another table."""
    cards = [{**card, "suit": rng.choice(["hearts", "clubs"]), "x": rng.uniform(0, 400)} for card in item.spec["cards"]]
    rng.shuffle(cards)
    return dataclasses.replace(item, intermediate="(reworded)", spec={**item.spec, "cards": cards, "background": {}})


def reword_clock(item: Item, rng: random.Random) -> Item:
    """Another dial; an offset in hours and minutes asked in minutes alone (or the other way round)."""
    question = dict(item.spec["question"])
    swap = {"later": "later_minutes", "later_minutes": "later"}
    question["kind"] = swap.get(question["kind"], question["kind"])
    return dataclasses.replace(
        item,
        question="(reworded)",
        spec={**item.spec, "question": question, "dial": {}, "face": [0, 0, 0], "radius": 99},
    )


REWORD: dict[str, Callable[[Item, random.Random], Item]] = {
    "mathtext": reword_mathtext,
    "count": reword_count,
    "cards": reword_cards,
    "clock": reword_clock,
}


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**40), reword_seed=st.integers(0, 2**32))
def test_a_signature_holds_the_answer_and_not_the_wording(family: str, seed: int, reword_seed: int) -> None:
    generator = get_family(family)
    for item in generator.generate_items(seed, 8):
        signature = generator.problem_signature(item)
        assert signature == json.dumps(json.loads(signature), sort_keys=True, separators=(",", ":"))  # canonical
        # Everything the answer needs is in the signature...
        answer = ANSWER_FROM_SIGNATURE[family](json.loads(signature))
        assert answer == expected_answer(family, item)
        # ...and nothing of the wording, names, objects' places or the picture.
        reworded = REWORD[family](item, random.Random(reword_seed))
        assert reworded != item
        assert generator.problem_signature(reworded) == signature


@pytest.mark.parametrize("family", FAMILIES)
def test_signatures_join_items_told_in_other_words(family: str) -> None:
    """In a real sample, some signatures are shared by items that differ in question or intermediate: the
    signature is coarser than the exact-duplicate check (which would miss them)."""
    generator = get_family(family)
    by_signature: dict[str, set[tuple[str, str]]] = {}
    for item in generator.generate_items(7, 4000):
        by_signature.setdefault(generator.problem_signature(item), set()).add((item.question, item.intermediate))
    assert any(len(wordings) > 1 for wordings in by_signature.values())


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    family=st.sampled_from(generated_family_names()),
    split=st.sampled_from(["train", "validation"]),
    seed=st.integers(0, 2**40),
    size=st.integers(1, 400),
)
def test_no_training_item_poses_a_test_problem(family: str, split: str, seed: int, size: int) -> None:
    generator = get_family(family)
    if seed == generator.canonical_seed:
        return
    data = build_split(generator, split, size, seed)
    assert len(data.items) == size
    assert not {generator.problem_signature(item) for item in data.items} & canonical_signatures(generator).keys()
    overlap = split_overlap(generator, data)
    assert (overlap.items, overlap.test_items) == (size, generator.canonical_size)
    assert overlap.items_sharing_signature == overlap.test_items_covered == 0


def test_the_check_names_an_item_posing_a_test_problem() -> None:
    generator = get_family("mathtext")
    test_item = generator.generate_items()[3]
    train = list(build_split(generator, "train", 4).items)
    retold = reword_mathtext(test_item, random.Random(0))
    with pytest.raises(DataIntegrityError, match=r"1 item\(s\) pose a test item's problem: item 4: \{\"start\""):
        assert_no_test_problem(generator, [*train, retold], "mathtext train")


def test_a_split_too_large_for_its_family_names_the_family_and_the_most_it_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generator = get_family("count")
    # A family whose every item is one problem: only one item can be found, in one of the two halves.
    monkeypatch.setattr(type(generator), "problem_signature", lambda self, item: '"one problem"')
    canonical_signatures.cache_clear()
    try:
        with pytest.raises(
            SplitSizeError, match=r"^count: the (train|validation) split cannot hold 3 items .*about 0 "
        ):
            for split in ("train", "validation"):
                build_split(generator, split, 3)
    finally:
        canonical_signatures.cache_clear()


def test_the_provenance_records_the_split_version() -> None:
    assert build_split(get_family("count"), "validation", 2).provenance()["split_version"] == SPLIT_VERSION == 2


def test_data_overlap_prints_each_family_and_split(capsys: pytest.CaptureFixture) -> None:
    assert (
        cli.main(["data", "overlap", "--task", "count", "--task", "clock", "--split", "validation", "--size", "40"])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"split version {SPLIT_VERSION}")
    rows = [line.split() for line in lines[2:]]
    assert [row[:4] for row in rows] == [["count", "validation", "40", "1000"], ["clock", "validation", "40", "1000"]]
    assert [row[4:6] for row in rows] == [["0", "(0)"], ["0", "(0)"]]


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        (["mathtext", "count"], ["mathtext", "count"]),
        (["paper"], sorted(paper_family_names())),
        (["count", "paper", "count"], ["count", *[name for name in sorted(paper_family_names()) if name != "count"]]),
        ([], list(generated_family_names())),
    ],
)
def test_task_accepts_several_families_and_the_papers(tasks: list[str], expected: list[str]) -> None:
    args = cli.build_parser().parse_args(["data", "verify", *[arg for task in tasks for arg in ("--task", task)]])
    assert cli._families(args.task) == expected


def test_an_unknown_task_is_refused_by_name(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        cli.main(["data", "export", "--out", "unused", "--task", "mathtext", "--task", "nosuch"])
    assert "invalid choice: 'nosuch'" in capsys.readouterr().err
