"""Measure what lmms-compgap adds next to the model and to lmms-eval, and print the figures.

    python benchmarks/run.py            # the full measurement (about 10 minutes on 2 CPU cores)
    python benchmarks/run.py --smoke    # a short run of every section (CI runs it through the tests)

Sections: per-item overhead of each family (data, picture, prompt, scoring) next to lmms-eval's own
per-request overhead; a full `--tasks compgap` pass with an instant stand-in model (wall time
beyond lmms-eval's start-up, peak memory); the start-up our registration adds; fine-tuning data export; the cascade's
wall time against direct with a tiny Qwen2.5-VL at several batch sizes; an ordinary lmms-eval image
task run with and without compgap_cascade (what pass-through costs); `compgap report` on 10
models; generation and drawing throughput; `compgap data check` time. No figure is asserted
here: targets are printed next to the measurements (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.fixtures (the tiny model) lives in the checkout

GIB = 1024**3


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.update(extra)
    return env


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _run_measured(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run a command in a child process; its wall time, exit status and peak RSS (its own, not ours)."""
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)\n"
        "wall = time.perf_counter() - started\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps({'wall': wall, 'rss': rss, 'returncode': done.returncode, 'tail': done.stdout[-4000:]}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, env=env or _env(), cwd=cwd, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _require_results(outcome: dict[str, Any], output_path: Path, what: str) -> None:
    """lmms-eval exits 0 even when an evaluation failed: check its status and its result files."""
    if outcome["returncode"] != 0 or not list(output_path.rglob("*_results.json")):
        raise SystemExit(f"benchmark: {what} failed (exit {outcome['returncode']}):\n{outcome['tail']}")


# ---- sections -----------------------------------------------------------------------------------------
def per_item_overhead(items: int) -> dict[str, dict[str, tuple[float, float]]]:
    """Median/p95 ms per item of each step lmms-compgap performs for a request, per family."""
    import datasets

    from lmms_compgap.core import pictures
    from lmms_compgap.core.registry import generated_family_names, get_family
    from lmms_compgap.tasks import hooks

    prompts = {
        "answer_format": 'End your reply with a final line of the form "Answer: <number>".',
        "direct_prompt": "Solve. {answer_format}",
        "cot_prompt": "Step by step. {answer_format}",
        "visual_prompt": "Transcribe.",
        "textual_prompt": "{intermediate}\n{question} {answer_format}",
        "cascade_runner": True,
    }
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as cache:
        os.environ[pictures.CACHE_ENV] = cache
        for name in generated_family_names():  # the public-dataset families need a download
            data_file = str(get_family(name).data_file())
            dataset = datasets.load_dataset("json", data_files={"test": data_file}, split="test")
            timings: dict[str, list[float]] = {k: [] for k in ("data", "draw", "picture", "prompt", "scoring", "total")}
            for index in range(items):
                spent = {}
                spent["data"] = _timed(lambda index=index, dataset=dataset: dataset[index])
                row = dataset[index]
                # First use: drawn (an audio family's clip: spoken), then cached; every later use reads the cache.
                spent["draw"] = _timed(lambda row=row: hooks.doc_to_visual(row))
                spent["picture"] = _timed(lambda row=row: hooks.doc_to_visual(row))
                spent["prompt"] = (
                    _timed(
                        lambda row=row: [
                            hooks.direct_text(row, prompts),
                            hooks.cot_text(row, prompts),
                            hooks.vision_text(row, prompts),
                            hooks.language_text(row, prompts),
                            hooks.cascade_text(row, prompts),
                        ]
                    )
                    / 5
                )
                answer = f"Let me work it out.\nAnswer: {row['answer']}"
                spent["scoring"] = (
                    _timed(
                        lambda row=row, answer=answer: [
                            hooks.process_direct(row, [answer]),
                            hooks.process_vision(row, [row["intermediate"]]),
                        ]
                    )
                    / 2
                )
                # One request as lmms-eval sees it: a lookup, a (cached) picture, a prompt, a score.
                spent["total"] = spent["data"] + spent["picture"] + spent["prompt"] + spent["scoring"]
                for key, seconds in spent.items():
                    timings[key].append(seconds * 1000)
            figures[name] = {key: _percentiles(values) for key, values in timings.items()}
        del os.environ[pictures.CACHE_ENV]
    return figures


def full_pass(limit: int | None, workdir: Path) -> dict[str, Any]:
    """A `--tasks compgap` pass through compgap_cascade with the instant model: cold and warm picture cache."""
    cache = workdir / "pictures"
    env = _env(COMPGAP_IMAGE_CACHE=str(cache))
    base = [
        sys.executable,
        "-m",
        "lmms_eval",
        "--model",
        "compgap_cascade",
        "--model_args",
        "inner=compgap_instant",
        "--tasks",
        "compgap",
        "--log_samples",
    ]
    outcomes = {}
    startup_out = workdir / "startup"
    outcomes["startup"] = _run_measured([*base, "--limit", "1", "--output_path", str(startup_out)], env=env)
    _require_results(outcomes["startup"], startup_out, "the start-up run")
    for label in ("cold", "warm"):
        if label == "cold":
            shutil.rmtree(cache, ignore_errors=True)
        out = workdir / label
        limit_args = ["--limit", str(limit)] if limit else []
        outcomes[label] = _run_measured([*base, *limit_args, "--output_path", str(out)], env=env)
        _require_results(outcomes[label], out, f"the {label} full pass")
    requests = (limit or 1000) * 15
    warm_beyond = outcomes["warm"]["wall"] - outcomes["startup"]["wall"]
    return {
        "requests": requests,
        "startup_s": outcomes["startup"]["wall"],
        "cold_s": outcomes["cold"]["wall"],
        "warm_s": outcomes["warm"]["wall"],
        "warm_beyond_startup_s": warm_beyond,
        "cold_beyond_startup_s": outcomes["cold"]["wall"] - outcomes["startup"]["wall"],
        "per_request_ms": 1000 * warm_beyond / requests,
        "peak_rss_gib": max(outcomes["cold"]["rss"], outcomes["warm"]["rss"]) / GIB,
        "output": workdir / "warm",
    }


def instrumented_pass(limit: int | None, cache: Path) -> dict[str, float]:
    """One in-process `--tasks compgap` pass with every lmms-compgap function timed.

    Ours: every hook the YAMLs name (data verification, pictures, prompts, scoring) plus the
    cascade's own bookkeeping (its time minus the inner model's). lmms-eval's own: the rest of
    `simple_evaluate`, less the instant model's own work (doc lookups) — imports and task
    indexing (the fixed start-up) are outside the timed call.
    """
    import threading

    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.tasks import TaskManager

    from lmms_compgap.models.cascade import CompgapCascade
    from lmms_compgap.models.instant import CompgapInstant
    from lmms_compgap.tasks import hooks

    os.environ["COMPGAP_IMAGE_CACHE"] = str(cache)
    spent = {"hooks": 0.0, "visual": 0.0, "cascade": 0.0, "inner": 0.0}
    lock = threading.Lock()

    def timed(function: Callable[..., Any], *buckets: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with lock:  # process_results runs in threads
                    for bucket in buckets:
                        spent[bucket] += time.perf_counter() - started

        wrapper.__signature__ = __import__("inspect").signature(function)  # lmms-eval inspects hook signatures
        return wrapper

    hooks.doc_to_visual = timed(hooks.doc_to_visual, "hooks", "visual")  # called by the model, inside "inner"
    for name in (
        "verified_docs",
        "no_visual",
        "doc_to_target",
        "doc_to_intermediate",
        "direct_text",
        "cot_text",
        "vision_text",
        "language_text",
        "cascade_text",
        "process_direct",
        "process_cot",
        "process_language",
        "process_vision",
        "process_cascade",
    ):
        setattr(hooks, name, timed(getattr(hooks, name), "hooks"))
    CompgapCascade.generate_until = timed(CompgapCascade.generate_until, "cascade")
    CompgapInstant.generate_until = timed(CompgapInstant.generate_until, "inner")
    manager = TaskManager("ERROR", model_name="compgap_cascade")
    started = time.perf_counter()
    results = simple_evaluate(
        model="compgap_cascade",
        model_args="inner=compgap_instant",
        tasks=["compgap"],
        limit=limit,
        task_manager=manager,
        log_samples=True,
        verbosity="ERROR",
        bootstrap_iters=0,
    )
    wall = time.perf_counter() - started
    requests = sum(len(samples) for samples in results["samples"].values())
    # wall = lmms-eval's own + hooks lmms-eval calls + cascade; cascade = bookkeeping + inner model;
    # inner model = pictures (a hook) + the stand-in's own lookups.
    bookkeeping = spent["cascade"] - spent["inner"]
    ours = spent["hooks"] + bookkeeping
    lmms_eval = wall - (spent["hooks"] - spent["visual"]) - spent["cascade"]
    return {
        "requests": requests,
        "wall_s": wall,
        "ours_ms": 1000 * ours / requests,
        "pictures_ms": 1000 * spent["visual"] / requests,
        "bookkeeping_ms": 1000 * bookkeeping / requests,
        "lmms_eval_ms": 1000 * lmms_eval / requests,
        "model_ms": 1000 * (spent["inner"] - spent["visual"]) / requests,
    }


def registration_startup(repeats: int) -> dict[str, float]:
    """What our registration adds to every lmms-eval start: indexing our YAMLs and loading our entry point."""
    from lmms_compgap.core.data import task_yamls_root

    script = (
        "import sys, time\n"
        "from lmms_eval.tasks import TaskManager\n"
        "started = time.perf_counter(); TaskManager('ERROR', include_path=sys.argv[1], include_defaults=False)\n"
        "index = time.perf_counter() - started\n"
        "started = time.perf_counter(); import lmms_compgap.models.manifest\n"
        "print('RESULT', index, time.perf_counter() - started)\n"
    )
    index_times, entry_times = [], []
    for _ in range(repeats):
        stdout = subprocess.run(
            [sys.executable, "-c", script, str(task_yamls_root())],
            capture_output=True,
            text=True,
            env=_env(),
            check=True,
        ).stdout
        # lmms-eval logs to stdout too: read our own line only.
        (line,) = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
        _, index, entry = line.split()
        index_times.append(float(index))
        entry_times.append(float(entry))
    return {"index_s": statistics.median(index_times), "entry_point_s": statistics.median(entry_times)}


def cascade_vs_direct(batch_sizes: list[int], limit: int, max_new_tokens: int, workdir: Path) -> list[dict[str, Any]]:
    """Model time of cascade (two calls per item) against direct (one), tiny Qwen2.5-VL, in one process."""
    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.models import get_model
    from lmms_eval.tasks import TaskManager

    from lmms_compgap.models.cascade import CompgapCascade
    from tests.fixtures.tiny_models import build_tiny_qwen2_5_vl

    model_dir = build_tiny_qwen2_5_vl(workdir / "tiny-qwen")
    manager = TaskManager("ERROR", model_name="compgap_cascade")
    rows = []
    for batch_size in batch_sizes:
        wall = {}
        for setting in ("direct", "cascade"):
            # A fresh model each time: lmms-eval's evaluate() ends with lm.clean(), which frees the weights.
            inner = get_model("qwen2_5_vl").create_from_arg_string(
                f"pretrained={model_dir},device_map=cpu,max_pixels=50176,min_pixels=3136",
                {"batch_size": batch_size, "device": "cpu"},
            )
            model = inner if setting == "direct" else CompgapCascade(inner=inner)
            started = time.perf_counter()
            simple_evaluate(
                model=model,
                tasks=[f"compgap_mathtext_{setting}"],
                limit=limit,
                task_manager=manager,
                gen_kwargs=f"max_new_tokens={max_new_tokens}",
                verbosity="ERROR",
                bootstrap_iters=0,
            )
            wall[setting] = time.perf_counter() - started
        rows.append({"batch_size": batch_size, **wall, "ratio": wall["cascade"] / wall["direct"]})
    return rows


PLAIN_TASK_YAML = """task: compgap_bench_plain_images
dataset_path: parquet
dataset_kwargs:
  data_files:
    test: data.parquet
test_split: test
output_type: generate_until
doc_to_visual: !function plain_task_utils.doc_to_visual
doc_to_text: !function plain_task_utils.doc_to_text
doc_to_target: answer
generation_kwargs:
  max_new_tokens: 8
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
"""
PLAIN_TASK_UTILS = """def doc_to_visual(doc):
    return [doc["image"].convert("RGB")]


def doc_to_text(doc):
    return doc["question"]
"""


def plain_image_task(items: int, folder: Path) -> Path:
    """An ordinary lmms-eval image task like its built-in ones: a local parquet file with an `Image` column."""
    import datasets
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    # 640x480 noise PNGs: as costly to decode as compgap's pictures, and not compressible to nothing.
    images = [Image.fromarray(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)) for _ in range(items)]
    data = datasets.Dataset.from_dict(
        {"image": images, "question": [f"What is item {i}?" for i in range(items)], "answer": ["0"] * items},
        features=datasets.Features(
            {"image": datasets.Image(), "question": datasets.Value("string"), "answer": datasets.Value("string")}
        ),
    )
    folder.mkdir(parents=True, exist_ok=True)
    data.to_parquet(str(folder / "data.parquet"))
    (folder / "compgap_bench_plain_images.yaml").write_text(PLAIN_TASK_YAML)
    (folder / "plain_task_utils.py").write_text(PLAIN_TASK_UTILS)
    return folder


def passthrough_cost(items: int, repeats: int, workdir: Path) -> dict[str, Any]:
    """Wall time of an ordinary image task with the instant model, alone and wrapped by compgap_cascade.

    Both in one process, alternating, the median of `repeats` evaluations each; the start-up check
    is off (it is a one-off of two requests, not a per-request cost).
    """
    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.tasks import TaskManager

    from lmms_compgap.models.cascade import CompgapCascade
    from lmms_compgap.models.instant import CompgapInstant

    folder = plain_image_task(items, workdir / "plain-task")
    manager = TaskManager("ERROR", include_path=str(folder), include_defaults=False)
    walls: dict[str, list[float]] = {"alone": [], "wrapped": []}
    for _ in range(repeats):
        for mode in walls:
            model = CompgapInstant() if mode == "alone" else CompgapCascade(inner=CompgapInstant(), startup_check=False)
            started = time.perf_counter()
            simple_evaluate(
                model=model,
                tasks=["compgap_bench_plain_images"],
                task_manager=manager,
                verbosity="ERROR",
                bootstrap_iters=0,
            )
            walls[mode].append(time.perf_counter() - started)
    alone, wrapped = statistics.median(walls["alone"]), statistics.median(walls["wrapped"])
    return {
        "items": items,
        "alone_ms": 1000 * alone / items,
        "wrapped_ms": 1000 * wrapped / items,
        "extra_ms": 1000 * (wrapped - alone) / items,
        "ratio": wrapped / alone,
    }


def report_on_models(models: int, limit: int | None, workdir: Path) -> dict[str, Any]:
    from lmms_compgap.report.simulate import SimulatedModel, simulate_run

    paths = []
    for index in range(models):
        path = workdir / f"model-{index}"
        simulate_run(path, SimulatedModel(f"model-{index}", compose=0.6 + 0.03 * index, seed=index), limit=limit)
        paths.append(str(path))
    outcome = _run_measured([sys.executable, "-m", "lmms_compgap.cli", "report", *paths, "--out", str(workdir / "r")])
    if outcome["returncode"] != 0:
        raise SystemExit(f"benchmark: compgap report failed:\n{outcome['tail']}")
    return {"models": models, "wall_s": outcome["wall"], "peak_rss_gib": outcome["rss"] / GIB}


def throughput(items: int) -> dict[str, dict[str, float]]:
    from lmms_compgap.core.registry import generated_family_names, get_family

    figures = {}
    for name in generated_family_names():  # the public-dataset families draw from a download (not here)
        family = get_family(name)
        generation = _timed(lambda family=family: family.generate(size=items))
        rows = family.generate(size=min(items, 200))
        drawing = _timed(lambda rows=rows, family=family: [family.draw_row(row) for row in rows])
        figures[name] = {"generate_per_s": items / generation, "draw_per_s": len(rows) / drawing}
    return figures


def export_throughput(items: int, workers: list[int], workdir: Path) -> list[dict[str, Any]]:
    """`compgap data export` of `items` per family (composition style): items/s, end to end, and where time goes."""
    from lmms_compgap.core.registry import picture_family_names
    from lmms_compgap.finetune.export import export_split

    figures = []
    for count in workers:
        out = workdir / f"export-{count}"
        started = time.perf_counter()
        result = export_split(out, picture_family_names(), "train", {"composition": 1.0}, size=items, workers=count)
        wall = time.perf_counter() - started
        total = items * len(picture_family_names())
        size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
        figures.append(
            {
                "workers": count,
                "items": total,
                "wall_s": wall,
                "items_per_s": total / wall,
                "drawing_s": result.seconds_drawing,
                "mib": size / 2**20,
            }
        )
        shutil.rmtree(out)
    return figures


def data_check_time(limit: int | None) -> dict[str, Any] | None:
    command = [sys.executable, "-m", "lmms_compgap.cli", "data", "check"] + (["--limit", str(limit)] if limit else [])
    if (
        subprocess.run(
            [sys.executable, "-m", "lmms_compgap.cli", "data", "check", "--help"], capture_output=True
        ).returncode
        != 0
    ):
        return None
    outcome = _run_measured(command)
    return {"wall_s": outcome["wall"], "returncode": outcome["returncode"], "items": limit or 1000}


# ---- printing -----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a short run of every section (figures are rough)")
    args = parser.parse_args(argv)
    smoke = args.smoke
    print(
        f"# lmms-compgap benchmark ({'smoke' if smoke else 'full'}), {time.strftime('%Y-%m-%d %H:%M')}, "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)

        items = 20 if smoke else 300
        print(f"\n## Per-item overhead of lmms-compgap (ms, median / p95 over {items} items per family)")
        print("| family | data lookup | draw (first use) | picture (cached) | prompt | scoring | per request |")
        print("|---|---|---|---|---|---|---|")
        overhead = per_item_overhead(items)
        for name, figures in overhead.items():
            cells = " | ".join(
                f"{m:.2f} / {p:.2f}"
                for m, p in (figures[k] for k in ("data", "draw", "picture", "prompt", "scoring", "total"))
            )
            print(f"| {name} | {cells} |")

        limit = 10 if smoke else None
        print(
            f"\n## Full pass: lmms-eval --model compgap_cascade --model_args inner=compgap_instant --tasks compgap"
            f"{f' --limit {limit}' if limit else ''}"
        )
        run = full_pass(limit, workdir / "pass")
        print(f"- lmms-eval fixed start-up (a --limit 1 run): {run['startup_s']:.1f} s")
        print(
            f"- {run['requests']} requests: cold picture cache {run['cold_s']:.1f} s "
            f"({run['cold_beyond_startup_s']:.1f} s beyond start-up), warm {run['warm_s']:.1f} s "
            f"({run['warm_beyond_startup_s']:.1f} s beyond start-up; target < 60 s for the full pass)"
        )
        split = instrumented_pass(limit, workdir / "pass" / "pictures")
        print(
            f"- where a request's time goes (in-process pass, warm pictures, {split['requests']} requests): "
            f"lmms-compgap {split['ours_ms']:.2f} ms (pictures {split['pictures_ms']:.2f}, cascade bookkeeping "
            f"{split['bookkeeping_ms']:.2f}), lmms-eval's own {split['lmms_eval_ms']:.2f} ms, stand-in model "
            f"{split['model_ms']:.2f} ms; our share {100 * split['ours_ms'] / split['lmms_eval_ms']:.0f}% of "
            "lmms-eval's (target < 10%)"
        )
        print(f"- peak RSS: {run['peak_rss_gib']:.2f} GiB (target < 1.5 GiB)")

        # The smoke mode runs every section once on the fewest items that exercise it (the test suite runs it).
        repeats = 1 if smoke else 5
        print(f"\n## Start-up our registration adds to every lmms-eval run (median of {repeats})")
        startup = registration_startup(repeats)
        print(
            f"- indexing our task YAMLs: {startup['index_s'] * 1000:.0f} ms; loading our model entry point: "
            f"{startup['entry_point_s'] * 1000:.0f} ms; total "
            f"{(startup['index_s'] + startup['entry_point_s']) * 1000:.0f} ms (target < 300 ms)"
        )

        sizes = [4] if smoke else [1, 4, 16]
        limit_ratio = 4 if smoke else 32
        print(
            f"\n## Cascade vs direct wall time, tiny Qwen2.5-VL, compgap_mathtext, {limit_ratio} items, "
            "max_new_tokens 16"
        )
        print("| batch size | direct (s) | cascade (s) | cascade / direct |")
        print("|---|---|---|---|")
        for row in cascade_vs_direct(sizes, limit_ratio, 16, workdir):
            print(f"| {row['batch_size']} | {row['direct']:.2f} | {row['cascade']:.2f} | {row['ratio']:.2f} |")

        plain_items, repeats = (10, 1) if smoke else (500, 3)
        print(
            f"\n## Pass-through: an ordinary lmms-eval image task ({plain_items} 640x480 PNGs in a local parquet "
            f"file) with the instant model, alone and through compgap_cascade (median of {repeats}, in one process)"
        )
        cost = passthrough_cost(plain_items, repeats, workdir)
        print(
            f"- per request: alone {cost['alone_ms']:.2f} ms, through compgap_cascade {cost['wrapped_ms']:.2f} ms "
            f"({cost['extra_ms']:+.2f} ms, {cost['ratio']:.2f}x; target: no extra cost)"
        )

        models = 10
        print(f"\n## compgap report on {models} models' outputs")
        report = report_on_models(models, 20 if smoke else None, workdir / "report")
        print(f"- {report['wall_s']:.1f} s, peak RSS {report['peak_rss_gib']:.2f} GiB")

        print("\n## Generation and drawing throughput (items/s, one core)")
        print("| family | generate | draw |")
        print("|---|---|---|")
        for name, figures in throughput(50 if smoke else 1000).items():
            print(f"| {name} | {figures['generate_per_s']:.0f} | {figures['draw_per_s']:.0f} |")

        export_items = 20 if smoke else 500
        print(f"\n## compgap data export (fine-tuning data, composition style, {export_items} items per family)")
        print("| drawing processes | items | wall (s) | items/s | of which drawing (s) | on disk (MiB) |")
        print("|---|---|---|---|---|---|")
        for row in export_throughput(export_items, [1, 2], workdir):
            print(
                f"| {row['workers']} | {row['items']} | {row['wall_s']:.1f} | {row['items_per_s']:.0f} | "
                f"{row['drawing_s']:.1f} | {row['mib']:.0f} |"
            )

        print("\n## compgap data check")
        check = data_check_time(5 if smoke else None)
        if check is None:
            print("- not available in this installation")
        else:
            print(f"- {check['items']} items per family: {check['wall_s']:.1f} s (exit {check['returncode']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
