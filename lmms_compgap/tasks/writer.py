"""A family's task YAMLs and data file, generated from its declaration (`compgap tasks build`), and the check
that files on disk are the ones the declarations generate (`compgap tasks build --check`).

The tree, in the style of lm-evaluation-harness's generated MMLU configs: `_compgap_template_yaml` holds what
every task shares; `<family>/_<family>_template_yaml` includes it and adds the family's data file, versions,
fingerprint and prompts; one small YAML per setting includes that and adds only what makes the setting; the
groups `compgap_<family>`, `compgap` (the paper's families), `compgap_all` (every built-in family but the rendering
variants) and `compgap_render` (the rendering variants and the families they vary) list them. Every family also gets
the two why settings (`cascadeimage`, `twoturn`) in a group of their own, `compgap_<family>_why`, listed by
`compgap_why` (the families `compgap_all` holds), so no published group changes.
A family's paraphrases (`paraphrases`) add `<family>/wording/`: per paraphrase a template including the family's,
with its prompts, and the five settings' YAMLs `compgap_<family>_<setting>_w<k>`, in the groups
`compgap_<family>_wording` and `compgap_wording`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lmms_compgap.core import data as data_files
from lmms_compgap.core import settings
from lmms_compgap.core.dataset_family import PUBLIC_GROUP, SOURCE_FILE, DatasetFamily, source_line
from lmms_compgap.core.family import Metric, Prompts, TaskFamily
from lmms_compgap.core.hub_data import source_metadata
from lmms_compgap.core.rendering import RENDER_GROUP, rendering_metadata, rendering_of
from lmms_compgap.core.results import SETTING_METRICS, setting_metrics
from lmms_compgap.core.settings import SETTINGS, WHY_SETTINGS
from lmms_compgap.tasks.reader import WORDING_KEY, WORDING_VERSION_KEY

SHARED_TEMPLATE = "_compgap_template_yaml"
PAPER_GROUP = "compgap"
ALL_GROUP = "compgap_all"
WHY_GROUP = "compgap_why"
#: The paraphrase tasks' group (outside compgap, compgap_all and compgap_render), each family's in its folder's
#: `wording/`.
WORDING_GROUP = "compgap_wording"
WORDING_FOLDER = "wording"
#: The groups' own `metadata.version` (what a group lists changes with its families' task versions, not here).
GROUP_VERSION = 1
HOOKS = "lmms_compgap.tasks.hooks"
#: One set of generation settings for every setting and both cascade steps, so that a vision request and a
#: cascade's step 1 are the same call (computed once by compgap_cascade).
GENERATION_KWARGS: dict[str, Any] = {
    "max_new_tokens": 1024,
    "temperature": 0,
    "top_p": 1.0,
    "num_beams": 1,
    "do_sample": False,
}
#: What a setting's YAML adds to its family template: the hooks that build its requests and score them.
SETTING_HOOKS: dict[str, dict[str, str]] = {
    "direct": {"doc_to_text": "direct_text", "process_results": "process_direct"},
    "cascade": {"doc_to_text": "cascade_text", "process_results": "process_cascade"},
    "cot": {"doc_to_text": "cot_text", "process_results": "process_cot"},
    "vision": {
        "doc_to_target": "doc_to_intermediate",
        "doc_to_text": "vision_text",
        "process_results": "process_vision",
    },
    "language": {"doc_to_visual": "no_visual", "doc_to_text": "language_text", "process_results": "process_language"},
    "cascadeimage": {"doc_to_text": "cascade_image_text", "process_results": "process_cascadeimage"},
    "twoturn": {"doc_to_text": "two_turn_text", "process_results": "process_twoturn"},
}
#: The settings whose metrics the shared template lists (the others list their own).
DEFAULT_METRICS = SETTING_METRICS["direct"]


class Function(str):
    """A hook a YAML names, written `!function <module>.<name>` (lmms-eval imports it)."""


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, for files people read: `Function`s as `!function module.name`, text with line breaks
    as literal blocks (the prompt as it is sent), no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        # A tag on a plain scalar is legal YAML; PyYAML quotes every explicitly tagged scalar unless told.
        return "" if self.event.tag == FUNCTION_TAG else super().choose_scalar_style()


FUNCTION_TAG = "!function"


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(Function, lambda dumper, value: dumper.represent_scalar(FUNCTION_TAG, str(value)))
_Dumper.add_representer(str, _represent_text)


def hook(name: str) -> Function:
    return Function(f"{HOOKS}.{name}")


def render(config: Mapping[str, Any], header: str) -> bytes:
    """A YAML file: comment lines, then `config` in its own key order."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    # No line folding: a prompt reads on one line as it is sent.
    body = yaml.dump(dict(config), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return (comments + body).encode("utf-8")


def _metric_list(metrics: Iterable[Metric]) -> list[dict[str, Any]]:
    return [
        {
            "metric": metric.name,
            "aggregation": hook("aggregate_sum") if metric.aggregation == "sum" else "mean",
            "higher_is_better": metric.higher_is_better,
        }
        for metric in metrics
    ]


def _origin(family: TaskFamily) -> str:
    return type(family).__module__.rpartition(".")[0] or type(family).__module__


def _summary(family: TaskFamily) -> str:
    return (type(family).__doc__ or "").strip().splitlines()[0]


GENERATED = "Generated by `compgap tasks build` from {origin}: edit that and rebuild, not this file."


def shared_template() -> bytes:
    config = {
        "dataset_path": "json",
        "test_split": "test",
        "output_type": "generate_until",
        "process_docs": hook("verified_docs"),
        "doc_to_visual": hook("doc_to_visual"),
        "doc_to_target": hook("doc_to_target"),
        "generation_kwargs": GENERATION_KWARGS,
        "metric_list": _metric_list(DEFAULT_METRICS),
    }
    header = (
        "What every compgap task shares: family templates (<family>/_<family>_template_yaml) include it.\n"
        + GENERATED.format(origin="lmms_compgap.tasks.writer")
    )
    return render(config, header)


def _family_metadata(family: TaskFamily, fingerprint: str | None) -> dict[str, Any]:
    """The family template's `metadata`: versions, and the data fingerprint or the dataset (pinned revision)."""
    versions = {"version": family.task_version, "family": family.name, "data_version": family.data_version}
    if isinstance(family, DatasetFamily):
        return {**versions, **source_metadata(family.source)}
    # A rendering variant names the family whose items it draws, and how: the report pairs the two by item.
    return {**versions, "data_fingerprint": fingerprint, **rendering_metadata(family)}


def _prompt_kwargs(prompts: Prompts, model_prompts: Mapping[str, Prompts]) -> dict[str, Any]:
    """`lmms_eval_specific_kwargs`: the prompts for every model, for models with their own, and compgap_cascade's."""
    default = prompts.as_kwargs()
    return {
        "default": default,
        **{model: own.as_kwargs() for model, own in sorted(model_prompts.items())},
        # Only compgap_cascade may run the cascade setting (hooks.cascade_text refuses other models).
        "compgap_cascade": {**default, "cascade_runner": True},
    }


def family_template(family: TaskFamily, fingerprint: str | None) -> bytes:
    """A family's template: its data file (or, for a family built from a public dataset, the source file naming
    the dataset, which `hooks.dataset_docs` replaces by the rows), versions, fingerprint or dataset, prompts."""
    if isinstance(family, DatasetFamily):
        data: dict[str, Any] = {
            "dataset_kwargs": {"data_files": {"test": SOURCE_FILE}},
            "process_docs": hook("dataset_docs"),
        }
    else:
        data = {"dataset_kwargs": {"data_files": {"test": data_files.DATA_FILE}}}
    config = {
        "include": f"../{SHARED_TEMPLATE}",
        **data,
        "metadata": _family_metadata(family, fingerprint),
        "lmms_eval_specific_kwargs": _prompt_kwargs(family.prompts, family.model_prompts),
    }
    items = (
        "data_version and the dataset (pinned revision) the items'; the rows' fingerprint is added at run time"
        if isinstance(family, DatasetFamily)
        else "data_version and data_fingerprint the items'"
    )
    header = (
        f"{_summary(family)}\n"
        f"metadata: version is the task's (prompts and scoring), {items}.\n"
        "Only compgap_cascade may run the cascade setting (its kwargs set cascade_runner).\n"
        + GENERATED.format(origin=_origin(family))
    )
    return render(config, header)


def setting_config(family: TaskFamily, setting: str, wording: int = settings.CANONICAL_WORDING) -> bytes:
    """One setting's task YAML: the canonical one (it includes the family template), or under paraphrase `wording`
    (it includes that paraphrase's template, `wording_template_name`)."""
    template = (
        template_name(family) if wording == settings.CANONICAL_WORDING else wording_template_name(family, wording)
    )
    config: dict[str, Any] = {"include": template, "task": settings.wording_task_name(family.name, setting, wording)}
    config.update({key: hook(name) for key, name in SETTING_HOOKS[setting].items()})
    metrics = setting_metrics(family, setting)
    if metrics != DEFAULT_METRICS:
        config["metric_list"] = _metric_list(metrics)
    return render(config, GENERATED.format(origin=_origin(family)))


def wording_template(family: TaskFamily, wording: int, fingerprint: str | None) -> bytes:
    """Paraphrase `wording`'s template: the family template with that paraphrase's prompts for every model (a model's
    own `model_prompts` are canonical wordings, not paraphrased) and its number and prompt version in the metadata.
    lmms-eval replaces a top-level key of an included file whole, so both keys are written out in full."""
    paraphrase = family.paraphrases[wording - 1]
    config = {
        "include": f"../{template_name(family)}",
        "metadata": {
            **_family_metadata(family, fingerprint),
            WORDING_KEY: wording,
            WORDING_VERSION_KEY: paraphrase.version,
        },
        "lmms_eval_specific_kwargs": _prompt_kwargs(paraphrase.prompts, {}),
    }
    header = (
        f"{_summary(family)}: paraphrase {wording} of its prompts (group {WORDING_GROUP}).\n"
        f"metadata: {WORDING_KEY} is the paraphrase's number, {WORDING_VERSION_KEY} its prompt version; the rest is\n"
        "the family template's.\n" + GENERATED.format(origin=_origin(family))
    )
    return render(config, header)


def group_config(name: str, tasks: Iterable[str], header: str) -> bytes:
    return render({"group": name, "task": list(tasks), "metadata": {"version": GROUP_VERSION}}, header)


def template_name(family: TaskFamily) -> str:
    return f"_{family.name}_template_yaml"


def group_name(family: TaskFamily) -> str:
    return f"compgap_{family.name}"


def why_group_name(family: TaskFamily) -> str:
    """The group of a family's why settings (not a task name: `why` is no setting)."""
    return f"compgap_{family.name}_why"


def wording_template_name(family: TaskFamily, wording: int) -> str:
    """Paraphrase `wording`'s template, in the family folder's `wording/` beside the setting YAMLs including it."""
    return f"_{family.name}_w{wording}_template_yaml"


def wording_group_name(family: TaskFamily) -> str:
    return f"compgap_{family.name}_{WORDING_FOLDER}"


def wordings(family: TaskFamily) -> range:
    """The paraphrases' numbers (1, 2, ...) the family has tasks for: none for a rendering variant, whose prompts
    are its base family's (the wording sweep is the base's; the cross product would add 15 tasks per variant)."""
    return range(0) if rendering_of(family) else range(1, len(family.paraphrases) + 1)


def wording_task_names(family: TaskFamily) -> list[str]:
    """The family's paraphrase tasks, by wording then setting: the five settings the gap and its controls are read
    from. The why settings have none: they run the cascade's prompts, and a paraphrased `twoturn` in
    `compgap_wording` would stop every simple wrapper's run of the group (the wording sweep is of the gap)."""
    return [
        settings.wording_task_name(family.name, setting, wording)
        for wording in wordings(family)
        for setting in SETTINGS
    ]


def defined_names(families: Iterable[TaskFamily], *, groups: bool) -> set[str]:
    """The task and group names a tree of `families` defines (with the top-level groups when `groups`)."""
    families = list(families)
    names = {PAPER_GROUP, ALL_GROUP, WHY_GROUP} if groups else set()
    if groups and any(rendering_of(family) for family in families):
        names.add(RENDER_GROUP)
    if groups and any(wordings(family) for family in families):
        names.add(WORDING_GROUP)
    for family in families:
        names |= {group_name(family), *(settings.task_name(family.name, setting) for setting in SETTINGS)}
        names |= {why_group_name(family), *(settings.task_name(family.name, setting) for setting in WHY_SETTINGS)}
        if wordings(family):
            names |= {wording_group_name(family), *wording_task_names(family)}
    return names


def family_files(family: TaskFamily) -> dict[str, bytes]:
    """Every file of one family's folder (relative path -> bytes): data file (or source file), template, settings,
    group."""
    if isinstance(family, DatasetFamily):
        fingerprint = None
        files = {
            f"{family.name}/{SOURCE_FILE}": data_files.serialize_rows([source_line(family)]),
            f"{family.name}/{template_name(family)}": family_template(family, None),
        }
    else:
        data = data_files.serialize_rows(family.canonical_rows())
        fingerprint = data_files.fingerprint_bytes(data)
        files = {
            f"{family.name}/{data_files.DATA_FILE}": data,
            f"{family.name}/{template_name(family)}": family_template(family, fingerprint),
        }
    for setting in (*SETTINGS, *WHY_SETTINGS):
        files[f"{family.name}/{settings.task_name(family.name, setting)}.yaml"] = setting_config(family, setting)
    header = f"{_summary(family)}: its five settings.\n" + GENERATED.format(origin=_origin(family))
    files[f"{family.name}/{group_name(family)}.yaml"] = group_config(
        group_name(family), [settings.task_name(family.name, setting) for setting in SETTINGS], header
    )
    why_header = (
        f"{_summary(family)}\n"
        "Its two settings that tell why its gap exists (the cascade with the picture; two turns of one\n"
        "chat), apart from its five. Run with --model compgap_cascade.\n" + GENERATED.format(origin=_origin(family))
    )
    files[f"{family.name}/{why_group_name(family)}.yaml"] = group_config(
        why_group_name(family), [settings.task_name(family.name, setting) for setting in WHY_SETTINGS], why_header
    )
    return files | wording_files(family, fingerprint)


def wording_files(family: TaskFamily, fingerprint: str | None) -> dict[str, bytes]:
    """The family's paraphrase tasks, in `<family>/wording/`: per paraphrase a template and one YAML per setting, and
    the group `compgap_<family>_wording` listing them (none when the family declares no paraphrases)."""
    files: dict[str, bytes] = {}
    for wording in wordings(family):
        files[f"{family.name}/{WORDING_FOLDER}/{wording_template_name(family, wording)}"] = wording_template(
            family, wording, fingerprint
        )
        for setting in SETTINGS:
            task = settings.wording_task_name(family.name, setting, wording)
            files[f"{family.name}/{WORDING_FOLDER}/{task}.yaml"] = setting_config(family, setting, wording)
    if files:
        header = (
            f"{_summary(family)}: its settings under each paraphrase of its prompts (`compgap report`\n"
            "compares the gap across wordings; run the canonical group too).\n"
            + GENERATED.format(origin=_origin(family))
        )
        files[f"{family.name}/{WORDING_FOLDER}/{wording_group_name(family)}.yaml"] = group_config(
            wording_group_name(family), wording_task_names(family), header
        )
    return files


def group_files(families: Iterable[TaskFamily]) -> dict[str, bytes]:
    """The top-level groups: `compgap` (the paper's families, so results stay comparable), `compgap_all` (every
    generated family but the rendering variants: runs anywhere, offline), `compgap_public` (the families built from
    public datasets, which need the datasets on the machine) and `compgap_render` (the rendering variants and the
    families they vary: a sweep in one command)."""
    families = list(families)
    groups: dict[str, bytes] = {}
    generated = GENERATED.format(origin="the families' declarations")
    offline = [family for family in families if not isinstance(family, DatasetFamily) and not rendering_of(family)]
    paper = [group_name(family) for family in families if family.in_paper_group]
    public = [group_name(family) for family in families if isinstance(family, DatasetFamily)]
    variants = {family.name: rendering_of(family) for family in families if rendering_of(family)}
    varied = sorted({base for base, _ in variants.values()})
    render = [f"compgap_{name}" for name in sorted([*varied, *variants])]
    if render:
        groups[f"{RENDER_GROUP}.yaml"] = group_config(
            RENDER_GROUP,
            render,
            "A rendering sweep: the rendering variants (the same items drawn in other colours, sizes, fonts) and the\n"
            "families they vary; `compgap report --sensitivity` compares each with its family. Run with\n"
            "--model compgap_cascade.\n" + generated,
        )
    worded = [
        wording_group_name(family) for family in families if wordings(family) and not isinstance(family, DatasetFamily)
    ]
    if worded:
        groups[f"{WORDING_GROUP}.yaml"] = group_config(
            WORDING_GROUP,
            worded,
            "Every setting of every generated family under each paraphrase of its prompts: with the canonical\n"
            "tasks (compgap_all), `compgap report` gives the gap under each wording and an interval over items and\n"
            "wordings.\n"
            "Run with --model compgap_cascade.\n" + generated,
        )
    groups |= (
        {
            f"{PUBLIC_GROUP}.yaml": group_config(
                PUBLIC_GROUP,
                public,
                "The families built from public datasets (GSM8K, MATH-500, CountBenchQA): they need each dataset\n"
                "on the machine (see their task cards). Run with --model compgap_cascade.\n" + generated,
            )
        }
        if public
        else {}
    )
    return groups | {
        f"{PAPER_GROUP}.yaml": group_config(
            PAPER_GROUP,
            paper,
            "The paper's task families: run with --model compgap_cascade (cascade settings need two calls per item).\n"
            + generated,
        ),
        f"{ALL_GROUP}.yaml": group_config(
            ALL_GROUP,
            [group_name(family) for family in offline],
            "Every generated task family shipped with lmms-compgap: run with --model compgap_cascade.\n" + generated,
        ),
        f"{WHY_GROUP}.yaml": group_config(
            WHY_GROUP,
            [why_group_name(family) for family in offline],
            "Why the gap exists: the cascade with the picture kept in view at step 2 (cascadeimage) and both steps\n"
            "as two turns of one conversation (twoturn), for the families compgap_all holds; run it beside\n"
            "compgap_all, with --model compgap_cascade (twoturn needs a chat wrapper: docs/models.md).\n" + generated,
        ),
    }


def tree_files(families: Iterable[TaskFamily], *, groups: bool) -> dict[str, bytes]:
    """The files of a task tree holding `families` (relative path -> bytes): the shared template, each family's
    folder and, with `groups`, the top-level groups listing them."""
    families = list(families)
    files = {SHARED_TEMPLATE: shared_template()}
    for family in families:
        files.update(family_files(family))
    if groups:
        files.update(group_files(families))
    return files


@dataclass(frozen=True)
class Comparison:
    """How a tree on disk differs from the generated one: files whose bytes differ, missing ones, and (for a
    whole tree) task YAMLs or data files there that nothing generates."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def current(self) -> bool:
        return not (self.changed or self.missing or self.unexpected)


def _tree_entries(root: Path, folders: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        base = root / folder if folder else root
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and (path.suffix in (".yaml", ".jsonl") or path.name.endswith("_yaml")):
                found.add(path.relative_to(root).as_posix())
    return found


def compare(root: Path, files: Mapping[str, bytes], *, whole_tree: bool) -> Comparison:
    """Compare `files` with what `root` holds; `whole_tree` also reports task files under `root` that are not
    generated (a family's leftovers), else only those in the generated families' folders."""
    changed, missing = [], []
    for relative, payload in sorted(files.items()):
        path = root / relative
        if not path.is_file():
            missing.append(relative)
        elif path.read_bytes() != payload:
            changed.append(relative)
    folders = {relative.split("/", 1)[0] for relative in files if "/" in relative}
    on_disk = _tree_entries(root, [""] if whole_tree else sorted(folders))
    unexpected = sorted(on_disk - set(files))
    return Comparison(tuple(changed), tuple(missing), tuple(unexpected))


def write(root: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write the files that differ from what `root` holds; return them."""
    written = []
    for relative, payload in sorted(files.items()):
        path = root / relative
        if path.is_file() and path.read_bytes() == payload:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        written.append(path)
    return written
