"""The `compgap report | submit | verify | leaderboard` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lmms_compgap.core.regular import write_regular
from lmms_compgap.errors import NotVerifiedHere, ReportError, SubmissionRejected
from lmms_compgap.report.compute.stats import DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, BootstrapParams
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.files.safe_json import DEFAULT_MAX_BYTES
from lmms_compgap.report.logs import Loaded, ModelLogs, group_by_model
from lmms_compgap.report.render.literal import plain_text

# The handlers import their modules when they run: matplotlib and jsonschema would slow every `compgap` start.


def _params(args: argparse.Namespace) -> BootstrapParams:
    if not 100 <= args.resamples <= 100_000:
        raise ReportError(f"--resamples must be in [100, 100000], not {args.resamples}")
    if not 0.5 < args.confidence < 1:
        raise ReportError(f"--confidence must be in (0.5, 1), not {args.confidence}")
    if args.seed < 0:
        raise ReportError(f"--seed must be >= 0, not {args.seed}")
    return BootstrapParams(args.resamples, args.seed, args.confidence)


def _report(args: argparse.Namespace) -> int:
    from lmms_compgap.report.compute.summary import summarize_model
    from lmms_compgap.report.files.report_folder import write_report

    params = _params(args)
    if args.sensitivity and (args.base or args.by_run):
        raise ReportError(
            "--sensitivity compares a model's runs by their arguments; it takes neither --base nor --by-run"
        )
    if args.reference is not None and not args.sensitivity:
        raise ReportError("--reference names the reference run of --sensitivity; add --sensitivity")
    loaded = load_outputs(args.output_paths)
    comparison, sweeps = None, []
    if args.sensitivity:
        from lmms_compgap.report.compute.sensitivity import sensitivity_sweeps

        sweeps, models = sensitivity_sweeps(loaded.tasks, params, args.reference)
        loaded.issues += [issue for sweep in sweeps for issue in sweep.issues]
    elif args.base:
        from lmms_compgap.report.compute.finetune import compare_runs
        from lmms_compgap.report.files.provenance import training_record

        base = load_outputs([args.base])
        before, after = _one_model(base, args.base, "--base"), _one_model(loaded, args.output_paths, "OUTPUT_PATH")
        try:
            training = training_record(after)
        except ReportError as error:  # a report still compares the runs; `compgap submit` refuses
            training = None
            base.issues.append(str(error))
        # The comparison names the models; the tables that follow show both runs, told apart by their labels.
        comparison = compare_runs(before, after, params, training)
        before.label, after.label = f"before: {before.label}", f"after: {after.label}"
        loaded.issues[:0] = base.issues
        models = [before, after]
    else:
        models = group_by_model(loaded.tasks, by_run=args.by_run)
    summaries = [summarize_model(model, params) for model in models]
    issues = loaded.issues + [issue for summary in summaries for issue in summary.issues]
    issues += comparison.issues if comparison else []
    if not summaries:
        for issue in issues:
            print(f"compgap report: {plain_text(issue)}", file=sys.stderr)
        print(f"compgap report: no compgap results with samples found; nothing written to {args.out}", file=sys.stderr)
        return 1
    files = write_report(summaries, issues, Path(args.out), params, not args.no_plots, comparison, sweeps)
    print(files.markdown)
    print("Wrote " + ", ".join(str(path) for path in files.paths))
    return 0


def _one_model(loaded: Loaded, where: object, option: str) -> ModelLogs:
    models = group_by_model(loaded.tasks)
    if len(models) != 1:
        names = [model.label for model in models]
        found = f"models {names}" if models else f"no compgap run with samples ({'; '.join(loaded.issues)})"
        raise ReportError(f"{option} {where}: a before/after report needs one model's runs here, found {found}")
    return models[0]


def _submit(args: argparse.Namespace) -> int:
    from lmms_compgap.report.files.provenance import trained_on
    from lmms_compgap.report.submissions.build import build_submission

    params = _params(args)
    loaded = load_outputs([args.output_path])
    models = group_by_model(loaded.tasks)
    names = [model.label for model in models]
    if not models:
        raise ReportError(
            f"{args.output_path}: no compgap runs with samples ({'; '.join(loaded.issues) or 'nothing found'})"
        )
    if args.model:
        models = [model for model in models if model.label == args.model]
    if len(models) != 1:
        wanted = f"no model {args.model!r}" if args.model else f"{len(models)} models"
        raise ReportError(f"{args.output_path}: {wanted} in these runs; choose one with --model from {names}")
    model = models[0]
    for issue in loaded.issues + model.issues:
        print(f"note: {issue}", file=sys.stderr)
    training = trained_on(args.trained_on, model)
    document, notes = build_submission(model, params, allow_partial=args.partial, training=training, name=args.name)
    if training is not None:
        notes.append(f"fine-tuned on compgap data {training['data_fingerprint']} (recorded in the submission)")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # ASCII JSON: a response may hold lone surrogates, which JSON carries as escapes and UTF-8 cannot encode.
    write_regular(out, json.dumps(document, ensure_ascii=True, indent=1) + "\n")
    kind = "partial" if document["partial"] else "complete"
    items = sum(task["n_items"] for task in document["tasks"])
    shown = plain_text(document["model"]["name"])
    print(f"Wrote {out}: {kind} submission for {shown}, {len(document['tasks'])} tasks, {items} responses")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from lmms_compgap.report.compute.ranking import PARTIAL_EXCLUDED, explain, standing
    from lmms_compgap.report.submissions.verify import verify_submission

    if args.rerun is not None:
        from lmms_compgap.report.submissions.rerun import MAX_RERUN

        if not 1 <= args.rerun <= MAX_RERUN:
            raise ReportError(f"--rerun must be between 1 and {MAX_RERUN}, not {args.rerun}")
    failures = not_verified = 0
    for name in args.files:
        try:
            verified = verify_submission(Path(name), args.max_bytes)
            rerun = _rerun(Path(name), args) if args.rerun else None
        except NotVerifiedHere as error:
            not_verified += 1
            print(f"NOT VERIFIED {plain_text(error)}", file=sys.stderr)
            continue
        except SubmissionRejected as error:
            failures += 1
            print(f"REJECTED {plain_text(error)}", file=sys.stderr)
            continue
        kind = "partial: " + "; ".join(verified.coverage_gaps) if verified.partial else "complete"
        counts = ", ".join(f"{family} n={n}" for family, n in sorted(verified.n_items.items()))
        print(f"OK {plain_text(name)}: {verified.model_name} ({counts}; {kind})")
        # The ranked quantity, recomputed from the re-scored items like everything else (never read from the file).
        position = standing(verified.scores, PARTIAL_EXCLUDED if verified.partial else None)
        print(f"  composed accuracy {100 * position.composed:.1f}% (what the leaderboard ranks): {explain(position)}")
        if rerun is not None:
            print(f"  {plain_text(rerun.summary())}")
    # 2, as `compgap doctor` warns: nothing was found wrong, but a file could not be checked to the end here.
    return 1 if failures else 2 if not_verified else 0


def _rerun(path: Path, args: argparse.Namespace) -> Any:
    from lmms_compgap.report.submissions.rerun import rerun_file

    return rerun_file(path, args.rerun, args.max_bytes, args.rerun_salt, args.rerun_device, args.rerun_timeout)


def _leaderboard(args: argparse.Namespace) -> int:
    from lmms_compgap.report.files.leaderboard_folder import build_leaderboard, write_leaderboard

    directory = Path(args.directory)
    if not directory.is_dir():
        raise ReportError(f"{directory}: not a folder of submission files")
    board = build_leaderboard(directory, args.max_bytes, args.include_partial, _params(args), args.agreement)
    paths = write_leaderboard(board, Path(args.out) if args.out else directory / "leaderboard")
    pipelines = f", {len(board.pipelines)} pipelines (listed apart)" if board.pipelines else ""
    print(
        f"{len(board.ranked)} ranked, {len(board.unranked)} listed apart{pipelines}, {len(board.rejected)} rejected, "
        f"{len(board.not_verified)} not verified here"
    )
    for entry in board.unranked:
        print(f"LISTED APART {plain_text(entry.verified.path.name)}: {plain_text(entry.standing.apart)}")
    for path, reason in board.rejected:
        print(f"REJECTED {plain_text(path.name)}: {plain_text(reason)}", file=sys.stderr)
    for path, reason in board.not_verified:
        print(f"NOT VERIFIED {plain_text(path.name)}: {plain_text(reason)}", file=sys.stderr)
    print("Wrote " + ", ".join(str(path) for path in paths))
    return 0


def _statistics_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resamples", type=int, default=DEFAULT_RESAMPLES, help="bootstrap resamples (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="bootstrap seed (default %(default)s)")
    parser.add_argument(
        "--confidence", type=float, default=DEFAULT_CONFIDENCE, help="interval level (default %(default)s)"
    )


def _max_bytes_option(parser: argparse.ArgumentParser) -> None:
    text = "refuse submission files larger than this many bytes, before parsing (default %(default)s)"
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help=text)


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    """Register `report`, `submit`, `verify` and `leaderboard` on the `compgap` command's subparsers."""
    report = commands.add_parser("report", help="gap tables, attribution, CSV and plots from lmms-eval output folders")
    report.add_argument("output_paths", nargs="+", metavar="OUTPUT_PATH", help="lmms-eval --output_path folders")
    report.add_argument("--out", default="compgap-report", help="folder for the files (default %(default)s)")
    report.add_argument("--by-run", action="store_true", help="one row per run instead of merging a model's runs")
    report.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    report.add_argument(
        "--base",
        metavar="BASE_OUTPUT_PATH",
        help="the base model's run: compare it with the fine-tuned run in OUTPUT_PATH (gap before and after)",
    )
    report.add_argument(
        "--sensitivity",
        action="store_true",
        help="compare the runs of one model that differ in exactly one argument (e.g. max_pixels), each against a "
        "reference run; runs that differ in more than one are refused",
    )
    report.add_argument(
        "--reference",
        metavar="KEY=VALUE",
        help="with --sensitivity: the reference run's setting (default: the key unset, else its smallest value)",
    )
    _statistics_options(report)
    report.set_defaults(handler=_report)

    submit = commands.add_parser("submit", help="write a leaderboard submission from one model's logged runs")
    submit.add_argument("output_path", metavar="OUTPUT_PATH", help="an lmms-eval --output_path folder (with samples)")
    submit.add_argument("--out", required=True, help="the submission file to write (JSON)")
    submit.add_argument("--model", help="the model to submit, when the folder holds several")
    submit.add_argument(
        "--name", help="the model's name on the leaderboard (default: what lmms-eval recorded, often a local path)"
    )
    submit.add_argument("--partial", action="store_true", help="allow a run that lacks tasks, settings or items")
    submit.add_argument(
        "--trained-on",
        metavar="PATH",
        help="the model's compgap_training.json (or its folder) when it was fine-tuned on compgap data; found "
        "automatically when the run's pretrained= folder holds one",
    )
    _statistics_options(submit)
    submit.set_defaults(handler=_submit)

    verify = commands.add_parser("verify", help="re-score a submission's responses and check every number")
    verify.add_argument("files", nargs="+", metavar="FILE", help="submission files")
    _max_bytes_option(verify)
    verify.add_argument(
        "--rerun",
        type=int,
        metavar="N",
        help="also regenerate N responses, chosen from the file's hash, through lmms-eval with the model and "
        "arguments the file records, and compare them (docs/submissions.md)",
    )
    verify.add_argument("--rerun-salt", default="", help="mixed into the seed that picks the re-run's items")
    verify.add_argument("--rerun-device", help="the re-run's --device (default: cuda:0 if torch sees a GPU, else cpu)")
    verify.add_argument(
        "--rerun-timeout", type=float, default=3600, help="seconds the re-run may take (default %(default)s)"
    )
    verify.set_defaults(handler=_verify)

    board = commands.add_parser(
        "leaderboard",
        help="rank verified submissions: Markdown and a static HTML page",
        epilog="`compgap leaderboard init DIR` writes a submissions repository ready to host instead (CI workflow, "
        "CONTRIBUTING.md; docs/submissions.md)",
    )
    board.add_argument("directory", metavar="DIR", help="a folder of submission files (*.json)")
    board.add_argument("--out", help="folder for the files (default DIR/leaderboard)")
    board.add_argument("--include-partial", action="store_true", help="rank partial submissions too (marked)")
    board.add_argument(
        "--agreement",
        action="store_true",
        help="add a column: how often the direct and language answers agree (docs/report.md; not ranked)",
    )
    _max_bytes_option(board)
    _statistics_options(board)
    board.set_defaults(handler=_leaderboard)
