"""Scoring primitives: final answers (strict and flexible), numbers, expressions, transcriptions (CER), multisets.

Modules: `text` (preparing output for reading), `numbers` (number words and canonical forms),
`statements` (one statement's one value), `retraction` (where a response takes an answer back),
`questions` (what a question asks for), `answers` (the final answer of a response), `expressions` (an
arithmetic expression given as the answer), `similarity` (intermediates against the gold: CER, multiset F1).
"""

from lmms_compgap.scoring.answers import (
    ANSWER_IS_PHRASE,
    NUMBER,
    AnswerReading,
    AnswerSegment,
    AnswerType,
    answer_segments,
    extract_flexible_answer,
    extract_strict_answer,
    phrase_pattern,
    read_answer,
    reading_text,
    score_number,
)
from lmms_compgap.scoring.expressions import ExpressionReading, derive_expression, extract_expression, read_expression
from lmms_compgap.scoring.numbers import find_numbers, normalize_number, words_to_int
from lmms_compgap.scoring.questions import Asked, asked_quantity
from lmms_compgap.scoring.retraction import Cue, retraction_cues
from lmms_compgap.scoring.similarity import character_error_rate, edit_distance, multiset_f1, normalize_text
from lmms_compgap.scoring.statements import NUMBERS, Reading, Values, context_before, read_statement
from lmms_compgap.scoring.text import (
    boxed_contents,
    prepare_for_reading,
    strip_code_fences,
    strip_thinking,
    unwrap_latex,
)

__all__ = [
    "ANSWER_IS_PHRASE",
    "NUMBER",
    "NUMBERS",
    "AnswerReading",
    "Asked",
    "AnswerSegment",
    "AnswerType",
    "Cue",
    "ExpressionReading",
    "Reading",
    "answer_segments",
    "asked_quantity",
    "boxed_contents",
    "character_error_rate",
    "context_before",
    "derive_expression",
    "edit_distance",
    "extract_expression",
    "extract_flexible_answer",
    "extract_strict_answer",
    "find_numbers",
    "multiset_f1",
    "normalize_number",
    "normalize_text",
    "prepare_for_reading",
    "phrase_pattern",
    "read_answer",
    "read_expression",
    "read_statement",
    "reading_text",
    "retraction_cues",
    "score_number",
    "strip_code_fences",
    "strip_thinking",
    "unwrap_latex",
    "Values",
    "words_to_int",
]
