"""The ranking rule: a weak or sandbagging model never tops an honest strong one, and degrading never pays.

The field (`LEADERBOARD_FIELD`) goes through the whole path: simulated lmms-eval output, `submit`,
then `build_leaderboard`, which verifies and re-scores every response. The properties are checked on
the rule itself (ranking.py) over random items and random degradations.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import SETTINGS
from lmms_compgap.report.compute.ranking import MIN_SKILLED, Standing, competition_place, explain, ranks, standing
from lmms_compgap.report.compute.scores import ItemScore
from lmms_compgap.report.render.leaderboard import leaderboard_markdown
from lmms_compgap.report.simulate import LEADERBOARD_FIELD, SimulatedModel, simulated_responses
from lmms_compgap.report.submissions.document import rescore
from lmms_compgap.report.submissions.verify import verify_submission
from tests.helpers import FIELD_LIMIT, Field, complete_at

Scores = dict[str, dict[str, dict[str, ItemScore]]]


def _stems(entries: list) -> list[str]:
    return [entry.verified.path.name.removesuffix(".json") for entry in entries]


# ---- the simulated field, through verification ---------------------------------------------------
def test_the_field_is_placed_strong_first_and_the_model_without_skills_apart(leaderboard_field: Field) -> None:
    board = leaderboard_field.board
    ranked = _stems(board.ranked)
    assert ranked[:2] == ["strong-composer", "sandbagger"]  # one shared rank; the honest one listed first
    assert sorted(ranked[2:4]) == ["twin-a", "twin-b"]
    assert ranked[4:] == ["weak-composer", "weak-language"]
    assert [entry.rank for entry in board.ranked] == [1, 1, 3, 4, 5, 6]
    assert [entry.rank_text for entry in board.ranked][:2] == ["1=", "1="]
    assert _stems(board.unranked) == ["hostile", "no-skills"]  # partial (4 items), then no skills
    assert board.unranked[0].verified.partial and "--include-partial" in board.unranked[0].standing.apart
    apart = leaderboard_field.entry("no-skills")
    assert apart.rank is None and apart.standing.skilled < MIN_SKILLED
    assert "too few to measure" in apart.standing.apart
    assert not board.rejected


def test_the_sandbagger_gains_nothing_though_its_gap_would_have_put_it_first(leaderboard_field: Field) -> None:
    honest, sandbagger = leaderboard_field.entry("strong-composer"), leaderboard_field.entry("sandbagger")
    # Its own cascade answered wrong on purpose: the gap (the old ranked quantity) drops below every other entry's.
    gaps = {entry.label: entry.estimates.mean["gap"].value for entry in leaderboard_field.board.ranked}
    assert sandbagger.estimates.mean["gap"].value == min(gaps.values()) < honest.estimates.mean["gap"].value
    assert sandbagger.estimates.mean["cascade"].value < honest.estimates.mean["cascade"].value - 0.5
    # Its vision and language answers still show the skills: the same composed accuracy, no better a place.
    assert sandbagger.standing.composed == honest.standing.composed
    assert sandbagger.rank == honest.rank
    assert sandbagger.standing.placement() < honest.standing.placement()


def test_strong_skills_composed_weakly_rank_below_the_strong_composer(leaderboard_field: Field) -> None:
    strong, weak = leaderboard_field.entry("strong-composer"), leaderboard_field.entry("weak-composer")
    assert abs(strong.standing.skilled - weak.standing.skilled) < 0.05  # the same skills ...
    assert weak.standing.composed < strong.standing.composed - 0.3  # ... composed far less often
    assert weak.estimates.mean["composed"].ci[1] < strong.estimates.mean["composed"].ci[0]


def test_strong_direct_with_a_weak_language_setting_tops_direct_accuracy_not_the_ranking(
    leaderboard_field: Field,
) -> None:
    board = leaderboard_field.board
    weak_language = leaderboard_field.entry("weak-language")
    assert weak_language.estimates.mean["language"].value < 0.3
    # Its direct answers beat everyone's, but most are on items where it shows no language skill: not credited.
    assert weak_language.standing.skilled < 0.3 and weak_language.rank == len(board.ranked)
    assert "not credited" in explain(weak_language.standing)
    by_direct = leaderboard_markdown(board).split("## By direct accuracy")[1].split("## ")[0]
    first_row = next(line for line in by_direct.splitlines() if line.startswith("| 1 "))
    assert "demo/strong-direct-weak-language" in first_row


def test_two_equal_models_differing_by_noise_stand_together_and_are_not_told_apart(leaderboard_field: Field) -> None:
    board = leaderboard_field.board
    first, second = board.ranked[2], board.ranked[3]
    assert {first.label, second.label} == {"demo/twin-a", "demo/twin-b"}
    low, high = first.lead.ci
    assert low < 0 < high and first.lead.value == pytest.approx(first.standing.composed - second.standing.composed)
    # Both are told apart from their neighbours.
    assert board.ranked[1].lead.ci[0] > 0 and second.lead.ci[0] > 0


def test_the_ranked_quantity_is_recomputed_from_the_rescored_responses(leaderboard_field: Field) -> None:
    for entry in leaderboard_field.board.ranked + leaderboard_field.board.unranked:
        with complete_at(FIELD_LIMIT):
            verified = verify_submission(entry.verified.path)
        recomputed = standing(verified.scores)
        assert dataclasses.replace(recomputed, apart=entry.standing.apart) == entry.standing
        assert entry.estimates.mean["composed"].value == entry.standing.composed
        low, high = entry.estimates.mean["composed"].ci
        assert low <= entry.standing.composed <= high


# ---- sandbagging through the simulator and the real scorer ---------------------------------------
def _scores(model: SimulatedModel, limit: int = 120) -> Scores:
    scores: Scores = {}
    for family in ("cards", "count", "mathtext"):
        for row in get_family(family).installed_rows()[:limit]:
            for setting, response in simulated_responses(row, model).items():
                scores.setdefault(family, {}).setdefault(setting, {})[row["uid"]] = rescore(row, setting, response)
    return scores


@pytest.mark.parametrize(
    "sandbag",
    [
        {"cascade": 0.9},
        {"vision": 0.9},
        {"language": 0.9},
        {"cascade": 0.9, "language": 0.9},  # a step-2 prompt handled badly on purpose
        {"cascade": 1.0, "vision": 1.0, "language": 1.0},
    ],
)
def test_sandbagging_any_setting_never_raises_the_standing(sandbag: dict[str, float]) -> None:
    honest = LEADERBOARD_FIELD["strong-composer"]
    sandbagger = dataclasses.replace(honest, sandbag=sandbag)
    before, after = standing(_scores(honest)), standing(_scores(sandbagger))
    assert after.placement() <= before.placement()
    assert after.composed <= before.composed and after.skilled <= before.skilled and after.direct == before.direct
    if sandbag.keys() == {"cascade", "vision", "language"}:  # no skill left to show: listed apart, below everyone
        assert after.apart is not None and after.composed == 0.0


# ---- the rule's properties, over random items and degradations ----------------------------------
_ITEM_FLAGS = ("direct", "cascade", "cascade_usable", "cot", "vision", "language")


@st.composite
def _entries(draw: st.DrawFn) -> list[dict[str, tuple[bool, ...]]]:
    """Per family, per item, 0/1 flags of every setting (the cascade has an answer and a step-1 verdict)."""
    families = draw(st.integers(1, 3))
    return [
        {flag: tuple(draw(st.lists(st.booleans(), min_size=n, max_size=n))) for flag in _ITEM_FLAGS}
        for n in [draw(st.integers(1, 12)) for _ in range(families)]
    ]


def _to_scores(entry: list[dict[str, tuple[bool, ...]]]) -> Scores:
    scores: Scores = {}
    for index, flags in enumerate(entry):
        family = f"family{index}"
        for setting in SETTINGS:
            items = {}
            for item, right in enumerate(flags[setting]):
                usable = None
                if setting == "vision":
                    usable = int(right)
                elif setting == "cascade":
                    usable = int(flags["cascade_usable"][item])
                items[f"{family}-{item}"] = ItemScore(f"{family}-{item}", int(right), int(right), usable)
            scores.setdefault(family, {})[setting] = items
    return scores


def _degrade(entry: list[dict[str, tuple[bool, ...]]], masks: list[list[bool]], flag: str) -> list[dict]:
    """Turn `flag` to 0 on the masked items (a response made worse on purpose)."""
    return [
        {**flags, flag: tuple(value and not cut for value, cut in zip(flags[flag], mask, strict=False))}
        for flags, mask in zip(entry, masks, strict=True)
    ]


def _position(standings: list[Standing], index: int) -> tuple[int | None, int]:
    """(rank, how many entries are listed strictly above) of standings[index]."""
    mine = standings[index].placement()
    return ranks(standings)[index], sum(other.placement() > mine for other in standings)


@settings(max_examples=300, deadline=None)
@given(
    entry=_entries(),
    others=st.lists(_entries(), max_size=4),
    flags=st.lists(st.sampled_from(_ITEM_FLAGS), min_size=1, max_size=3),
    data=st.data(),
)
def test_no_degradation_of_any_setting_raises_an_entry_or_lowers_another(
    entry: list[dict], others: list[list[dict]], flags: list[str], data: st.DataObject
) -> None:
    degraded = entry
    for flag in flags:
        masks = [data.draw(st.lists(st.booleans(), min_size=12, max_size=12)) for _ in degraded]
        degraded = _degrade(degraded, masks, flag)
    field = [standing(_to_scores(other)) for other in others]
    before, after = standing(_to_scores(entry)), standing(_to_scores(degraded))
    assert after.placement() <= before.placement()
    assert after.composed <= before.composed and after.skilled <= before.skilled
    assert before.apart is None or after.apart is not None
    rank_before, above_before = _position([before, *field], 0)
    rank_after, above_after = _position([after, *field], 0)
    assert above_after >= above_before
    if rank_after is not None:
        assert rank_before is not None and rank_after >= rank_before
    for index in range(1, len(field) + 1):  # nobody else is pushed down
        (other_rank_before, other_above_before) = _position([before, *field], index)
        (other_rank_after, other_above_after) = _position([after, *field], index)
        assert other_above_after <= other_above_before
        assert (other_rank_before is None) == (other_rank_after is None)
        assert other_rank_after is None or other_rank_after <= other_rank_before


@settings(max_examples=200, deadline=None)
@given(entry=_entries(), data=st.data())
def test_a_model_lacking_a_skill_never_ranks_above_one_that_has_both_and_composes_as_well(
    entry: list[dict], data: st.DataObject
) -> None:
    """The same direct answers; the other model lacks one skill on some items (its control and the pipeline that
    needs the skill fail there)."""
    skill = data.draw(st.sampled_from(["vision", "language"]))
    masks = [data.draw(st.lists(st.booleans(), min_size=12, max_size=12)) for _ in entry]
    lacking = _degrade(_degrade(entry, masks, skill), masks, "cascade")
    both, without = standing(_to_scores(entry)), standing(_to_scores(lacking))
    assert without.placement() <= both.placement()
    rank_both, rank_without = ranks([both, without])
    assert rank_without is None or (rank_both is not None and rank_both <= rank_without)


def test_equal_composed_accuracies_share_a_rank() -> None:
    assert competition_place([0.5, 0.5, 0.25], 0.5) == (1, True)
    assert competition_place([0.5, 0.5, 0.25], 0.25) == (3, False)
    assert competition_place([0.1 + 0.2, 0.3], 0.3) == (1, True)  # float noise is not a difference
