"""The start-up check stops a run whose inner model is not the class its checkpoint declares, or has random weights.

lmms-eval 0.7.3's `glm4v` and `qwen3_vl` wrappers choose the model class from the folder name; a
wrong guess loads with some weights initialised at random and runs to the end with exit status 0.
These tests build the inner model with the real lmms-eval wrapper classes (through `compgap_cascade`,
as `--model_args` does) on tiny checkpoints whose folder names mislead them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from lmms_compgap.models.cascade import CompgapCascade
from lmms_compgap.models.stop import RunStopped
from tests.fixtures.tiny_models import build_tiny_glm4v, build_tiny_qwen3_vl_moe

ON_CPU = {"device": "cpu", "device_map": "cpu"}


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("misnamed")
    # Neither name says "Flash" (dense GLM) nor "A<N>B" (MoE Qwen3-VL): both wrappers guess wrong.
    return {
        "glm4v": build_tiny_glm4v(root / "tiny-glm-4.1v"),
        "qwen3_vl_moe": build_tiny_qwen3_vl_moe(root / "tiny-qwen3-vl-moe"),
    }


@pytest.mark.parametrize(
    ("inner", "checkpoint", "loaded", "declared", "why"),
    [
        ("glm4v", "glm4v", "Glm4vMoeForConditionalGeneration", "Glm4vForConditionalGeneration", '"Flash"'),
        ("qwen3_vl", "qwen3_vl_moe", "Qwen3VLForConditionalGeneration", "Qwen3VLMoeForConditionalGeneration", "A<N>B"),
    ],
)
def test_a_wrapper_that_loads_another_class_than_the_config_declares_stops_the_run(
    checkpoints: dict[str, Path], inner: str, checkpoint: str, loaded: str, declared: str, why: str
) -> None:
    with pytest.raises(RunStopped) as stopped:
        CompgapCascade(inner=inner, pretrained=str(checkpoints[checkpoint]), **ON_CPU)
    message = stopped.value.message
    assert f"as {loaded}, but its config.json declares {declared}" in message
    assert "initialised at random" in message and why in message
    assert "inner=compgap_hf,pretrained=..., which loads the class the config names" in message


@pytest.mark.parametrize("checkpoint", ["glm4v", "qwen3_vl_moe"])
def test_compgap_hf_loads_the_declared_class_and_passes_the_start_up_check(
    checkpoints: dict[str, Path], checkpoint: str
) -> None:
    model = CompgapCascade(inner="compgap_hf", pretrained=str(checkpoints[checkpoint]), **ON_CPU)
    assert type(model.inner.model).__name__ in str((checkpoints[checkpoint] / "config.json").read_text())


def test_a_checkpoint_missing_weights_stops_the_run_even_with_the_right_class(
    checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "incomplete"
    shutil.copytree(checkpoints["glm4v"], folder)
    weights = load_file(folder / "model.safetensors")
    dropped = next(name for name in weights if "mlp.down_proj" in name)
    save_file(
        {name: tensor for name, tensor in weights.items() if name != dropped},
        folder / "model.safetensors",
        metadata={"format": "pt"},
    )
    with pytest.raises(RunStopped) as stopped:
        CompgapCascade(inner="compgap_hf", pretrained=str(folder), **ON_CPU)
    message = stopped.value.message
    assert "found no weights" in message and "1 parameter(s)" in message and "initialised at random" in message
    assert "use inner=compgap_hf" not in message and "checkpoint folder is complete" in message
