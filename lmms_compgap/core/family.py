"""What a composition task family declares: its tasks (prompts, versions, metrics, data check) and how its
items are made, drawn and scored. `lmms_compgap.core.registry` finds the families; `tasks.writer` writes
their task YAMLs from these declarations."""

from __future__ import annotations

import abc
import importlib
import json
import os
import random
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from PIL import Image

from lmms_compgap import scoring
from lmms_compgap.core import data as data_files
from lmms_compgap.core.data import DataIntegrityError, data_path, fingerprint_bytes, regenerate_hint, serialize_rows
from lmms_compgap.core.json_lines import read_json_lines
from lmms_compgap.core.prompts import template_fields
from lmms_compgap.core.regular import NotReadable, open_regular

if TYPE_CHECKING:
    from lmms_compgap.core.item_check import ItemCheck


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("a line must be a JSON object (one item)")
    return value


def canonical_json(value: Any) -> str:
    """The JSON text rows store for attributes and specs (sorted keys, no spaces): one value, one text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def row_json(row: dict[str, Any], column: str) -> dict[str, Any]:
    """A row's JSON column ("attributes", "spec") as a dict, whether the row holds its text or its value already
    decoded; {} when it is missing or not a JSON object (rows reaching scorers are verified, logged ones may not be)."""
    raw = row.get(column)
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else {}
    except (ValueError, RecursionError):
        parsed = {}
    return parsed if isinstance(parsed, dict) else {}


@dataclass(frozen=True)
class Item:
    """One item before it becomes a data row.

    `question` is what the textual skill is asked (it never contains the intermediate);
    `intermediate` is the gold output of the visual skill (transcription, object list, card list);
    `attributes` are the difficulty attributes results can be sliced by; `spec` is everything
    needed to draw the image, so drawing is a pure function of the row. `solution` is the textual
    skill's worked steps from the intermediate to the answer, written by the generator from what it
    computed (never by a model); fine-tuning targets are made of it. It is not part of the data row.
    """

    question: str
    answer: str
    intermediate: str
    attributes: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    solution: tuple[str, ...] = ()


class SplitSizeError(ValueError):
    """More items were asked for than the generator can find (distinct, and accepted) in its budget of draws."""


@dataclass(frozen=True)
class AnswerScore:
    """The final answer's score: `correct` is the flexible score, `strict` the format-following one."""

    extracted: str | None
    correct: int
    strict: int


@dataclass(frozen=True)
class IntermediateScore:
    """The visual skill's output against the gold intermediate.

    `exact` is exact match after normalisation; `score` the task's graded similarity (1 - CER for
    text, F1 for object and card lists); `usable` says whether a careful reader could solve the
    question from this output (used to attribute failures to perception).
    """

    exact: int
    score: float
    usable: int
    details: dict[str, Any] = field(default_factory=dict)


#: The fields each prompt may use: the question, the answer format, and (the textual step only) the intermediate.
PROMPT_FIELDS: dict[str, frozenset[str]] = {
    "answer_format": frozenset(),
    "direct_prompt": frozenset({"question", "answer_format"}),
    "cot_prompt": frozenset({"question", "answer_format"}),
    "visual_prompt": frozenset({"question", "answer_format"}),
    "textual_prompt": frozenset({"question", "answer_format", "intermediate"}),
}


@dataclass(frozen=True)
class Prompts:
    """A family's prompts, written into its task YAML's `lmms_eval_specific_kwargs` under these names.

    `direct_prompt` (image + question, one call), `cot_prompt` (the same, asking to do the visual step first),
    `visual_prompt` (the visual skill alone: the `vision` setting and the cascade's step 1) and `textual_prompt`
    (the textual skill from `{intermediate}`, text only: the `language` setting and the cascade's step 2). Each
    may use `{question}` and `{answer_format}`; `textual_prompt` must use `{intermediate}`.
    """

    answer_format: str
    direct_prompt: str
    cot_prompt: str
    visual_prompt: str
    textual_prompt: str

    def __post_init__(self) -> None:
        for key, allowed in PROMPT_FIELDS.items():
            template = getattr(self, key)
            if not isinstance(template, str) or not template.strip():
                raise ValueError(f"prompt {key} must be non-empty text")
            unknown = template_fields(template) - allowed
            if unknown:
                raise ValueError(f"prompt {key} uses {sorted(unknown)}; it may use {sorted(allowed) or 'no fields'}")
        if "intermediate" not in template_fields(self.textual_prompt):
            raise ValueError("prompt textual_prompt must show the visual step's output: use {intermediate}")

    def as_kwargs(self) -> dict[str, str]:
        """The prompts by the names the task YAML and `lmms_compgap.tasks.hooks` use."""
        return {key: getattr(self, key) for key in PROMPT_FIELDS}


@dataclass(frozen=True)
class Paraphrase:
    """A rewording of a family's prompts: the same content in other words and order, for the `compgap_wording` tasks
    (`compgap_<family>_<setting>_w<k>`, k counting from 1 in declaration order). `version` is the paraphrase's own
    prompt version (bump it whenever its text changes); the canonical prompts and their task version are untouched.
    `check_paraphrases` holds every paraphrase to its canonical prompts."""

    version: int
    prompts: Prompts

    def __post_init__(self) -> None:
        if not isinstance(self.version, int) or isinstance(self.version, bool) or self.version < 1:
            raise ValueError(f"a paraphrase's version must be an integer of at least 1, not {self.version!r}")
        if not isinstance(self.prompts, Prompts):
            raise ValueError(f"a paraphrase's prompts must be Prompts, not {type(self.prompts).__name__}")


#: The fewest paraphrases a family declares when it declares any (the wording report needs a spread).
MIN_PARAPHRASES = 3


def check_paraphrases(canonical: Prompts, paraphrases: tuple[Paraphrase, ...]) -> None:
    """ValueError unless every paraphrase keeps the canonical answer format exactly (the scorer reads it), uses the
    same fields as the canonical prompt it rewords (so it asks the same with the same inputs), and differs from the
    canonical prompt and from every other paraphrase in every prompt (a copy would measure nothing)."""
    if not isinstance(paraphrases, tuple) or not all(isinstance(each, Paraphrase) for each in paraphrases):
        raise ValueError("paraphrases must be a tuple of Paraphrase")
    if paraphrases and len(paraphrases) < MIN_PARAPHRASES:
        raise ValueError(f"declare at least {MIN_PARAPHRASES} paraphrases (or none), not {len(paraphrases)}")
    seen: dict[str, dict[str, int]] = {key: {getattr(canonical, key): 0} for key in PROMPT_FIELDS}
    for number, paraphrase in enumerate(paraphrases, start=1):
        prompts = paraphrase.prompts
        if prompts.answer_format != canonical.answer_format:
            raise ValueError(f"paraphrase {number} changes answer_format; keep it exactly: the scorer depends on it")
        for key in PROMPT_FIELDS:
            if key == "answer_format":
                continue
            text, original = getattr(prompts, key), getattr(canonical, key)
            if template_fields(text) != template_fields(original):
                raise ValueError(
                    f"paraphrase {number}'s {key} uses {sorted(template_fields(text))}; the canonical one uses "
                    f"{sorted(template_fields(original))}: a paraphrase keeps every field"
                )
            if text in seen[key]:
                other = seen[key][text]
                raise ValueError(
                    f"paraphrase {number}'s {key} is the same text as "
                    + ("the canonical prompt" if other == 0 else f"paraphrase {other}'s")
                )
            seen[key][text] = number


@dataclass(frozen=True)
class Metric:
    """An lmms-eval metric of a setting: its name (a key `process_results` returns), how it is aggregated over
    items ("mean", or "sum" for counts) and which way is better."""

    name: str
    higher_is_better: bool = True
    aggregation: str = "mean"

    def __post_init__(self) -> None:
        if self.aggregation not in ("mean", "sum"):
            raise ValueError(f"metric {self.name}: aggregation must be mean or sum, not {self.aggregation!r}")


@dataclass(frozen=True)
class DataCheck:
    """How `compgap data check` proves that a family's pictures agree with their labels, with tools not written
    here (never the family's own drawing or parsing code).

    `checker` names a function `list[row] -> list[ItemCheck]` as "module:function", the module relative to the
    family's package (".datacheck:check_items"), imported only when a check runs (its tools are optional
    dependencies). `tools` are the programs it reads pictures with ("tesseract", "opencv"), whose versions the
    check reports; `threshold` is the lowest share of agreeing items (percent) the family passes with.
    """

    checker: str
    tools: tuple[str, ...]
    threshold: float = 99.0

    def __post_init__(self) -> None:
        module, _, function = self.checker.partition(":")
        if not module or not function:
            raise ValueError(f"data check {self.checker!r}: name the checker as 'module:function'")
        if not 0 < self.threshold <= 100:
            raise ValueError(f"data check threshold must be a percentage in (0, 100], not {self.threshold}")


class TaskFamily(abc.ABC):
    """A composition task: one visual skill joined to one textual skill by a textual intermediate.

    A family declares its tasks (the class attributes below) and implements where its items come from
    (`generate_items`), their pictures (`draw_row`) and how the visual step's output is scored
    (`score_intermediate`); final answers are read as numbers unless it overrides `score_answer`. Items may be
    generated (`GeneratedFamily`) or read from a dataset; either way the generator of the rows is the source of
    truth that data files are verified against.
    """

    #: The family's name: its tasks are `compgap_<name>_<setting>`, its group `compgap_<name>`. Lowercase letters
    #: and digits (task names are split at underscores); a built-in family's package has this name.
    name: ClassVar[str]
    #: The tasks' `metadata.version`: bump it whenever a prompt or the scoring changes (and say why in the card).
    task_version: ClassVar[int]
    #: Bump whenever the items or their pictures change: it is part of every uid and of the results.
    data_version: ClassVar[int]
    prompts: ClassVar[Prompts]
    #: Prompts for particular lmms-eval models, by `--model` name: lmms-eval sends that model these instead of
    #: `prompts` (its `lmms_eval_specific_kwargs` entry; a run through `compgap_cascade` uses `prompts`).
    model_prompts: ClassVar[Mapping[str, Prompts]] = MappingProxyType({})
    #: Rewordings of `prompts` (`Paraphrase`), declared next to them: each is the family's `compgap_wording` tasks
    #: `compgap_<name>_<setting>_w<k>` (k from 1). Empty: the family has no wording tasks.
    paraphrases: ClassVar[tuple[Paraphrase, ...]] = ()
    #: The `vision` setting's graded score of the intermediate (beside `exact_match` and `usable`).
    intermediate_metric: ClassVar[Metric]
    #: Whether the family is one of the paper's, in the `compgap` group (every generated family is in
    #: `compgap_all`, every family built from a public dataset in `compgap_public`).
    in_paper_group: ClassVar[bool] = False
    #: How `compgap data check` verifies the pictures (None: the family has no independent check).
    data_check: ClassVar[DataCheck | None] = None
    canonical_seed: ClassVar[int] = 20261123
    canonical_size: ClassVar[int] = 1000
    #: Whether the rows are committed as a data file (generated families); a family built at run time from a
    #: public dataset has none (`core.dataset_family.DatasetFamily`).
    has_data_file: ClassVar[bool] = True
    #: Whether pictures are cached on disk once drawn (photos read from a dataset are not: they are on disk).
    cache_pictures: ClassVar[bool] = True
    #: What a request carries to the model: "image" (the item's picture, `draw_row`) or "audio" (its clip,
    #: `speak_row`, cached by `core.clips`; `draw_row` then gives a picture of the clip for people to look at).
    medium: ClassVar[str] = "image"
    #: The rate of an audio family's clips, in samples per second.
    sample_rate: ClassVar[int] = 16000

    # ---- items --------------------------------------------------------------------------------
    @abc.abstractmethod
    def generate_items(
        self, seed: int | None = None, size: int | None = None, accept: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        """The items for (seed, size) (default: the canonical split), in order, no two sharing a question and
        intermediate; `accept` (when given) must also hold for every item kept: the training splits use it to
        leave out anything the test split holds (see `lmms_compgap.core.splits`)."""

    def problem_signature(self, item: Item) -> str:
        """What a memorised answer to `item` would carry, as canonical JSON: two items with one signature are one
        problem whatever their wording, names or picture, and the training splits leave out every test signature
        (`lmms_compgap.core.splits`). By default the item itself (its question and intermediate); a family whose
        items can state one problem in several ways says what the problem is."""
        return canonical_json([item.question, item.intermediate])

    def generate(self, seed: int | None = None, size: int | None = None) -> list[dict[str, Any]]:
        """The data rows for (seed, size), in order; no two rows share a question and intermediate."""
        return [self.to_row(index, item) for index, item in enumerate(self.generate_items(seed, size))]

    def canonical_rows(self) -> tuple[dict[str, Any], ...]:
        """The canonical split, generated once per process (every task of the family checks its data against it)."""
        cached = self.__dict__.get("_canonical_rows")
        if cached is None:
            cached = self.__dict__["_canonical_rows"] = tuple(self.generate())
        return cached

    def to_row(self, index: int, item: Item, split: str = "test") -> dict[str, Any]:
        """A data row: flat, with attributes and spec as canonical JSON strings (a stable schema).

        Rows of the test split keep their historical uids; other splits name themselves in the uid.
        """
        prefix = f"{self.name}-v{self.data_version}" + ("" if split == "test" else f"-{split}")
        return {
            "uid": f"{prefix}-{index:05d}",
            "family": self.name,
            "index": index,
            "question": item.question,
            "answer": item.answer,
            "intermediate": item.intermediate,
            "attributes": canonical_json(item.attributes),
            "spec": canonical_json(item.spec),
        }

    def task_root(self) -> Path:
        """The folder of task YAMLs holding this family's (`<root>/<name>/`) and its data file: lmms-compgap's
        own for the built-in families; a family from another package says where it keeps its own."""
        return data_files.task_yamls_root()

    def data_file(self) -> Path:
        """This family's data file in its task tree (`task_root()`)."""
        return data_files.data_path(self.name, self.task_root())

    def verify_rows(self, rows: list[dict[str, Any]], source: str = "") -> None:
        """Raise DataIntegrityError unless `rows` are exactly this family's canonical split.

        Compares against a fresh generation (the generator is the source of truth), so a corrupt,
        truncated, reordered or hand-edited file is named, with the first differing item.
        """
        where = source or f"the {self.name} data"
        expected = self.canonical_rows()
        if len(rows) != len(expected):
            raise DataIntegrityError(
                f"{where}: {len(rows)} items, expected {len(expected)} for {self.name} "
                f"data v{self.data_version}; {regenerate_hint(self.name)}"
            )
        for position, (got, want) in enumerate(zip(rows, expected, strict=True)):
            mismatched = sorted(key for key in want if got.get(key) != want[key])
            if mismatched or set(got) != set(want):
                fields = ", ".join(mismatched) or "columns"
                raise DataIntegrityError(
                    f"{where}: item {position} ({want['uid']}) differs from {self.name} data "
                    f"v{self.data_version} in {fields}; the file was edited or is corrupt; {regenerate_hint(self.name)}"
                )

    def verify_data_file(self, root: Path | None = None) -> str:
        """Check this family's data file (in `root`, by default its task root) byte for byte against a fresh generation;
        return its fingerprint. Only a regular file is opened (a named pipe would block, a link could point anywhere),
        and no more of it is read than a fresh generation holds."""
        path = data_path(self.name, root or self.task_root())
        expected = serialize_rows(self.canonical_rows())
        if not os.path.lexists(path):
            raise DataIntegrityError(f"{path}: missing; {regenerate_hint(self.name)}")
        try:
            with open_regular(path) as handle:
                payload = handle.read(len(expected) + 1)
        except NotReadable as error:
            raise DataIntegrityError(str(error)) from None
        except OSError as error:
            raise DataIntegrityError(f"{path}: cannot read ({error.strerror or error})") from None
        if payload != expected:
            if len(payload) > len(expected):
                raise DataIntegrityError(
                    f"{path}: larger than a fresh generation ({len(expected)} bytes); {regenerate_hint(self.name)}"
                )
            rows: list[dict[str, Any]] = []
            for number, row, problem in read_json_lines(payload.splitlines(), _json_object):
                if row is None:  # not UTF-8, not JSON, nested too deeply, an integer too long, not an object
                    raise DataIntegrityError(
                        f"{path}:{number}: not a data row ({problem}); {regenerate_hint(self.name)}"
                    )
                rows.append(row)
            self.verify_rows(rows, source=str(path))
            raise DataIntegrityError(f"{path}: bytes differ from a fresh generation; {regenerate_hint(self.name)}")
        return fingerprint_bytes(payload)

    # ---- the installed data: what a run, a score or a verification reads ------------------------
    def installed_fingerprint(self) -> str:
        """The fingerprint of this family's installed data file, after checking it against its generator
        (`verify_data_file`), once per process; DataIntegrityError (not remembered) unless it is intact."""
        cached = self.__dict__.get("_installed_fingerprint")
        if cached is None:
            cached = self.__dict__["_installed_fingerprint"] = self.verify_data_file()
        return cached

    def installed_rows(self) -> tuple[dict[str, Any], ...]:
        """This family's rows from its installed data file, refused (DataIntegrityError) unless intact; read once
        per process."""
        cached = self.__dict__.get("_installed_rows")
        if cached is None:
            self.installed_fingerprint()
            text = self.data_file().read_text(encoding="utf-8")
            cached = self.__dict__["_installed_rows"] = tuple(json.loads(line) for line in text.splitlines())
        return cached

    def installed_metadata(self, declared: Mapping[str, Any]) -> dict[str, Any]:
        """What a run of this family's tasks records in its metadata beyond its task YAML's (`declared`): nothing
        for a family whose data file the YAML fingerprints (a dataset family answers otherwise)."""
        return {}

    # ---- pictures -----------------------------------------------------------------------------
    @abc.abstractmethod
    def draw_row(self, row: dict[str, Any]) -> Image.Image:
        """The item's picture, from its row alone (same row, same pixels)."""

    def speak_row(self, row: dict[str, Any]) -> np.ndarray:
        """An audio family's clip of the item, from its row alone: 16-bit mono samples at `sample_rate`."""
        raise TypeError(f"the {self.name} family shows pictures: its items have no clips")

    # ---- scoring ------------------------------------------------------------------------------
    def score_answer(self, response: str, row: dict[str, Any]) -> AnswerScore:
        """Score a final answer; numeric by default, read against the row's question (the quantity it asks for).

        Every scorer (the hooks, `compgap score`, `compgap verify`) reaches this through `core.results.
        score_response` with the same row, so the question reaches the reader the same way in all three (a row
        without a question, as a unit test may build, is read without one)."""
        result = scoring.score_number(response, row["answer"], question=row.get("question"))
        return AnswerScore(extracted=result["extracted"], correct=int(result["correct"]), strict=int(result["strict"]))

    @abc.abstractmethod
    def score_intermediate(self, response: str, row: dict[str, Any]) -> IntermediateScore:
        """Score the visual skill's output against the gold intermediate."""

    # ---- the independent data check -----------------------------------------------------------
    def check_items(self, rows: list[dict[str, Any]]) -> list[ItemCheck]:
        """Run the family's data check (`data_check.checker`) on `rows`: one verdict per row, in order."""
        if self.data_check is None:
            raise LookupError(f"the {self.name} family declares no data check")
        module_name, _, function = self.data_check.checker.partition(":")
        package = sys.modules[type(self).__module__].__package__
        checker = getattr(importlib.import_module(module_name, package=package), function)
        return checker(rows)


class GeneratedFamily(TaskFamily):
    """A family whose items a seeded generator makes (`generate_item`) and whose pictures are drawn from each
    row's `spec` (`draw`)."""

    @abc.abstractmethod
    def generate_item(self, rng: random.Random) -> Item:
        """Draw one item from `rng` (the only source of randomness)."""

    @abc.abstractmethod
    def draw(self, spec: dict[str, Any]) -> Image.Image:
        """The item's picture, drawn from its spec alone (same spec, same pixels)."""

    def generate_items(
        self, seed: int | None = None, size: int | None = None, accept: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        seed = self.canonical_seed if seed is None else seed
        size = self.canonical_size if size is None else size
        rng = random.Random(f"compgap:{self.name}:v{self.data_version}:{seed}")
        items: list[Item] = []
        seen: set[tuple[str, str]] = set()
        attempts = 0
        while len(items) < size:
            attempts += 1
            if attempts > 50 * size + 1000:
                raise SplitSizeError(
                    f"{self.name}: only {len(items)} distinct items of the {size} asked for were found in "
                    f"{attempts - 1:,} draws, so about {len(items)} is the most this family can give here"
                )
            item = self.generate_item(rng)
            key = (item.question, item.intermediate)
            if key in seen or (accept is not None and not accept(item)):
                continue
            seen.add(key)
            items.append(item)
        return items

    def draw_row(self, row: dict[str, Any]) -> Image.Image:
        return self.draw(json.loads(row["spec"]))
