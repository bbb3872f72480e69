"""Training examples for one item: the prompt evaluation would send and a target written from the generator.

Styles (`STYLES`):

- ``composition``: the direct setting's prompt (image + question); the target applies the visual skill
  first (the gold intermediate, in the task's format), then the worked solution, then the answer line;
- ``direct``: the same prompt; the target is the worked solution and the answer line only;
- ``skills``: two single-skill examples and never the composed task: the vision setting's prompt with
  the gold intermediate as target, and the language setting's prompt (gold intermediate as text) with
  the worked solution and the answer line as target.

Prompts are filled by the same hooks, from the same installed task YAML prompts, as evaluation, so a
model is evaluated with the prompts it was trained on. Solutions are the family generator's own
(`Item.solution`), never a model's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lmms_compgap.core.family import Item, TaskFamily
from lmms_compgap.core.settings import task_name
from lmms_compgap.tasks import hooks
from lmms_compgap.tasks.reader import task_config

STYLES: tuple[str, ...] = ("composition", "direct", "skills")
#: example kind -> the evaluation setting whose prompt it uses and whose scorer checks its target
KIND_SETTINGS: dict[str, str] = {
    "composition": "direct",
    "direct": "direct",
    "vision": "vision",
    "language": "language",
}
STYLE_KINDS: dict[str, tuple[str, ...]] = {
    "composition": ("composition",),
    "direct": ("direct",),
    "skills": ("vision", "language"),
}
_PROMPT_HOOKS: dict[str, Callable[[dict[str, Any], dict[str, Any] | None], str]] = {
    "direct": hooks.direct_text,
    "vision": hooks.vision_text,
    "language": hooks.language_text,
}
_IMAGE_SETTINGS = frozenset({"direct", "vision"})


@dataclass(frozen=True)
class Example:
    """One supervised example: a user prompt (with the item's picture when `with_image`) and a target.

    `intermediate` is the part of the target that is the visual skill's output (composition and vision
    examples), kept apart so checks can score it with the family's intermediate scorer.
    """

    id: str
    uid: str
    family: str
    kind: str
    prompt: str
    target: str
    with_image: bool
    intermediate: str | None = None

    @property
    def setting(self) -> str:
        return KIND_SETTINGS[self.kind]


def answer_line(answer: str) -> str:
    """The final line every answer-setting prompt asks for ("Answer: <answer>")."""
    return f"Answer: {answer}"


def worked_answer(item: Item) -> str:
    """The solution steps and the answer line."""
    return "\n".join([*item.solution, answer_line(item.answer)])


@dataclass(frozen=True)
class TaskPrompts:
    """A family's prompt settings as the installed task YAMLs give them (lmms_eval_specific_kwargs default)."""

    family: str
    kwargs: Mapping[str, Mapping[str, Any]]
    versions: Mapping[str, Any]

    @classmethod
    def installed(cls, family: TaskFamily) -> TaskPrompts:
        kwargs: dict[str, Mapping[str, Any]] = {}
        versions: dict[str, Any] = {}
        for setting in _PROMPT_HOOKS:
            config = task_config(family, setting)
            specific = config.get("lmms_eval_specific_kwargs") or {}
            default = specific.get("default")
            if not isinstance(default, dict):
                raise KeyError(
                    f"{task_name(family.name, setting)}: the task YAML has no lmms_eval_specific_kwargs default"
                )
            kwargs[setting] = default
            versions[task_name(family.name, setting)] = (config.get("metadata") or {}).get("version")
        return cls(family.name, kwargs, versions)

    def prompt(self, setting: str, row: dict[str, Any]) -> str:
        """The text evaluation sends for `row` in `setting` (direct, vision or language)."""
        return _PROMPT_HOOKS[setting](row, dict(self.kwargs[setting]))


def examples_for(style: str, row: dict[str, Any], item: Item, prompts: TaskPrompts) -> list[Example]:
    """The examples one item gives in one style (two for `skills`, one otherwise)."""
    if style not in STYLES:
        raise ValueError(f"unknown target style {style!r}; styles: {', '.join(STYLES)}")
    examples = []
    for kind in STYLE_KINDS[style]:
        setting = KIND_SETTINGS[kind]
        if kind == "composition":
            target, intermediate = f"{item.intermediate}\n\n{worked_answer(item)}", item.intermediate
        elif kind == "vision":
            target, intermediate = item.intermediate, item.intermediate
        else:  # direct, language
            target, intermediate = worked_answer(item), None
        examples.append(
            Example(
                id=f"{row['uid']}:{kind}",
                uid=row["uid"],
                family=row["family"],
                kind=kind,
                prompt=prompts.prompt(setting, row),
                target=target,
                with_image=setting in _IMAGE_SETTINGS,
                intermediate=intermediate,
            )
        )
    return examples


def parse_style_mix(text: str) -> dict[str, float]:
    """A `--style` value: one style ("composition") or a mix with proportions ("composition=0.7,skills=0.3").

    Proportions are positive numbers, normalised to sum to 1 ("composition=1,skills=1" is half and half).
    """
    mix: dict[str, float] = {}
    for part in (piece.strip() for piece in text.split(",")):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in STYLES:
            raise ValueError(f"unknown target style {name!r} in {text!r}; styles: {', '.join(STYLES)}")
        if name in mix:
            raise ValueError(f"target style {name!r} given twice in {text!r}")
        try:
            value = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"the proportion of {name!r} in {text!r} is not a number") from None
        if not value > 0 or value == float("inf"):
            raise ValueError(f"the proportion of {name!r} in {text!r} must be a positive number")
        mix[name] = value
    total = sum(mix.values())
    return {name: value / total for name, value in mix.items()}


def assign_styles(count: int, mix: Mapping[str, float], label: str) -> list[str]:
    """A style for each of `count` items: exact shares of `mix` (largest remainder), in a seeded order."""
    exact = {style: share * count for style, share in mix.items()}
    counts = {style: int(value) for style, value in exact.items()}
    by_remainder = sorted(mix, key=lambda style: (counts[style] - exact[style], style))
    for style in by_remainder[: count - sum(counts.values())]:
        counts[style] += 1
    styles = [style for style in STYLES if style in counts for _ in range(counts[style])]
    random.Random(f"compgap-styles:{label}").shuffle(styles)
    return styles
