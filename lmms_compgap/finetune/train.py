"""Run the recipe: TRL's SFTTrainer on an exported training split, then save what lmms-eval loads.

Launch with `compgap finetune --config recipe.yaml` (one process) or
`accelerate launch [--num_processes N] -m lmms_compgap.finetune --config recipe.yaml` (several GPUs,
DeepSpeed through the recipe's `deepspeed` key). The saved folder holds the model (LoRA adapters merged),
its processor and `compgap_training.json`, the provenance a submission records; so does every folder saved on
the way (`checkpoint-N`, and a LoRA run's `adapter/`), each loadable by lmms-eval with `pretrained=<folder>`
(transformers applies an adapter folder's adapters to the base model it names).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmms_compgap import __version__
from lmms_compgap.core.versions import installed_version
from lmms_compgap.finetune.export import HF_FORMATS, read_manifest
from lmms_compgap.finetune.recipe import Recipe, RecipeError

PROVENANCE_FILE = "compgap_training.json"
PROVENANCE_FORMAT = "lmms-compgap-training"
#: A LoRA run's adapter alone, beside the merged model (loadable too: transformers applies it to the base model).
ADAPTER_DIR = "adapter"
#: Parameter-name markers of each part of a vision-language model, over the layouts transformers 5 uses
#: (Qwen2/2.5/3-VL: model.visual + visual.merger; LLaVA, Gemma3, InternVL: vision_tower +
#: multi_modal_projector; Mllama: vision_model + multi_modal_projector; Idefics3/SmolVLM: vision_model +
#: connector + text_model). The projector is tested first: Qwen's merger sits inside `visual`.
PART_MARKERS: dict[str, tuple[str, ...]] = {
    "projector": ("visual.merger.", "multi_modal_projector.", "connector.", "mm_projector."),
    "vision": ("visual.", "vision_tower.", "vision_model.", "vision_encoder."),
    "llm": ("language_model.", "text_model.", "lm_head."),
}
FREEZE_FLAGS: dict[str, str] = {"vision": "freeze_vision_tower", "projector": "freeze_projector", "llm": "freeze_llm"}


@dataclass(frozen=True)
class TrainingOutcome:
    output_dir: Path
    log_history: list[dict[str, Any]]
    trainable_parameters: int
    provenance: dict[str, Any]


def model_part(parameter_name: str) -> str | None:
    """Which part ("vision", "projector", "llm") a parameter or module belongs to, None if none is known."""
    name = f".{parameter_name}"
    for part, markers in PART_MARKERS.items():
        if any(f".{marker}" in name or name.startswith(f".{marker}") for marker in markers):
            return part
    return None


def frozen_parts(recipe: Recipe) -> set[str]:
    return {part for part, flag in FREEZE_FLAGS.items() if getattr(recipe, flag)}


def apply_freezing(model: Any, recipe: Recipe) -> None:
    """Full fine-tuning: stop gradients into the parts the recipe freezes; refuse a layout we cannot read."""
    frozen = frozen_parts(recipe)
    found = {part: 0 for part in PART_MARKERS}
    for name, parameter in model.named_parameters():
        part = model_part(name)
        if part is not None:
            found[part] += 1
            if part in frozen:
                parameter.requires_grad_(False)
    absent = sorted(part for part in frozen if not found[part])
    if absent:
        raise RecipeError(
            f"{type(model).__name__}: no parameters found for {', '.join(absent)} (known layouts: "
            f"{PART_MARKERS}); unset {', '.join(FREEZE_FLAGS[part] for part in absent)}"
        )


def lora_config(model: Any, recipe: Recipe) -> Any:
    """peft LoRA settings: adapters on the recipe's target modules, none inside frozen parts."""
    from peft import LoraConfig

    frozen = frozen_parts(recipe)
    excluded = [name for name, _ in model.named_modules() if name and model_part(name + ".") in frozen]
    return LoraConfig(
        r=recipe.lora.r,
        lora_alpha=recipe.lora.alpha,
        lora_dropout=recipe.lora.dropout,
        target_modules=recipe.lora.target_modules,
        exclude_modules=excluded or None,
        task_type="CAUSAL_LM",
    )


def choose_bf16(setting: bool | str, bf16_supported: bool, use_cpu: bool, fp16: bool = False) -> tuple[bool, str]:
    """Whether to train in bf16, and a line saying why, from the recipe's `bf16` (true, false, auto) and the
    hardware (`bf16_supported`: transformers' `is_torch_bf16_gpu_available`). RecipeError, before anything is
    loaded, when `bf16: true` cannot run here (transformers would stop later with a traceback)."""
    if setting == "auto":
        if fp16:
            return False, "precision: float16 (training_args fp16), not bf16 (bf16: auto)"
        if bf16_supported and not use_cpu:
            return True, "precision: bf16 (bf16: auto; this accelerator supports it)"
        where = "training on the CPU (use_cpu)" if use_cpu else "no accelerator here supports bf16"
        return False, f"precision: float32 (bf16: auto; {where})"
    if setting and not bf16_supported and not use_cpu:
        raise RecipeError(
            "bf16: true, but no accelerator here supports bf16 (a GPU of the Ampere generation or later, a TPU); "
            "set bf16: auto (bf16 where supported, float32 otherwise) or false, or train on such a GPU"
        )
    return bool(setting), f"precision: {'bf16' if setting else 'float32'} (bf16: {str(setting).lower()})"


def load_split(folder: str) -> tuple[Any, dict[str, Any]]:
    """An exported split's Hugging Face dataset and manifest."""
    import datasets

    path = Path(folder)
    manifest = read_manifest(path)
    name = manifest["files"]["hf"]
    if manifest["files"]["hf_format"] == "parquet" or name == HF_FORMATS["parquet"]:
        return datasets.load_dataset("parquet", data_files=str(path / name), split="train"), manifest
    return datasets.load_from_disk(str(path / name)), manifest


def provenance(
    recipe: Recipe,
    train: dict[str, Any],
    evaluation: dict[str, Any] | None,
    log_history: list[dict[str, Any]],
    precision: str,
    checkpoint_step: int | None = None,
) -> dict[str, Any]:
    """What a checkpoint was trained on and how: compgap data fingerprints and split seeds, method, settings,
    precision, the step it was saved at and the training loss as logged until then."""

    def split_record(manifest: dict[str, Any]) -> dict[str, Any]:
        families = {
            # An export made before split versions were recorded holds version 1.
            family: {
                **{key: summary[key] for key in ("seed", "size", "fingerprint", "data_version")},
                "split_version": summary.get("split_version", 1),
            }
            for family, summary in manifest["families"].items()
        }
        return {"data_fingerprint": manifest["data_fingerprint"], "style": manifest["style"], "families": families}

    splits = {"train": split_record(train)}
    if evaluation is not None:
        splits["validation"] = split_record(evaluation)
    return {
        "format": PROVENANCE_FORMAT,
        "format_version": 1,
        "base_model": recipe.model,
        "method": recipe.method,
        "precision": precision,
        # The optimizer step a checkpoint was saved at (None: the end of training).
        "checkpoint_step": checkpoint_step,
        "data_fingerprint": train["data_fingerprint"],
        "splits": splits,
        "recipe": recipe.as_dict(),
        "losses": [{"step": entry.get("step"), "loss": entry["loss"]} for entry in log_history if "loss" in entry],
        "software": {
            "lmms_compgap": __version__,
            **{p: installed_version(p) for p in ("trl", "transformers", "peft", "torch")},
        },
    }


def write_record(folder: Path, processor: Any, record: dict[str, Any]) -> None:
    """Make a saved folder evaluable and traceable on its own: its processor (lmms-eval loads it from
    `pretrained=`) and its `compgap_training.json` (what `compgap submit` records)."""
    processor.save_pretrained(str(folder))
    (folder / PROVENANCE_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def checkpoint_recorder(processor: Any, record: Callable[[list[dict[str, Any]], int], dict[str, Any]]) -> Any:
    """A transformers callback writing processor and training record into every `checkpoint-N` the trainer saves
    (a LoRA checkpoint holds only the adapter, which lmms-eval cannot load without the processor beside it)."""
    from transformers import TrainerCallback

    class CheckpointRecorder(TrainerCallback):
        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            folder = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            if state.is_world_process_zero and folder.is_dir():
                write_record(folder, processor, record(state.log_history, state.global_step))

    return CheckpointRecorder()


def run_recipe(recipe: Recipe) -> TrainingOutcome:
    """Fine-tune `recipe.model` on the exported data; save model, processor and provenance to output_dir."""
    import torch
    from accelerate import PartialState
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from transformers.utils import is_torch_bf16_gpu_available
    from trl import SFTConfig, SFTTrainer

    state = PartialState()
    # Before anything is loaded: a precision the hardware lacks stops here, with a message.
    bf16, precision = choose_bf16(
        recipe.bf16,
        is_torch_bf16_gpu_available(),
        use_cpu=bool(recipe.training_args.get("use_cpu")),
        fp16=bool(recipe.training_args.get("fp16")),
    )
    precision_name = "bf16" if bf16 else "float16" if recipe.training_args.get("fp16") else "float32"
    if state.is_main_process:
        print(f"compgap finetune: {precision}", file=sys.stderr)
    train_dataset, train_manifest = load_split(recipe.train_data)
    if train_manifest["split"] != "train":
        raise RecipeError(f"train_data: {recipe.train_data} holds the {train_manifest['split']} split, not train")
    eval_dataset, eval_manifest = load_split(recipe.eval_data) if recipe.eval_data else (None, None)
    if eval_manifest is not None and eval_manifest["split"] != "validation":
        raise RecipeError(f"eval_data: {recipe.eval_data} holds the {eval_manifest['split']} split, not validation")

    dtype = torch.bfloat16 if bf16 else torch.float32
    model = AutoModelForImageTextToText.from_pretrained(recipe.model, dtype=dtype)
    processor = AutoProcessor.from_pretrained(recipe.model)
    peft_config = None
    if recipe.method == "lora":
        peft_config = lora_config(model, recipe)
    else:
        apply_freezing(model, recipe)

    evaluation = {"eval_strategy": "epoch"} if eval_dataset is not None else {}
    args = SFTConfig(
        output_dir=recipe.output_dir,
        learning_rate=recipe.learning_rate,
        lr_scheduler_type=recipe.lr_scheduler_type,
        warmup_steps=recipe.warmup_ratio,  # transformers 5: a float below 1 is a share of the steps
        num_train_epochs=recipe.num_train_epochs,
        max_steps=recipe.max_steps,
        per_device_train_batch_size=recipe.per_device_train_batch_size,
        gradient_accumulation_steps=recipe.gradient_accumulation_steps(state.num_processes),
        weight_decay=recipe.weight_decay,
        bf16=bf16,
        activation_checkpointing=recipe.gradient_checkpointing,
        assistant_only_loss=recipe.assistant_only_loss,
        max_length=recipe.max_length,
        deepspeed=recipe.deepspeed_config(),
        seed=recipe.seed,
        logging_steps=recipe.logging_steps,
        save_strategy=recipe.save_strategy,
        save_total_limit=recipe.save_total_limit,
        save_only_model=True,
        report_to="none",
        **evaluation,
        **recipe.training_args,
    )

    def record(log_history: list[dict[str, Any]], step: int | None) -> dict[str, Any]:
        return provenance(recipe, train_manifest, eval_manifest, log_history, precision_name, step)

    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        processing_class=processor,
        peft_config=peft_config,
        callbacks=[checkpoint_recorder(processor, record)],
    )
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    trainer.train()

    out = Path(recipe.output_dir)
    final = record(trainer.state.log_history, None)
    if recipe.method == "lora":
        if state.is_main_process:
            unwrapped = trainer.accelerator.unwrap_model(trainer.model)
            unwrapped.save_pretrained(str(out / ADAPTER_DIR))
            write_record(out / ADAPTER_DIR, processor, final)
            unwrapped.merge_and_unload().save_pretrained(str(out))
    else:
        trainer.save_model(str(out))
    if state.is_main_process:
        write_record(out, processor, final)
    state.wait_for_everyone()
    return TrainingOutcome(out, list(trainer.state.log_history), trainable, final)


def read_provenance(model_dir: str | Path) -> dict[str, Any] | None:
    """The `compgap_training.json` a fine-tuned model folder holds, or None (not fine-tuned by this recipe)."""
    path = Path(model_dir) / PROVENANCE_FILE
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record if isinstance(record, dict) and record.get("format") == PROVENANCE_FORMAT else None
