"""`compgap finetune` (also `python -m lmms_compgap.finetune`, for `accelerate launch -m`)."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from lmms_compgap.finetune.recipe import DEFAULT_CONFIG, RecipeError, load_recipe


def _finetune(args: argparse.Namespace) -> int:
    if args.write_config:
        target = Path(args.write_config)
        if target.exists():
            raise SystemExit(f"compgap finetune: {target} exists; not overwritten")
        shutil.copyfile(DEFAULT_CONFIG, target)
        print(f"Wrote {target}: the paper's full fine-tuning recipe; edit model, train_data, eval_data, output_dir")
        return 0
    if not args.config:
        raise SystemExit("compgap finetune: give --config RECIPE.yaml (or --write-config PATH for the default recipe)")
    try:
        recipe = load_recipe(args.config, args.set)
    except RecipeError as error:
        raise SystemExit(f"compgap finetune: {args.config}: {error}") from None
    from lmms_compgap.finetune.export import ExportError
    from lmms_compgap.finetune.train import run_recipe

    try:
        outcome = run_recipe(recipe)
    except (RecipeError, ExportError) as error:
        raise SystemExit(f"compgap finetune: {error}") from None
    losses = [entry["loss"] for entry in outcome.log_history if "loss" in entry]
    summary = f"last logged loss {losses[-1]:.4f}" if losses else "no loss logged"
    trainable = f"{outcome.trainable_parameters:,} trainable parameters"
    print(f"Saved {outcome.output_dir} ({recipe.method}, {trainable}, {summary})")
    inner = f"inner=<lmms-eval model>,pretrained={outcome.output_dir}"
    print(f"Evaluate it: lmms-eval --model compgap_cascade --model_args {inner} --tasks compgap ...")
    return 0


def add_finetune_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="the recipe YAML (docs/finetuning.md)")
    parser.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a recipe key (repeatable)")
    parser.add_argument("--write-config", metavar="PATH", help="write the default recipe to PATH and stop")
    parser.set_defaults(handler=_finetune)


def add_finetune_command(commands: argparse._SubParsersAction) -> None:
    """Register `finetune` on the `compgap` command's subparsers."""
    parser = commands.add_parser("finetune", help="fine-tune a model on exported compgap data (TRL SFTTrainer)")
    add_finetune_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lmms_compgap.finetune", description=__doc__)
    add_finetune_arguments(parser)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
