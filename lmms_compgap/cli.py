"""The `compgap` command: score responses, build and verify data and task files, start a family, report."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lmms_compgap.core import data as data_files
from lmms_compgap.core.family import TaskFamily
from lmms_compgap.core.json_lines import lines_within, read_json_lines
from lmms_compgap.core.registry import family_names, generated_family_names, get_family, paper_family_names
from lmms_compgap.core.regular import open_regular
from lmms_compgap.core.rendering import rendering_of
from lmms_compgap.core.results import score_response
from lmms_compgap.core.settings import ALL_SETTINGS, SETTINGS, parse_wording_task_name, task_name
from lmms_compgap.core.splits import SPLITS, TRAINING_SPLITS
from lmms_compgap.datacheck.command import add_check_command
from lmms_compgap.doctor.command import add_doctor_command
from lmms_compgap.errors import ReportError
from lmms_compgap.finetune.command import add_finetune_command
from lmms_compgap.kit.newfamily import add_new_family_command
from lmms_compgap.report.commands import add_report_commands
from lmms_compgap.report.render.literal import plain_lines, plain_text
from lmms_compgap.tasks import writer
from lmms_compgap.tasks.command import add_tasks_command


def _scored_task(task: str) -> tuple[TaskFamily, str]:
    """`compgap_<family>_<setting>` of an installed family, or its paraphrase task `..._w<k>` (scored alike: a
    paraphrase keeps the answer format) -> (the family, setting), with a clear error otherwise."""
    parsed = parse_wording_task_name(task)
    if (
        parsed is None
        or parsed[0] not in family_names()
        or parsed[2] not in (0, *writer.wordings(get_family(parsed[0])))
        or (parsed[2] and parsed[1] not in SETTINGS)  # paraphrase tasks exist for the five settings only
    ):
        names = [task_name(family, setting) for family in family_names() for setting in ALL_SETTINGS]
        raise SystemExit(
            f"compgap: unknown task {task!r}; tasks: {', '.join(names)}, and compgap_<family>_<setting>_w<k> for each "
            "paraphrase k of a family and each of the five settings"
        )
    return get_family(parsed[0]), parsed[1]


def _response_line(rows: Sequence[dict[str, Any]]) -> Callable[[Any], tuple[int, str]]:
    """Reads one line of `compgap score`'s input: {"doc_id": a row of `rows`, "response": text}."""

    def read(entry: Any) -> tuple[int, str]:
        if not isinstance(entry, dict):
            raise TypeError("a line must be a JSON object")
        doc_id, response = entry["doc_id"], entry["response"]
        if not isinstance(doc_id, int) or isinstance(doc_id, bool) or not 0 <= doc_id < len(rows):
            raise ValueError(f"doc_id must be an integer in [0, {len(rows)})")
        if not isinstance(response, str):
            raise ValueError("response must be a string")
        return doc_id, response

    return read


def _score(args: argparse.Namespace) -> int:
    family, setting = _scored_task(args.task)
    rows = family.installed_rows()
    totals = {"n": 0, "correct": 0, "strict": 0}
    problems = 0
    # Bytes, decoded line by line: a bad line (invalid UTF-8, nesting too deep to parse) is reported by number
    # and skipped, and every good line is still scored.
    # A named file must be a regular one (not a device such as /dev/zero, nor a link); no line is held whole past
    # MAX_LINE_BYTES, whatever the input.
    source = sys.stdin.buffer if args.responses == "-" else open_regular(Path(args.responses))
    with source:
        for number, line, problem in read_json_lines(lines_within(source), _response_line(rows)):
            if line is None:
                problems += 1
                print(f"compgap score: {args.responses}:{number}: skipped: {plain_text(problem)}", file=sys.stderr)
                continue
            doc_id, response = line
            record = score_response(rows[doc_id], setting, response)["compgap"]
            out = {
                "doc_id": doc_id,
                "target": record["target"],
                "extracted": record["extracted"] if setting != "vision" else record["intermediate_response"],
                "correct": record["correct"],
                "strict": record["strict"],
            }
            print(json.dumps(out, ensure_ascii=False))
            totals["n"] += 1
            totals["correct"] += record["correct"]
            totals["strict"] += record["strict"]
    n = totals["n"]
    if n:
        print(
            f"{args.task}: n={n} accuracy={totals['correct'] / n:.4f} strict_accuracy={totals['strict'] / n:.4f}",
            file=sys.stderr,
        )
    else:
        print(f"{args.task}: no responses scored", file=sys.stderr)
    return 2 if problems else 0


#: `--task` names the paper's families (`in_paper_group`: what `--tasks compgap` runs) with this word.
PAPER_TASKS = "paper"


def _families(selected: Sequence[str] | None, variants: bool = True) -> list[str]:
    """The families `--task` names (repeatable; `paper` for the paper's), in order, each once; all when none is
    (without the rendering variants unless `variants`: training data needs each item once, not in five drawings)."""
    if not selected:
        return [name for name in generated_family_names() if variants or not rendering_of(get_family(name))]
    names: list[str] = []
    for name in selected:
        names.extend(paper_family_names() if name == PAPER_TASKS else (name,))
    return list(dict.fromkeys(names))


def _task_option(parser: argparse.ArgumentParser, names: Sequence[str], what: str) -> None:
    """`--task NAME` (repeatable), checked against `names` and `paper` by argparse, which names the bad one."""
    parser.add_argument(
        "--task",
        action="append",
        choices=(*names, PAPER_TASKS),
        metavar="TASK",
        help=f"a {what} ({', '.join(names)}) or {PAPER_TASKS} for the paper's ({', '.join(paper_family_names())}); "
        "repeat for several (default: all)",
    )


def _data_build(args: argparse.Namespace) -> int:
    if args.split != "test":
        return _build_training_split(args)
    if args.size is not None or args.seed is not None or args.out is not None:
        raise SystemExit("compgap data build: --size, --seed and --out are for --split train or validation")
    for name in _families(args.task):
        # The data file and its fingerprint in the family's template YAML: the family's folder, regenerated.
        family = get_family(name)
        root = Path(args.root) if args.root else family.task_root()
        files = writer.family_files(family)
        writer.write(root, files)
        fingerprint = data_files.fingerprint_bytes(files[f"{name}/{data_files.DATA_FILE}"])
        print(f"{name}: wrote {data_files.data_path(name, root)} ({fingerprint})")
    return 0


def _build_training_split(args: argparse.Namespace) -> int:
    from lmms_compgap.core.splits import SPLIT_VERSION, build_split

    if args.root is not None:
        raise SystemExit("compgap data build: --root is for the test split; use --out for train or validation")
    out = Path(args.out or "compgap-data")
    for name in _families(args.task, variants=False):
        try:
            split = build_split(get_family(name), args.split, args.size, args.seed)
        except ValueError as error:
            raise SystemExit(f"compgap data build: {error}") from None
        path = out / name / f"{args.split}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data_files.serialize_rows(split.rows))
        print(
            f"{name}: wrote {path}: {split.size} items, seed {split.seed}, no test item or test problem "
            f"(split version {SPLIT_VERSION}, {split.fingerprint})"
        )
    return 0


def _data_export(args: argparse.Namespace) -> int:
    from lmms_compgap.finetune.export import ExportError, export_split, remove_partial_export
    from lmms_compgap.finetune.targets import parse_style_mix

    try:
        style = parse_style_mix(args.style)
        if args.workers < 1:
            raise ValueError(f"--workers must be at least 1, not {args.workers}")
    except ValueError as error:
        raise SystemExit(f"compgap data export: {error}") from None
    out = Path(args.out)
    try:
        # By default every family that shows pictures (the export writes image-text data; audio families are left out).
        chosen = [
            name for name in _families(args.task, variants=False) if args.task or get_family(name).medium == "image"
        ]
        result = export_split(out, chosen, args.split, style, args.size, args.seed, args.hf_format, args.workers)
    except (ExportError, ValueError) as error:
        raise SystemExit(f"compgap data export: {error}") from None
    except BaseException:
        remove_partial_export(out)
        raise
    manifest = result.manifest
    for family, summary in manifest["families"].items():
        kinds = ", ".join(f"{n} {kind}" for kind, n in summary["examples"].items())
        print(f"{family}: {summary['size']} items (seed {summary['seed']}, {summary['fingerprint']}): {kinds}")
    print(
        f"Wrote {out}: {manifest['examples']} examples, {manifest['images']} pictures ({manifest['data_fingerprint']})"
    )
    return 0


def _data_overlap(args: argparse.Namespace) -> int:
    from lmms_compgap.core.splits import SPLIT_VERSION, build_split, split_overlap

    splits = [args.split] if args.split else list(TRAINING_SPLITS)
    print(f"split version {SPLIT_VERSION}; what each training split shares with the test split")
    print("family    split       items   test  share a test problem (test items covered)  share a test intermediate")
    for name in _families(args.task, variants=False):
        family = get_family(name)
        for split in splits:
            try:
                found = split_overlap(family, build_split(family, split, args.size, args.seed))
            except ValueError as error:
                raise SystemExit(f"compgap data overlap: {error}") from None
            print(
                f"{name:<9} {split:<10} {found.items:>6} {found.test_items:>6}  "
                f"{found.items_sharing_signature:>20} ({found.test_items_covered})"
                f"{found.items_sharing_intermediate:>27}"
            )
    return 0


def _data_verify(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else None
    failures = 0
    for name in _families(args.task):
        try:
            fingerprint = get_family(name).verify_data_file(root)
        except data_files.DataIntegrityError as error:
            failures += 1
            print(f"{name}: FAILED: {error}", file=sys.stderr)
        else:
            print(f"{name}: ok ({fingerprint})")
    return 1 if failures else 0


def _split_options(parser: argparse.ArgumentParser, splits: Sequence[str], default: str | None) -> None:
    from lmms_compgap.core.splits import DEFAULT_SEEDS, DEFAULT_SIZES, TRAINING_SPLITS

    parser.add_argument(
        "--split", choices=splits, default=default, help=f"the split (default {default or ' and '.join(splits)})"
    )
    defaults = ", ".join(f"{split} {DEFAULT_SIZES[split]}" for split in TRAINING_SPLITS)
    parser.add_argument("--size", type=int, help=f"items per family (default: {defaults})")
    seeds = ", ".join(f"{split} {DEFAULT_SEEDS[split]}" for split in TRAINING_SPLITS)
    parser.add_argument("--seed", type=int, help=f"generation seed (default: {seeds})")


def _setup_math_verify(args: argparse.Namespace) -> int:
    from lmms_compgap.scoring import equivalence

    target = equivalence.install_math_verify(Path(args.target) if args.target else None)
    equivalence.ensure_available()
    print(f"math-verify ({', '.join(equivalence.MATH_VERIFY_PINS)}) is installed in {target} and runs")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="compgap", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    score = commands.add_parser("score", help="score responses outside an lmms-eval run (the same scorer)")
    score.add_argument("task", help="a task name, e.g. compgap_mathtext_direct")
    score.add_argument("responses", help='JSON lines {"doc_id": int, "response": str}; - for stdin')
    score.set_defaults(handler=_score)

    data = commands.add_parser("data", help="build or verify the generated data files")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    for name, handler, text in (
        ("build", _data_build, "regenerate the canonical test data files, or generate a train/validation split"),
        ("verify", _data_verify, "check the data files byte for byte against a fresh generation"),
    ):
        sub = data_commands.add_parser(name, help=text)
        _task_option(sub, generated_family_names(), "generated task family")
        sub.add_argument("--root", help="the task_yamls folder (default: the one in use for the family)")
        sub.set_defaults(handler=handler)
        if name == "build":
            _split_options(sub, SPLITS, "test")
            sub.add_argument("--out", help="folder for train/validation rows (default compgap-data/)")
    add_check_command(data_commands)

    overlap = data_commands.add_parser(
        "overlap",
        help="what the train and validation splits share with the test split: items posing a test problem "
        "(problem signature) and items with a test item's gold intermediate",
    )
    _task_option(overlap, generated_family_names(), "generated task family")
    _split_options(overlap, TRAINING_SPLITS, None)
    overlap.set_defaults(handler=_data_overlap)

    export = data_commands.add_parser(
        "export", help="a train/validation split as fine-tuning data: PNGs, LLaVA/ShareGPT JSON, a TRL-ready dataset"
    )
    export.add_argument("--out", required=True, help="a new (or empty) folder for the files")
    _task_option(export, generated_family_names(), "generated task family")
    _split_options(export, TRAINING_SPLITS, "train")
    export.add_argument(
        "--style",
        default="composition",
        help="target style: composition, direct or skills, or a mix such as composition=0.7,skills=0.3 "
        "(default %(default)s; docs/finetuning.md)",
    )
    hf_help = "the Hugging Face dataset as a save_to_disk folder hf/ or as hf.parquet (default %(default)s)"
    export.add_argument("--hf-format", choices=("disk", "parquet"), default="disk", help=hf_help)
    export.add_argument("--workers", type=int, default=1, help="processes drawing pictures (default %(default)s)")
    export.set_defaults(handler=_data_export)

    setup = commands.add_parser("setup", help="install an optional part that pip cannot install with the package")
    setup_commands = setup.add_subparsers(dest="setup_command", required=True)
    math_verify = setup_commands.add_parser(
        "math-verify",
        help="math-verify, which scores compgap_math500, in a folder of its own (its antlr runtime conflicts with "
        "lmms-eval's)",
    )
    math_verify.add_argument("--target", help="the folder (default: $COMPGAP_MATH_VERIFY_DIR or in the environment)")
    math_verify.set_defaults(handler=_setup_math_verify)

    add_tasks_command(commands)
    add_new_family_command(commands)
    add_report_commands(commands)
    add_doctor_command(commands)
    add_finetune_command(commands)
    return parser


def _literal_streams() -> None:
    """Print anything: a lone surrogate or an unencodable character from an input file becomes an escape
    (``\\ud800``) instead of stopping the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `leaderboard DIR` builds a board and `leaderboard init DIR` a repository: one positional cannot be both.
    if argv[:2] == ["leaderboard", "init"]:
        from lmms_compgap.report.files.leaderboard_repo import init_parser

        args = init_parser().parse_args(argv[2:])
    else:
        args = build_parser().parse_args(argv)
    _literal_streams()
    try:
        return args.handler(args)
    except (data_files.DataIntegrityError, OSError, KeyError, ReportError) as error:
        print(f"compgap: {plain_lines(error)}", file=sys.stderr)  # a missing dataset's help spans lines
        return 1


if __name__ == "__main__":
    sys.exit(main())
