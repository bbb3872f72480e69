"""The recipe configuration: the paper's defaults, clear refusals, freezing and LoRA placement by model part."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lmms_compgap.cli import main
from lmms_compgap.finetune.recipe import (
    DEFAULT_CONFIG,
    DEFAULT_LEARNING_RATES,
    ZERO3_CONFIG,
    RecipeError,
    load_recipe,
    recipe_from_dict,
)
from lmms_compgap.finetune.train import apply_freezing, choose_bf16, lora_config, model_part

REQUIRED = {"model": "m", "train_data": "d", "output_dir": "o"}


def test_the_shipped_recipe_is_the_papers_full_finetuning() -> None:
    recipe = load_recipe(DEFAULT_CONFIG)
    assert (recipe.method, recipe.learning_rate, recipe.lr_scheduler_type, recipe.warmup_ratio) == (
        "full",
        1e-5,
        "cosine",
        0.03,
    )
    assert (recipe.num_train_epochs, recipe.effective_batch_size, recipe.weight_decay, recipe.bf16) == (
        4,
        128,
        0.0,
        "auto",  # the paper's bf16 where the hardware has it (choose_bf16)
    )
    assert not (recipe.freeze_vision_tower or recipe.freeze_projector or recipe.freeze_llm)
    assert recipe.assistant_only_loss and recipe.gradient_checkpointing
    # 4 GPUs x 4 per device x 8 accumulation = 128, as in the paper's scripts.
    assert recipe.gradient_accumulation_steps(world_size=4) == 8
    assert recipe_from_dict({**REQUIRED, "deepspeed": "zero3"}).deepspeed_config() == str(ZERO3_CONFIG)
    assert ZERO3_CONFIG.is_file()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"learning_rate": "fast"}, "learning_rate: expected a number"),
        ({"learning_rate": float("nan")}, "learning_rate: expected a finite number"),
        ({"freeze_llm": "yes"}, "freeze_llm: expected true or false"),
        ({"method": "qlora"}, "method: 'qlora' is not one of full, lora"),
        ({"lr": 1e-5}, "unknown key(s) ['lr']"),
        ({"output_dir": None}, "missing output_dir"),
        ({"warmup_ratio": 1.5}, "warmup_ratio"),
        ({"lora": {"rank": 8}}, "lora: a mapping"),
        ({"method": "lora", "deepspeed": "zero3"}, "without ZeRO-3"),
        ({"per_device_train_batch_size": 0}, "at least 1"),
        ({"bf16": "yes"}, "bf16: expected true, false or auto"),
        ({"bf16": 1}, "bf16: expected true, false or auto"),
    ],
)
def test_a_bad_recipe_is_refused_naming_the_key(change: dict, message: str) -> None:
    with pytest.raises(RecipeError) as caught:
        recipe_from_dict({**REQUIRED, **change})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("method", "given", "expected"),
    [("full", None, 1e-5), ("lora", None, 1e-4), ("lora", 3e-5, 3e-5), ("full", 2e-6, 2e-6)],
)
def test_the_learning_rate_defaults_to_the_methods(method: str, given: float | None, expected: float) -> None:
    """Full fine-tuning: the paper's 1e-5; LoRA: ten times it (TRL's LoRA guidance); a given rate is kept."""
    assert recipe_from_dict({**REQUIRED, "method": method, "learning_rate": given}).learning_rate == expected
    assert load_recipe(DEFAULT_CONFIG, [f"method={method}"]).learning_rate == DEFAULT_LEARNING_RATES[method]


@pytest.mark.parametrize(
    ("setting", "supported", "use_cpu", "fp16", "expected", "says"),
    [
        ("auto", True, False, False, True, "precision: bf16 (bf16: auto; this accelerator supports it)"),
        ("auto", False, False, False, False, "precision: float32 (bf16: auto; no accelerator here supports bf16)"),
        ("auto", True, True, False, False, "precision: float32 (bf16: auto; training on the CPU (use_cpu))"),
        ("auto", True, False, True, False, "precision: float16 (training_args fp16), not bf16 (bf16: auto)"),
        (True, True, False, False, True, "precision: bf16 (bf16: true)"),
        (True, False, True, False, True, "precision: bf16 (bf16: true)"),  # asked for on the CPU: transformers can
        (False, True, False, False, False, "precision: float32 (bf16: false)"),
    ],
)
def test_precision_follows_the_hardware(
    setting: bool | str, supported: bool, use_cpu: bool, fp16: bool, expected: bool, says: str
) -> None:
    assert choose_bf16(setting, supported, use_cpu, fp16) == (expected, says)


def test_bf16_on_hardware_without_it_is_refused_before_loading_with_the_fix() -> None:
    with pytest.raises(RecipeError, match="bf16: true, but no accelerator here supports bf16.*set bf16: auto"):
        choose_bf16(True, bf16_supported=False, use_cpu=False)


def test_an_effective_batch_that_does_not_divide_is_refused() -> None:
    recipe = recipe_from_dict({**REQUIRED, "effective_batch_size": 128, "per_device_train_batch_size": 3})
    with pytest.raises(RecipeError, match="not a multiple"):
        recipe.gradient_accumulation_steps(world_size=1)


def test_overrides_and_write_config(tmp_path: Path, capsys) -> None:
    path = tmp_path / "recipe.yaml"
    assert main(["finetune", "--write-config", str(path)]) == 0
    assert yaml.safe_load(path.read_text()) == yaml.safe_load(DEFAULT_CONFIG.read_text())
    recipe = load_recipe(path, ["method=lora", "learning_rate=2e-4", "eval_data=null"])
    assert (recipe.method, recipe.learning_rate, recipe.eval_data) == ("lora", 2e-4, None)
    with pytest.raises(SystemExit, match="not overwritten"):
        main(["finetune", "--write-config", str(path)])
    with pytest.raises(SystemExit, match="no such recipe file"):
        main(["finetune", "--config", str(tmp_path / "missing.yaml")])


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("model.visual.blocks.0.attn.qkv.weight", "vision"),
        ("model.visual.merger.mlp.0.weight", "projector"),
        ("model.language_model.layers.0.mlp.up_proj.weight", "llm"),
        ("lm_head.weight", "llm"),
        ("model.vision_model.transformer.layers.0.mlp.fc1.weight", "vision"),  # Mllama
        ("model.multi_modal_projector.weight", "projector"),  # Mllama, LLaVA, Gemma 3
        ("model.connector.modality_projection.proj.weight", "projector"),  # Idefics3
        ("model.text_model.layers.0.self_attn.q_proj.weight", "llm"),  # Idefics3
        ("model.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight", "vision"),  # LLaVA
        ("model.rotary_emb.inv_freq", None),
    ],
)
def test_model_parts_by_parameter_name(name: str, part: str | None) -> None:
    assert model_part(name) == part


@pytest.fixture(scope="module")
def tiny_model(tiny_qwen_dir: Path):
    from transformers import AutoModelForImageTextToText

    return AutoModelForImageTextToText.from_pretrained(tiny_qwen_dir)


def test_freezing_stops_gradients_into_the_frozen_part_only(tiny_qwen_dir: Path) -> None:
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(tiny_qwen_dir)
    apply_freezing(model, recipe_from_dict({**REQUIRED, "freeze_vision_tower": True}))
    trainable = {model_part(name) for name, p in model.named_parameters() if p.requires_grad}
    frozen = {model_part(name) for name, p in model.named_parameters() if not p.requires_grad}
    assert frozen == {"vision"} and {"projector", "llm"} <= trainable


def test_lora_adapters_skip_frozen_parts(tiny_model) -> None:
    config = lora_config(tiny_model, recipe_from_dict({**REQUIRED, "method": "lora", "freeze_vision_tower": True}))
    excluded = set(config.exclude_modules)
    assert any(name.startswith("model.visual.blocks") for name in excluded)
    assert not any("merger" in name or "language_model" in name for name in excluded)
    assert lora_config(tiny_model, recipe_from_dict({**REQUIRED, "method": "lora"})).exclude_modules is None


def test_trls_collator_reads_the_export_and_trains_on_the_targets_only(tiny_qwen_dir: Path, tmp_path: Path) -> None:
    import datasets
    from transformers import AutoProcessor
    from trl.chat_template_utils import get_training_chat_template
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    from lmms_compgap.finetune.export import export_split
    from lmms_compgap.finetune.targets import parse_style_mix

    export_split(tmp_path / "e", ["cards"], "train", parse_style_mix("composition,skills"), size=4)
    dataset = datasets.load_from_disk(str(tmp_path / "e" / "hf"))
    processor = AutoProcessor.from_pretrained(tiny_qwen_dir)
    collator = DataCollatorForVisionLanguageModeling(
        processor, assistant_only_loss=True, chat_template=get_training_chat_template(processor)
    )
    rows = [dict(row) for row in dataset]  # a mixed batch: image examples and text-only ones
    assert {len(row["images"]) for row in rows} == {0, 1}
    batch = collator(rows)
    assert batch["image_grid_thw"].shape[0] == sum(len(row["images"]) for row in rows)
    for index, row in enumerate(rows):
        trained = batch["input_ids"][index][batch["labels"][index] != -100]
        assert processor.tokenizer.decode(trained) == row["messages"][1]["content"] + "<|im_end|>\n"
