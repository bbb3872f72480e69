"""The cascade over lmms-eval's OpenAI-compatible backend, against a real local server.

The server is `transformers serve` (FastAPI + uvicorn from `transformers[serving]`) serving the
tiny random-weight Qwen2.5-VL directory on 127.0.0.1, started by the fixture and always stopped.
`tests/fixtures/openai_server.py` runs that real command line with one addition: an ASGI
middleware, outside transformers' own middleware and routes, logs every chat completion request
as the server received it (text parts, each image's pixel hash, how many requests it held at
once). So what step 1 and step 2 sent is observed on the server side, after the real client
(`openai` SDK, lmms-eval's `openai` model and its thread pool) serialized it, not inferred from
our own code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lmms_compgap.core.pipeline import Pipeline
from lmms_compgap.core.prompts import fill_prompt
from lmms_compgap.core.registry import get_family
from lmms_compgap.core.settings import REQUEST_FAILED_MARKER, decode_cascade_request, decode_cascade_response
from lmms_compgap.models.startup import PROBE_COPIES, PROBE_GEN_KWARGS
from lmms_compgap.report.compute.stats import BootstrapParams
from lmms_compgap.report.files.runs import load_outputs
from lmms_compgap.report.logs import group_by_model
from lmms_compgap.report.submissions.build import build_submission
from lmms_compgap.report.submissions.verify import verify_submission
from lmms_compgap.tasks.hooks import doc_to_visual
from tests.fixtures.openai_server import pixels_sha256
from tests.helpers import REPO, TINY_QWEN_ARGS, LmmsEvalRun, offline_env, run_lmms_eval, tiny_model_dir

pytestmark = pytest.mark.e2e

SERVER = REPO / "tests" / "fixtures" / "openai_server.py"
READY_TIMEOUT_S = 120
LIMIT = 3
CONCURRENCY = 2
SETTINGS = ("direct", "cascade", "cot", "vision", "language")
# Loopback traffic must never be sent through a proxy taken from the environment.
NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@dataclass
class Server:
    """A running `transformers serve` and its request log."""

    base_url: str
    model: str
    request_log: Path

    def requests(self) -> list[dict[str, Any]]:
        lines = self.request_log.read_text().splitlines() if self.request_log.exists() else []
        return sorted((json.loads(line) for line in lines if line.strip()), key=lambda record: record["seq"])

    def requests_during(self, action: Any) -> list[dict[str, Any]]:
        """The chat requests the server finished while `action()` ran (lines are written before the reply)."""
        before = len(self.requests())
        action()
        return self.requests()[before:]


def _health(port: int) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def openai_server(tiny_qwen_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from transformers.utils.import_utils import is_serve_available

    if not is_serve_available():
        pytest.fail("`transformers serve` needs its extra: pip install 'transformers[serving]' (in the test extra)")
    work = tmp_path_factory.mktemp("openai-server")
    server_log, request_log = work / "server.log", work / "requests.jsonl"
    command = [
        sys.executable,
        str(SERVER),
        "--request-log",
        str(request_log),
        "--parent-pid",
        str(os.getpid()),
        "--",
        "serve",
        str(tiny_qwen_dir),
        "--device",
        "cpu",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
    with server_log.open("wb") as log:
        # --port 0: the kernel picks a free port (no race with other processes); uvicorn names it in its log.
        process = subprocess.Popen(command, stdout=log, stderr=log, env=offline_env(**NO_PROXY))
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        port = None
        while True:
            output = server_log.read_text(errors="replace")
            assert process.poll() is None, f"the server exited ({process.returncode}):\n{output[-3000:]}"
            assert time.monotonic() < deadline, f"the server was not ready in {READY_TIMEOUT_S} s:\n{output[-3000:]}"
            if port is None and (match := re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", output)):
                port = int(match.group(1))
            if port is not None and _health(port):
                break
            time.sleep(0.2)
        yield Server(base_url=f"http://127.0.0.1:{port}/v1", model=str(tiny_qwen_dir), request_log=request_log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run(
    server: Server, out: Path, *, model: str | None = None, retries: int = 2, cascade_args: str = ""
) -> tuple[LmmsEvalRun, list[dict]]:
    model_args = (
        f"inner=openai,model={model or server.model},base_url={server.base_url},api_key=EMPTY,"
        f"num_concurrent={CONCURRENCY},max_retries={retries},retry_backoff_s=0{cascade_args}"
    )
    args = [
        "--model",
        "compgap_cascade",
        "--model_args",
        model_args,
        "--tasks",
        "compgap_mathtext",
        "--limit",
        str(LIMIT),
        "--gen_kwargs",
        "max_new_tokens=8",
        "--log_samples",
    ]
    runs: list[LmmsEvalRun] = []
    requests = server.requests_during(
        lambda: runs.append(run_lmms_eval(args, out, timeout=300, env=offline_env(**NO_PROXY)))
    )
    return runs[0], requests


def _picture_hashes() -> dict[int, str]:
    """doc_id -> pixel hash of that item's picture, drawn here the way the task draws it."""
    lines = get_family("mathtext").data_file().read_text().splitlines()[:LIMIT]
    return {doc_id: pixels_sha256(doc_to_visual(json.loads(line))[0]) for doc_id, line in enumerate(lines)}


def _step_prompts(sample: dict[str, Any]) -> tuple[str, str]:
    """What step 1 and step 2 of a logged cascade sample must have sent as text."""
    envelope = decode_cascade_request(sample["input"])
    assert envelope is not None, sample["input"]
    step1 = decode_cascade_response(sample["filtered_resps"]).step1
    assert step1 is not None
    return envelope.step1_prompt, fill_prompt(envelope.step2_template, {**envelope.values, "intermediate": step1})


def test_cascade_over_openai_server_sends_the_image_in_step_1_only(openai_server: Server, tmp_path: Path) -> None:
    run, requests = _run(openai_server, tmp_path / "out")

    # lmms-eval exits 0 even when evaluation fails: the files are the evidence.
    assert run.returncode == 0, run.output[-3000:]
    assert run.results is not None, run.output[-3000:]
    for setting in SETTINGS:
        task = f"compgap_mathtext_{setting}"
        assert len(run.samples[task]) == LIMIT, task
        assert "accuracy,none" in run.task_results(task) or setting == "vision"
    assert run.task_results("compgap_mathtext_cascade")["failed_calls,none"] == 0

    # Every request reached the served model and succeeded.
    assert requests, "the server saw no chat request"
    failed = [(r["status"], r.get("exception"), r["text"][:80]) for r in requests if r["status"] != 200]
    assert not failed, failed
    assert all(r["model"] == openai_server.model for r in requests)
    # --gen_kwargs max_new_tokens=8 for the run; the start-up check's requests use their own budget.
    probes = 2 * PROBE_COPIES
    budgets = Counter(r["max_tokens"] for r in requests)
    assert budgets == {8: len(requests) - probes, PROBE_GEN_KWARGS["max_new_tokens"]: probes}
    # 5 settings x 3 items; a cascade's step 1 is the `vision` request (same item, prompt, image), sent once;
    # plus one step 2 per item, plus the start-up check's image and text-only requests.
    assert len(requests) == len(SETTINGS) * LIMIT - LIMIT + LIMIT + probes

    pictures = _picture_hashes()
    # The start-up check's image request is item 0's picture and prompt: leave it out of the matching.
    run_requests = [r for r in requests if r["max_tokens"] == 8]
    step1_requests: list[dict] = []
    step2_requests: list[dict] = []
    for sample in run.samples["compgap_mathtext_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None and envelope.error is None, envelope
        assert isinstance(envelope.step1, str) and isinstance(envelope.step2, str)
        assert sample["compgap"]["intermediate_response"] == envelope.step1
        step1_text, step2_text = _step_prompts(sample)
        # Step 1: the visual prompt with exactly this item's picture (same pixels, as a PNG data URL).
        step1 = [
            r
            for r in run_requests
            if r["text"] == step1_text and [i["pixels_sha256"] for i in r["images"]] == [pictures[sample["doc_id"]]]
        ]
        assert len(step1) == 1, (sample["doc_id"], [(r["text"][:60], r["n_images"]) for r in requests])
        assert step1[0]["images"][0]["kind"] == "data" and step1[0]["images"][0]["mime"] == "image/png"
        # Step 2: the textual prompt holding step 1's output verbatim, and no image.
        step2 = [r for r in run_requests if r["text"] == step2_text]
        assert len(step2) == 1, sample["doc_id"]
        assert step2[0]["n_images"] == 0 and step2[0]["images"] == []
        step1_requests += step1
        step2_requests += step2
    # Images went only to the settings that show one (direct, cot, vision = step 1) and the start-up check's
    # image request, none to language, step 2 and the check's text-only request.
    assert Counter(r["n_images"] for r in requests) == {1: 3 * LIMIT + PROBE_COPIES, 0: 2 * LIMIT + PROBE_COPIES}
    # Round 2 starts only after round 1 has finished (step 2 needs every step 1's output).
    round1 = [r for r in requests if r not in step2_requests]
    assert min(r["arrived"] for r in step2_requests) >= max(r["finished"] for r in round1)

    # Concurrency: the server held two requests at once, and never more than num_concurrent.
    held = [r["in_flight_at_arrival"] + 1 for r in requests]
    assert max(held) == CONCURRENCY, held


def test_a_server_that_refuses_every_request_stops_the_run_at_start_up(openai_server: Server, tmp_path: Path) -> None:
    # The server is pinned to its model: any other name is refused with HTTP 400, which the
    # openai SDK does not retry; lmms-eval's backend then returns its request-failed marker.
    run, requests = _run(openai_server, tmp_path / "out", model="no-such-model", retries=1)

    assert run.returncode == 1 and run.results is None, run.output[-3000:]
    assert "failed its start-up check" in run.output and "base_url" in run.output
    # Only the check's requests: each kind in a batch, then (having failed) one alone; never the run's.
    assert len(requests) == 2 * (PROBE_COPIES + 1) and all(r["status"] == 400 for r in requests)


def test_refused_requests_are_failed_calls_when_the_stop_is_off(openai_server: Server, tmp_path: Path) -> None:
    run, requests = _run(
        openai_server,
        tmp_path / "out",
        model="no-such-model",
        retries=1,
        cascade_args=",startup_check=false,max_failed_share=1",
    )

    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    # Round 1 only (12 distinct calls, all refused); a failed step 1 sends no step 2.
    assert len(requests) == len(SETTINGS) * LIMIT - LIMIT
    assert all(r["status"] == 400 for r in requests)
    for setting in SETTINGS:
        assert run.task_results(f"compgap_mathtext_{setting}")["failed_calls,none"] == LIMIT, setting
    for sample in run.samples["compgap_mathtext_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step == 1 and envelope.step2 is None
        assert envelope.error is not None and envelope.error.startswith(REQUEST_FAILED_MARKER), envelope.error
        assert sample["accuracy"] == 0 and sample["compgap"]["failed_step"] == 1
    for sample in run.samples["compgap_mathtext_direct"]:
        assert sample["filtered_resps"].startswith(REQUEST_FAILED_MARKER)
        assert sample["accuracy"] == 0 and sample["compgap"]["failed_step"] == 1
        assert sample["compgap"]["error"].startswith(REQUEST_FAILED_MARKER)


# ---- a pipeline: a local VLM for step 1, the server for step 2 -----------------------------------------
@dataclass
class PipelineRun:
    """One lmms-eval run of a pipeline, what the server saw during it, and the models on each side."""

    run: LmmsEvalRun
    requests: list[dict[str, Any]]
    step1_dir: Path
    cache_dir: Path


@pytest.fixture(scope="module")
def pipeline_run(openai_server: Server, tmp_path_factory: pytest.TempPathFactory) -> PipelineRun:
    """Tiny Qwen2-VL loaded here (lmms-eval's `qwen2_vl`) for step 1, and the server's tiny Qwen2.5-VL (another
    model class, other weights) for step 2 and language, through lmms-eval's `openai`: one lmms-eval process."""
    step1_dir = tiny_model_dir(tmp_path_factory, "qwen2_vl")
    work = tmp_path_factory.mktemp("pipeline")
    model_args = (
        f"inner=qwen2_vl,pretrained={step1_dir},{TINY_QWEN_ARGS},cache_dir={work / 'cache'},"
        f"step2_inner=openai,step2_model={openai_server.model},step2_base_url={openai_server.base_url},"
        f"step2_api_key=EMPTY,step2_num_concurrent={CONCURRENCY},step2_max_retries=2,step2_retry_backoff_s=0"
    )
    args = ["--model", "compgap_cascade", "--model_args", model_args, "--tasks", "compgap_mathtext"]
    args += ["--limit", str(LIMIT), "--batch_size", "2", "--device", "cpu", "--gen_kwargs", "max_new_tokens=8"]
    runs: list[LmmsEvalRun] = []
    requests = openai_server.requests_during(
        lambda: runs.append(
            run_lmms_eval([*args, "--log_samples"], work / "out", timeout=300, env=offline_env(**NO_PROXY))
        )
    )
    return PipelineRun(runs[0], requests, step1_dir, work / "cache")


def test_a_pipeline_run_answers_every_setting_and_reaches_step_2_for_every_item(pipeline_run: PipelineRun) -> None:
    run = pipeline_run.run
    assert run.returncode == 0 and run.results is not None, run.output[-3000:]
    for setting in SETTINGS:
        task = f"compgap_mathtext_{setting}"
        assert len(run.samples[task]) == LIMIT, task
        assert run.task_results(task)["failed_calls,none"] == 0, task
    for sample in run.samples["compgap_mathtext_cascade"]:
        envelope = decode_cascade_response(sample["filtered_resps"])
        assert envelope.failed_step is None and envelope.step1 and envelope.step2, envelope
    # The results file records both models.
    assert "step2_inner=openai" in run.results["config"]["model_args"]


def test_the_server_answers_step_2_and_language_only_and_the_local_model_everything_with_an_image(
    pipeline_run: PipelineRun,
) -> None:
    run, requests = pipeline_run.run, pipeline_run.requests
    assert all(r["status"] == 200 for r in requests), [(r["status"], r.get("exception")) for r in requests]
    # The start-up check asks the step-2 model only text-only requests; no image ever reaches the server.
    probes = [r for r in requests if r["max_tokens"] == PROBE_GEN_KWARGS["max_new_tokens"]]
    assert len(probes) == PROBE_COPIES and all(r["n_images"] == 0 for r in requests)
    served = Counter(r["text"] for r in requests if r not in probes)
    step2 = Counter(_step_prompts(sample)[1] for sample in run.samples["compgap_mathtext_cascade"])
    language = Counter(sample["input"] for sample in run.samples["compgap_mathtext_language"])
    # Exactly one call per step 2 (holding the local model's step-1 output) and per language item, nothing else:
    # direct, CoT, vision and step 1 were answered by the local model.
    assert served == step2 + language and sum(served.values()) == 2 * LIMIT


def test_each_model_of_a_pipeline_keeps_its_own_resume_cache(pipeline_run: PipelineRun) -> None:
    def identity_and_calls(path: Path) -> tuple[dict[str, Any], int]:
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        (identity,) = [line["identity"] for line in lines if "identity" in line]
        return identity, sum("key" in line for line in lines)

    step1, step1_calls = identity_and_calls(pipeline_run.cache_dir / "calls.rank0.jsonl")
    step2, step2_calls = identity_and_calls(pipeline_run.cache_dir / "step2" / "calls.rank0.jsonl")
    assert step1["inner"] == "qwen2_vl" and step1["arguments"]["pretrained"] == str(pipeline_run.step1_dir)
    assert not any(key.startswith("step2_") for key in step1["arguments"])
    assert step2["inner"] == "openai" and step2["arguments"]["base_url"].startswith("http://127.0.0.1:")
    # direct, step 1 (shared with vision), cot; then language and step 2.
    assert (step1_calls, step2_calls) == (3 * LIMIT, 2 * LIMIT)


def test_a_pipeline_run_is_reported_and_submitted_as_a_pipeline_of_both_models(
    pipeline_run: PipelineRun, openai_server: Server, tmp_path: Path
) -> None:
    (model,) = group_by_model(load_outputs([pipeline_run.run.output_path]).tasks)
    expected = Pipeline(str(pipeline_run.step1_dir), openai_server.model)
    assert model.label == expected.label
    document, _ = build_submission(model, BootstrapParams(resamples=200), allow_partial=True)
    assert document["model"]["pipeline"] == {"step1": expected.step1, "step2": expected.step2}
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(document))
    assert verify_submission(path).pipeline == expected
