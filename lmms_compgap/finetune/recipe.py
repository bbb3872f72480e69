"""The fine-tuning recipe's configuration: the paper's hyper-parameters as defaults, read from YAML, checked.

Defaults follow the first author's public training scripts (paulaonta/SFT-multimodal,
`sft_scripts/ft_math.slurm`): full fine-tuning with vision tower, projector and LLM unfrozen,
learning rate 1e-5, cosine schedule, warm-up ratio 0.03, 4 epochs, 4 GPUs x 4 per device x 8
accumulation = effective batch 128, weight decay 0, bf16 (where the hardware has it), gradient
checkpointing, DeepSpeed ZeRO-3, loss on the response only. LoRA, which the paper did not use, takes
ten times the learning rate (TRL's "LoRA Without Regret" guide). See docs/finetuning.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("recipe.yaml")
ZERO3_CONFIG = Path(__file__).with_name("zero3.json")
METHODS: tuple[str, ...] = ("full", "lora")
#: The learning rate when the recipe gives none: the paper's for full fine-tuning, ten times it for LoRA adapters
#: (TRL's "LoRA Without Regret" guide: the best LoRA rate is about 10x the full fine-tuning one; docs/finetuning.md).
DEFAULT_LEARNING_RATES: dict[str, float] = {"full": 1e-5, "lora": 1e-4}


class RecipeError(ValueError):
    """A recipe configuration that cannot be run (the message names the key and what is wrong)."""


@dataclass(frozen=True)
class LoraSettings:
    """LoRA adapters (peft), used when `method: lora`; merged into the saved model so lmms-eval loads it."""

    r: int = 64
    alpha: int = 128
    dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"


@dataclass(frozen=True)
class Recipe:
    """Everything a fine-tuning run needs. `training_args` passes any other TRL `SFTConfig` field as is."""

    model: str
    train_data: str
    output_dir: str
    eval_data: str | None = None
    method: str = "full"
    freeze_vision_tower: bool = False
    freeze_projector: bool = False
    freeze_llm: bool = False
    #: None: DEFAULT_LEARNING_RATES for the method (filled in when the recipe is made).
    learning_rate: float | None = None
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.03
    num_train_epochs: float = 4
    max_steps: int = -1
    effective_batch_size: int = 128
    per_device_train_batch_size: int = 4
    weight_decay: float = 0.0
    #: true, false, or "auto": bf16 where the accelerator supports it, float32 otherwise (`train.choose_bf16`).
    bf16: bool | str = "auto"
    gradient_checkpointing: bool = True
    assistant_only_loss: bool = True
    max_length: int | None = None
    deepspeed: str | None = None
    lora: LoraSettings = field(default_factory=LoraSettings)
    seed: int = 42
    logging_steps: int = 10
    save_strategy: str = "epoch"
    save_total_limit: int | None = 4
    training_args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.learning_rate is None:
            object.__setattr__(
                self, "learning_rate", DEFAULT_LEARNING_RATES.get(self.method, DEFAULT_LEARNING_RATES["full"])
            )

    def gradient_accumulation_steps(self, world_size: int) -> int:
        """Accumulation that makes per-device batch x processes x accumulation = the effective batch."""
        per_step = self.per_device_train_batch_size * world_size
        if self.effective_batch_size % per_step:
            raise RecipeError(
                f"effective_batch_size {self.effective_batch_size} is not a multiple of per_device_train_batch_size "
                f"{self.per_device_train_batch_size} x {world_size} process(es); change one of them"
            )
        return self.effective_batch_size // per_step

    def deepspeed_config(self) -> str | None:
        """The DeepSpeed config file: `zero3` names the one shipped with lmms-compgap."""
        if self.deepspeed in (None, ""):
            return None
        return str(ZERO3_CONFIG) if self.deepspeed == "zero3" else self.deepspeed

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {item.name: item for item in dataclasses.fields(Recipe)}
_LORA_FIELDS = {item.name for item in dataclasses.fields(LoraSettings)}
_REQUIRED = ("model", "train_data", "output_dir")


def _check_types(config: dict[str, Any]) -> None:
    numbers = {"learning_rate", "warmup_ratio", "num_train_epochs", "weight_decay"}
    integers = {"max_steps", "effective_batch_size", "per_device_train_batch_size", "seed", "logging_steps"}
    flags = {"freeze_vision_tower", "freeze_projector", "freeze_llm", "gradient_checkpointing", "assistant_only_loss"}
    for key, value in list(config.items()):
        if key == "learning_rate" and value is None:
            continue  # the method's default
        if key in numbers and isinstance(value, str):
            # YAML 1.1 reads 1e-5 (no dot) as a string; take it as the number it plainly is.
            with contextlib.suppress(ValueError):
                config[key] = value = float(value)
        if key in numbers and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise RecipeError(f"{key}: expected a number, got {value!r}")
        if key in numbers and not math.isfinite(value):
            raise RecipeError(f"{key}: expected a finite number, got {value!r}")
        if key in integers and (isinstance(value, bool) or not isinstance(value, int)):
            raise RecipeError(f"{key}: expected an integer, got {value!r}")
        if key in flags and not isinstance(value, bool):
            raise RecipeError(f"{key}: expected true or false, got {value!r}")
    bf16 = config.get("bf16", "auto")
    if not (isinstance(bf16, bool) or bf16 == "auto"):
        raise RecipeError(f"bf16: expected true, false or auto, got {config['bf16']!r}")
    if config.get("method", "full") not in METHODS:
        raise RecipeError(f"method: {config['method']!r} is not one of {', '.join(METHODS)}")
    for key in ("effective_batch_size", "per_device_train_batch_size"):
        if key in config and config[key] < 1:
            raise RecipeError(f"{key}: must be at least 1")
    if not 0 <= config.get("warmup_ratio", 0.03) < 1:
        raise RecipeError("warmup_ratio: must be in [0, 1)")
    if config.get("method") == "lora" and config.get("deepspeed") == "zero3":
        raise RecipeError("LoRA runs merge their adapters on one process: run them without ZeRO-3 (deepspeed: null)")


def recipe_from_dict(config: Any, overrides: dict[str, Any] | None = None) -> Recipe:
    """A Recipe from a parsed YAML mapping (plus `overrides`), refusing unknown keys and wrong types."""
    if not isinstance(config, dict):
        raise RecipeError("a recipe is a YAML mapping of keys to values")
    config = {**config, **(overrides or {})}
    unknown = sorted(set(config) - set(_FIELDS))
    if unknown:
        raise RecipeError(
            f"unknown key(s) {unknown}; known: {sorted(_FIELDS)} (other SFTConfig fields go under training_args)"
        )
    missing = [key for key in _REQUIRED if not config.get(key)]
    if missing:
        raise RecipeError(f"missing {', '.join(missing)}")
    _check_types(config)
    lora = config.get("lora") or {}
    if not isinstance(lora, dict) or set(lora) - _LORA_FIELDS:
        raise RecipeError(f"lora: a mapping with keys among {sorted(_LORA_FIELDS)}")
    training_args = config.get("training_args") or {}
    if not isinstance(training_args, dict):
        raise RecipeError("training_args: a mapping of SFTConfig fields")
    values = {**config, "lora": LoraSettings(**lora), "training_args": training_args}
    return Recipe(**{key: str(value) if key in _REQUIRED else value for key, value in values.items()})


def parse_override(text: str) -> tuple[str, Any]:
    """`--set key=value` (the value read as YAML: numbers, true/false, null)."""
    key, separator, value = text.partition("=")
    if not separator or not key.strip():
        raise RecipeError(f"--set {text!r}: expected key=value")
    return key.strip(), yaml.safe_load(value)


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read a recipe YAML file; `overrides` are `key=value` strings that win over the file."""
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecipeError(
            f"{path}: no such recipe file (write one with `compgap finetune --write-config {path}`)"
        ) from None
    except yaml.YAMLError as error:
        raise RecipeError(f"{path}: not valid YAML ({error})") from None
    return recipe_from_dict(config, dict(parse_override(item) for item in overrides or []))
