"""Model output is untrusted: every parser and scorer survives thousands of hostile inputs, quickly.

Each property runs 3,000 generated cases in CI (10,000 with COMPGAP_FUZZ_CASES=10000): arbitrary unicode,
control characters, huge numbers, deeply nested and enormous expressions, envelope look-alikes; it asserts no
crash other than the documented error types, and a bounded time per call. CI sets CI=true; elsewhere the
default is 500 cases (about 5 s) so that the test suite stays quick; COMPGAP_FUZZ_CASES=N overrides.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from lmms_compgap import scoring
from lmms_compgap.core.registry import families, generated_family_names
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import SETTINGS, decode_cascade_request, decode_cascade_response
from lmms_compgap.families.cards.parse import parse_cards
from lmms_compgap.families.count.parse import parse_objects
from lmms_compgap.scoring import arith
from tests.fixtures.hostile import HOSTILE, bounded, hostile_text

ROWS = {name: family.generate(size=20) for name, family in families().items() if family.has_data_file}


@HOSTILE
@given(hostile_text, st.text(max_size=400))
def test_every_parser_of_model_output_survives_hostile_text(text: str, reference: str) -> None:
    """One generated input per case, fed to every extractor, parser and decoder (10,000 cases each)."""
    strict = bounded(lambda: scoring.extract_strict_answer(text))
    flexible = bounded(lambda: scoring.extract_flexible_answer(text))
    assert strict is None or isinstance(strict, str)
    assert flexible is None or isinstance(flexible, str)
    bounded(lambda: scoring.normalize_number(text))
    bounded(lambda: scoring.words_to_int(text))
    result = bounded(lambda: scoring.score_number(text, "42"))
    assert result["strict"] <= result["correct"]

    assert bounded(lambda: scoring.character_error_rate(text, reference)) >= 0.0
    bounded(lambda: scoring.normalize_text(text))

    value = bounded(lambda: arith.evaluate_expression(text), allowed=(arith.ExpressionError,))
    assert value is None or value.denominator > 0
    bounded(lambda: scoring.extract_expression(text))
    assert bounded(lambda: arith.check_make_target(text, [3, 3, 8, 8]))["valid"] in (True, False)

    bounded(lambda: parse_objects(text))
    bounded(lambda: parse_cards(text))

    assert bounded(lambda: decode_cascade_request(text)) is None or "compgap_cascade_request" in text
    assert bounded(lambda: decode_cascade_response(text)).failed_step in (None, 1, 2)


@HOSTILE
@given(hostile_text, st.sampled_from(generated_family_names()), st.sampled_from(SETTINGS), st.integers(0, 19))
def test_every_setting_scores_any_response_as_a_plain_record(text: str, family: str, setting: str, index: int) -> None:
    row = ROWS[family][index]
    response = text
    if setting == "cascade":  # half the time a well-formed envelope carrying the hostile text
        response = json.dumps({"tag": "compgap_cascade_response", "step1": text, "step2": text}) if index % 2 else text
    result = bounded(lambda: score_response(row, setting, response))
    record = result["compgap"]
    assert record["correct"] in (0, 1) and record["strict"] in (0, 1)
    json.dumps(result)  # everything logged is plain JSON


def test_envelope_look_alikes_with_huge_integers_or_deep_nesting_are_failed_steps() -> None:
    """JSON that Python refuses to parse (an integer of more than 4,300 digits, nesting past the recursion
    limit) is a malformed envelope like any other, not a crash (found by tests/scoring/test_linear_time.py)."""
    for text in ('{"tag": "compgap_cascade_response", "x": ' + "9" * 8000 + "}", "[" * 100_000 + "]" * 100_000):
        assert decode_cascade_response(text).failed_step == 1
        assert decode_cascade_request("compgap_cascade_request" + text) is None
        for family, rows in ROWS.items():
            assert score_response(rows[0], "cascade", text)["compgap"]["failed_step"] == 1, family
