"""End to end on the CPU: export composition data, fine-tune the tiny random Qwen2.5-VL with LoRA and with full
fine-tuning through `compgap finetune`, evaluate the saved checkpoint with the real `lmms-eval` command through
compgap_cascade, and report the gap before and after against the base model's run.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
import yaml

from lmms_compgap.core.settings import decode_cascade_response
from lmms_compgap.finetune.export import read_manifest
from tests.fixtures.once import build_once
from tests.helpers import TINY_QWEN_ARGS, LmmsEvalRun, offline_env, read_runs, run_lmms_eval_list

pytestmark = pytest.mark.e2e

FAMILY = "count"
TASKS = f"compgap_{FAMILY}_direct,compgap_{FAMILY}_cascade"
EVAL_CONFIG = {
    "model": "compgap_cascade",
    "tasks": TASKS,
    "device": "cpu",
    "batch_size": 2,
    "limit": 2,
    "gen_kwargs": "max_new_tokens=8",
    "log_samples": True,
}
#: Per method: a learning rate that moves a tiny random model in a few CPU steps (the recipe's default, 1e-5,
#: is the paper's for billions of parameters).
METHODS = {
    # LoRA saves a checkpoint every 4 steps (each must be evaluable on its own) and leaves bf16 at its default
    # (auto: float32 on this CPU); full fine-tuning asks for float32 and saves none.
    "lora": {
        "learning_rate": 1.0e-2,
        "lora": {"r": 8, "alpha": 16, "dropout": 0.0},
        "save_strategy": "steps",
        "training_args": {"use_cpu": True, "dataloader_num_workers": 0, "save_steps": 4},
    },
    "full": {"learning_rate": 2.0e-3, "bf16": False},
}


def compgap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lmms_compgap.cli", *args]
    env = offline_env(OMP_NUM_THREADS="2")
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=cwd)


@functools.cache
def training_batch_loss(model_dir: Path, data_dir: Path) -> float:
    """The loss of a saved model on the whole (tiny) training set, masked as in training (responses only)."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from trl.chat_template_utils import get_training_chat_template
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    processor = AutoProcessor.from_pretrained(model_dir)
    model = AutoModelForImageTextToText.from_pretrained(model_dir, dtype=torch.float32).eval()
    collator = DataCollatorForVisionLanguageModeling(
        processor, assistant_only_loss=True, chat_template=get_training_chat_template(processor)
    )
    dataset = datasets.load_from_disk(str(data_dir / "hf"))
    batch = collator([{"messages": row["messages"], "images": row["images"]} for row in dataset])
    with torch.no_grad():
        return float(model(**batch).loss)


def never_blank(model_dir: Path) -> None:
    """Keep a tiny model from emitting blank or special tokens only (its cascade step 1 would look empty and
    step 2 never run): suppress those tokens in the saved generation config."""
    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    blank = [i for i in range(len(tokenizer)) if not tokenizer.decode([i]).strip()]
    config = GenerationConfig.from_pretrained(model_dir)
    config.suppress_tokens = sorted(set(blank) | set(tokenizer.all_special_ids) | set(tokenizer.added_tokens_decoder))
    config.save_pretrained(model_dir)


# The exported data, the fine-tuned models and the base model's run are built once for the whole test run (every
# worker reads them; the one test that edits a model copies it first).
@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def export(folder: Path) -> str:
        result = compgap(
            "data",
            "export",
            "--split",
            "train",
            "--task",
            FAMILY,
            "--size",
            "32",
            "--style",
            "composition",
            "--out",
            str(folder / "train"),
            cwd=folder,
        )
        assert result.returncode == 0, result.stderr
        return str(folder / "train")

    return Path(build_once(tmp_path_factory, "finetune-export", export)[1])


@pytest.fixture(scope="module")
def finetuned(tiny_qwen_dir: Path, exported: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    def train(workdir: Path) -> dict[str, str]:
        saved = {}
        for method, settings in METHODS.items():
            recipe = {
                "model": str(tiny_qwen_dir),
                "train_data": str(exported),
                "output_dir": str(workdir / method),
                "method": method,
                "max_steps": 8,
                "effective_batch_size": 8,
                "per_device_train_batch_size": 8,
                "gradient_checkpointing": False,
                "logging_steps": 1,
                "save_strategy": "no",
                "training_args": {"use_cpu": True, "dataloader_num_workers": 0},
                **settings,
            }
            (workdir / f"{method}.yaml").write_text(yaml.safe_dump(recipe))
            result = compgap("finetune", "--config", str(workdir / f"{method}.yaml"), cwd=workdir)
            assert result.returncode == 0, result.stderr[-3000:]
            assert f"Saved {workdir / method} ({method}," in result.stdout
            assert "compgap finetune: precision: float32 (bf16: " in result.stderr
            saved[method] = str(workdir / method)
        return saved

    return {method: Path(path) for method, path in build_once(tmp_path_factory, "finetune-models", train)[1].items()}


@pytest.fixture(scope="module")
def evaluated(
    tiny_qwen_dir: Path, finetuned: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, LmmsEvalRun]:
    """The base model, the fully fine-tuned one and LoRA's first checkpoint, evaluated in one lmms-eval process."""

    def evaluate(folder: Path) -> None:
        full = Path(shutil.copytree(finetuned["full"], folder / "full-model"))  # shared with other tests: a copy
        never_blank(full)
        models = {"base": tiny_qwen_dir, "after": full, "checkpoint-run": finetuned["lora"] / "checkpoint-4"}
        configs = {
            name: {**EVAL_CONFIG, "model_args": f"inner=qwen2_5_vl,pretrained={model},{TINY_QWEN_ARGS}"}
            for name, model in models.items()
        }
        run_lmms_eval_list(configs, folder)

    folder, _ = build_once(tmp_path_factory, "finetune-runs", evaluate)
    return read_runs(folder, ["base", "after", "checkpoint-run"])


def test_export_holds_32_composition_examples(exported: Path) -> None:
    manifest = read_manifest(exported)
    assert manifest["examples"] == 32 and manifest["families"][FAMILY]["examples"] == {"composition": 32}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_finetuning_lowers_the_training_loss_and_saves_what_lmms_eval_loads(
    method: str, finetuned: dict[str, Path], exported: Path, tiny_qwen_dir: Path
) -> None:
    before, after = training_batch_loss(tiny_qwen_dir, exported), training_batch_loss(finetuned[method], exported)
    assert math.isfinite(after) and after < before, (before, after)
    record = json.loads((finetuned[method] / "compgap_training.json").read_text())
    losses = [entry["loss"] for entry in record["losses"]]
    assert len(losses) == 8 and all(math.isfinite(loss) for loss in losses) and losses[-1] < losses[0]
    assert record["method"] == method and record["base_model"] == str(tiny_qwen_dir)
    assert record["data_fingerprint"] == read_manifest(exported)["data_fingerprint"]
    assert record["splits"]["train"]["families"][FAMILY]["seed"] == read_manifest(exported)["families"][FAMILY]["seed"]
    for name in ("config.json", "model.safetensors", "processor_config.json", "tokenizer.json"):
        assert (finetuned[method] / name).is_file(), name
    assert (finetuned[method] / "adapter").is_dir() == (method == "lora")
    assert record["precision"] == "float32" and record["checkpoint_step"] is None


def test_every_lora_folder_saved_on_the_way_is_evaluable_and_traceable(finetuned: dict[str, Path]) -> None:
    """`checkpoint-N` and `adapter/` hold the adapter only: with the processor and the training record beside it,
    transformers loads each as the base model with its adapters, as lmms-eval's wrappers do."""
    import torch
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    run = finetuned["lora"]
    merged = Qwen2_5_VLForConditionalGeneration.from_pretrained(run, dtype=torch.float32).eval()
    ids = torch.tensor([[3, 14, 15, 92, 65]])
    for folder, step in ((run / "checkpoint-4", 4), (run / "checkpoint-8", 8), (run / "adapter", None)):
        assert (folder / "adapter_config.json").is_file() and not (folder / "model.safetensors").exists()
        AutoProcessor.from_pretrained(folder)
        record = json.loads((folder / "compgap_training.json").read_text())
        assert (
            record["checkpoint_step"] == step
            and record["base_model"] == json.loads((run / "compgap_training.json").read_text())["base_model"]
        )
        assert len(record["losses"]) == (step or 8)
        model = Qwen2_5_VLForConditionalGeneration.from_pretrained(folder, dtype=torch.float32).eval()
        if step in (8, None):  # the last checkpoint and the final adapter are the merged model's weights
            with torch.no_grad():
                assert torch.allclose(model(input_ids=ids).logits, merged(input_ids=ids).logits, atol=1e-4)


def test_finetuned_checkpoint_runs_in_lmms_eval_and_the_report_compares_it_with_the_base(
    evaluated: dict[str, LmmsEvalRun], exported: Path, tmp_path: Path
) -> None:
    base_run, run = evaluated["base"], evaluated["after"]
    assert base_run.returncode == 0 and base_run.results is not None, base_run.output[-3000:]
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for sample in run.samples[f"compgap_{FAMILY}_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None and isinstance(envelope.step2, str), envelope.error  # step 2 ran

    result = compgap(
        "report",
        str(run.output_path),
        "--base",
        str(base_run.output_path),
        "--out",
        str(tmp_path / "report"),
        "--resamples",
        "1000",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "## Before and after fine-tuning" in result.stdout and "gap closed?" in result.stdout
    assert f"on compgap data {read_manifest(exported)['data_fingerprint']}" in result.stdout
    with (tmp_path / "report" / "finetune.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(row["setting"], row["score"]) for row in rows} == {
        (setting, score) for setting in ("direct", "cascade", "gap") for score in ("flexible", "strict")
    }
    assert all(row["n"] == "2" for row in rows)
    gap = next(row for row in rows if row["setting"] == "gap" and row["score"] == "flexible")
    assert gap["verdict"] == "n too small"  # two items: nothing can be concluded
    assert (tmp_path / "report" / "gap.png").stat().st_size > 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert report.count("before: ") >= 2 and report.count("after: ") >= 2  # both runs in every table


def test_a_lora_checkpoint_runs_in_lmms_eval_and_its_submission_records_the_training(
    evaluated: dict[str, LmmsEvalRun], exported: Path, tmp_path: Path
) -> None:
    run = evaluated["checkpoint-run"]
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    result = compgap(
        "submit",
        str(run.output_path),
        "--out",
        str(tmp_path / "checkpoint.json"),
        "--partial",
        "--resamples",
        "200",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    training = json.loads((tmp_path / "checkpoint.json").read_text())["training"]
    assert training["method"] == "lora"
    assert training["data_fingerprint"] == read_manifest(exported)["data_fingerprint"]
