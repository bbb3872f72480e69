"""`compgap doctor`: checks, without loading a model, that this environment can run a compgap evaluation.

Each check says ok, note, warn or fail, and how to fix what is not ok. Exit status: 1 when a run
would fail or silently run something else than asked (fail), 2 when a run would work but degraded
or an optional tool is missing (warn), 0 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

DISTRIBUTION = "lmms-compgap"
LOCK_FILE = "constraints.txt"
#: The lock's copy inside the installed package (pyproject.toml force-includes it there).
PACKAGED_LOCK = "tested-constraints.txt"
STATUSES = ("ok", "note", "warn", "fail")
EXIT_CODES = {"ok": 0, "note": 0, "warn": 2, "fail": 1}
#: Free space below which pictures (about 0.1 GB for the three families) or a model download may not fit.
LOW_DISK_BYTES = 10 * 1024**3
#: lmms-eval modules an evaluation imports; their imports of other packages' private modules break
#: when those packages change their internals (filelock 4.3.1 removed `filelock._api`).
LMMS_EVAL_CORE = (
    "*.py",
    "api/*.py",
    "caching/*.py",
    "loggers/*.py",
    "models/__init__.py",
    "models/registry_v2.py",
    "tasks/__init__.py",
)


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, its status, what was found and, unless ok, how to fix it."""

    name: str
    status: str
    detail: str
    fix: str | None = None


# ---- versions ------------------------------------------------------------------------------------
def lock_path() -> Path | None:
    """The tested lock: shipped inside the package, or at the root of a source checkout."""
    packaged = Path(__file__).with_name(PACKAGED_LOCK)
    if packaged.is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / LOCK_FILE
    return checkout if checkout.is_file() else None


def tested_versions(path: Path | None = None) -> dict[str, str]:
    """`name==version` lines of the lock, by normalised distribution name."""
    path = path or lock_path()
    if path is None:
        return {}
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_normalise(name.split("[", 1)[0])] = version.split(";", 1)[0].strip()
    return pins


def tested_python(path: Path | None = None) -> str | None:
    """The Python version the lock was made with (its `# python: X.Y` header line)."""
    path = path or lock_path()
    if path is None:
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# python:"):
            return line.split(":", 1)[1].strip()
    return None


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _pin_fix(distribution: str) -> str:
    tested = tested_versions().get(_normalise(distribution))
    if tested:
        return (
            f'pip install "{distribution}=={tested}" (the tested version), or reinstall with the lock: '
            f"pip install -c {lock_path()} lmms-compgap"
        )
    installed = _installed(distribution)
    if installed:
        return f'pip install "{distribution}<{installed}" (an earlier release; this one changed what lmms-eval uses)'
    return f"pip install {distribution}"


def check_python() -> Iterator[Check]:
    found = ".".join(map(str, sys.version_info[:3]))
    tested = tested_python()
    if tested and not found.startswith(tested + "."):
        yield Check("python", "note", f"{found} ({platform.machine()}); the lock was tested with Python {tested}")
    else:
        yield Check("python", "ok", f"{found} ({platform.machine()})")


def check_requirements() -> Iterator[Check]:
    """Every dependency lmms-compgap declares is installed within its bounds."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        yield Check(
            "requirements",
            "fail",
            f"{DISTRIBUTION} is not installed in {sys.prefix}",
            "pip install lmms-compgap (or `pip install .` in a checkout)",
        )
        return
    problems: list[str] = []
    checked = 0
    for text in declared:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue  # an optional extra's dependency
        checked += 1
        version = _installed(requirement.name)
        if version is None:
            problems.append(f"{requirement.name} is missing")
            continue
        try:
            inside = requirement.specifier.contains(Version(version), prereleases=True)
        except InvalidVersion:
            inside = False
        if not inside:
            problems.append(f"{requirement.name} {version} is outside {requirement.specifier}")
    if problems:
        yield Check(
            "requirements",
            "fail",
            "; ".join(problems),
            f"pip install -c {lock_path()} lmms-compgap  (installs the tested versions)",
        )
    else:
        yield Check("requirements", "ok", f"{checked} declared dependencies within their bounds")


def check_tested_versions() -> Iterator[Check]:
    """Installed versions against the lock: a different version is a combination nobody tested."""
    pins = tested_versions()
    if not pins:
        yield Check("tested versions", "note", "no lock found to compare with")
        return
    differ = []
    for name, tested in sorted(pins.items()):
        version = _installed(name)
        if version is not None and version.split("+", 1)[0] != tested.split("+", 1)[0]:
            differ.append(f"{name} {version} (tested {tested})")
    if differ:
        shown = ", ".join(differ[:8]) + (f" and {len(differ) - 8} more" if len(differ) > 8 else "")
        yield Check(
            "tested versions",
            "warn",
            f"{len(differ)} installed packages differ from the lock: {shown}",
            f"pip install -c {lock_path()} lmms-compgap",
        )
    else:
        yield Check("tested versions", "ok", f"installed packages match the lock ({lock_path()})")


# ---- lmms-eval -----------------------------------------------------------------------------------
def private_imports(package_root: Path, patterns: tuple[str, ...] = LMMS_EVAL_CORE) -> list[str]:
    """Other packages' private modules and names (`x._y`, `from x import _y`) these lmms-eval modules import."""
    found: set[str] = set()
    for pattern in patterns:
        for path in sorted(package_root.glob(pattern)):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [f"{node.module}.{alias.name}" for alias in node.names]
                else:
                    continue
                for name in names:
                    parts = name.split(".")
                    private = any(part.startswith("_") and not part.startswith("__") for part in parts[1:])
                    if parts[0] != package_root.name and private:
                        found.add(name)
    return sorted(found)


def _import_name(name: str) -> None:
    """Import `a.b.c` as a module, or as the attribute `c` of module `a.b` (`from a.b import c`)."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        module, _, attribute = name.rpartition(".")
        if not module or error.name != name or not hasattr(importlib.import_module(module), attribute):
            raise


def _module_fix(error: BaseException) -> str:
    name = getattr(error, "name", None) or ""
    top = name.split(".", 1)[0]
    distributions = importlib.metadata.packages_distributions().get(top, []) if top else []
    if distributions:
        return _pin_fix(distributions[0])
    return f"pip install -c {lock_path()} lmms-compgap"


def _describe_module_error(error: BaseException) -> str:
    name = getattr(error, "name", None) or ""
    top = name.split(".", 1)[0]
    distributions = importlib.metadata.packages_distributions().get(top, []) if top else []
    if not distributions:
        return f"{type(error).__name__}: {error}"
    distribution = distributions[0]
    version = _installed(distribution)
    tested = tested_versions().get(_normalise(distribution))
    versions = f"{distribution} {version} installed" + (f", tested {tested}" if tested and tested != version else "")
    return f"{type(error).__name__}: {error} ({versions})"


def check_lmms_eval() -> Iterator[Check]:
    """lmms-eval's evaluator imports, and so do the private modules of other packages it reaches into."""
    try:
        import lmms_eval
    except Exception as error:  # noqa: BLE001 - every import failure is a finding
        yield Check("lmms-eval", "fail", _describe_module_error(error), _module_fix(error))
        return
    root = Path(next(iter(lmms_eval.__path__)))
    failures = []
    private = private_imports(root)
    for name in private:
        try:
            _import_name(name)
        except Exception as error:  # noqa: BLE001
            failures.append((name, error))
    for module in ("lmms_eval.evaluator", "lmms_eval.__main__"):
        try:
            importlib.import_module(module)
        except Exception as error:  # noqa: BLE001
            failures.append((module, error))
    version = _installed("lmms-eval") or "unknown version"
    if failures:
        name, error = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        yield Check(
            "lmms-eval",
            "fail",
            f"lmms-eval {version} cannot run: importing {name} fails: {_describe_module_error(error)}{more}",
            _module_fix(error),
        )
    else:
        yield Check("lmms-eval", "ok", f"lmms-eval {version}; evaluator and {len(private)} private imports load")


def expected_task_names() -> set[str]:
    """What lmms-compgap's own task tree defines: every built-in family's tasks and group, and the top groups."""
    from lmms_compgap.core.registry import builtin_families
    from lmms_compgap.core.taskfiles import defined_names

    return defined_names(builtin_families().values(), groups=True)


def check_tasks(include_paths: list[Path]) -> Iterator[Check]:
    """The compgap tasks are where lmms-eval looks, parse with its own indexer, and are not shadowed."""
    from lmms_eval.tasks import TaskManager

    from lmms_compgap.core.data import installed_task_root
    from lmms_compgap.core.shadowing import shadowed_task_yamls

    installed = installed_task_root()
    folders = [p for p in [installed] if p is not None and p.is_dir()] + include_paths
    missing_paths = [str(p) for p in include_paths if not p.is_dir()]
    if missing_paths:
        yield Check(
            "tasks",
            "fail",
            f"--include_path folder does not exist: {', '.join(missing_paths)}",
            "pass an existing folder of task YAMLs",
        )
        return
    manager = TaskManager("ERROR", include_path=[str(p) for p in folders], include_defaults=False)
    missing = sorted(expected_task_names() - set(manager.all_tasks))
    if missing:
        yield Check(
            "tasks",
            "fail",
            f"lmms-eval does not see {len(missing)} compgap tasks/groups: {', '.join(missing[:6])}",
            "reinstall: pip install --force-reinstall --no-deps lmms-compgap (installs the YAMLs into "
            "lmms_eval/tasks/compgap), or pass --include_path <checkout>/task_yamls",
        )
        return
    where = f"installed in {installed}" if installed is not None and installed.is_dir() else "from --include_path"
    yield Check("tasks", "ok", f"{len(expected_task_names())} compgap tasks and groups visible to lmms-eval, {where}")
    shadowed = shadowed_task_yamls(include_paths, installed)
    if shadowed:
        first = shadowed[0]
        edited = sum(task.differs for task in shadowed)
        yield Check(
            "shadowed tasks",
            "fail",
            f"{len(shadowed)} tasks in --include_path are shadowed by the installed ones (lmms-eval uses "
            f"the installed copy; {edited} of the copies differ from it): {first.name} runs {first.used}, "
            f"not {first.ignored}",
            "to run your copies, `pip uninstall lmms-compgap` and use PYTHONPATH=<checkout> with "
            "--include_path, or rename the tasks in your copy",
        )


def check_data() -> Iterator[Check]:
    from lmms_compgap.core import data as data_files
    from lmms_compgap.core.registry import generated_family_names, get_family

    problems = []
    for name in generated_family_names():
        try:
            data_files.verify_file(get_family(name))
        except (data_files.DataIntegrityError, FileNotFoundError) as error:
            problems.append(f"{name}: {error}")
    if problems:
        yield Check(
            "data files", "fail", "; ".join(problems), "reinstall lmms-compgap, or `compgap data build` in a checkout"
        )
    else:
        yield Check("data files", "ok", f"{len(generated_family_names())} families' data files match their generators")


def check_model() -> Iterator[Check]:
    try:
        from lmms_eval.models import get_model

        resolved = get_model("compgap_cascade")
    except Exception as error:  # noqa: BLE001
        yield Check(
            "model",
            "fail",
            f"lmms-eval cannot resolve --model compgap_cascade: {error}",
            "reinstall lmms-compgap (it registers through the lmms_eval.models entry point)",
        )
        return
    yield Check("model", "ok", f"--model compgap_cascade resolves to {resolved.__module__}.{resolved.__name__}")


def check_model_extras() -> Iterator[Check]:
    """What lmms-eval's Hugging Face VLM wrappers import without declaring it."""
    missing = [name for name in ("decord", "qwen_vl_utils") if importlib.util.find_spec(name) is None]
    if missing:
        yield Check(
            "model wrappers",
            "warn",
            f"missing {', '.join(missing)}: lmms-eval's qwen2_5_vl, qwen2_vl, llava_hf, llava_onevision and "
            "llama_vision wrappers import them",
            'pip install "lmms-compgap[models]"',
        )
    else:
        yield Check("model wrappers", "ok", "decord and qwen-vl-utils present (lmms-eval's HF VLM wrappers load)")


# ---- hardware and machine ------------------------------------------------------------------------
def check_torch() -> Iterator[Check]:
    try:
        import torch
    except Exception as error:  # noqa: BLE001
        yield Check("torch", "fail", _describe_module_error(error), _module_fix(error))
        return
    if torch.cuda.is_available():
        names = sorted({torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())})
        yield Check(
            "torch", "ok", f"torch {torch.__version__}; {torch.cuda.device_count()} CUDA device(s): {', '.join(names)}"
        )
    else:
        yield Check(
            "torch",
            "note",
            f"torch {torch.__version__}; no CUDA device: runs use the CPU",
            "on the CPU pass `--device cpu` and `device_map=cpu` in --model_args",
        )
    if importlib.util.find_spec("torchvision") is None:
        yield Check(
            "torchvision",
            "warn",
            "not installed: the Qwen-VL, SmolVLM, Llama-Vision and InternVL processors need it",
            "pip install torchvision matching your torch (torch 2.14.1 <-> torchvision 0.29.1)",
        )
        return
    try:
        import torchvision

        torchvision.ops.nms(torch.zeros((1, 4)), torch.zeros(1), 0.5)
    except Exception as error:  # noqa: BLE001
        yield Check(
            "torchvision",
            "fail",
            f"installed but broken next to torch {torch.__version__}: {error}"[:400],
            "install the torchvision built for your torch (torch 2.14.1 <-> torchvision 0.29.1)",
        )
        return
    yield Check("torchvision", "ok", f"torchvision {torchvision.__version__}; its operators load")


def check_tesseract() -> Iterator[Check]:
    from lmms_compgap.datacheck.tesseract import INSTALL_HINT

    binary = shutil.which("tesseract")
    if binary is None:
        yield Check("tesseract", "warn", "not found: `compgap data check` needs it (evaluations do not)", INSTALL_HINT)
        return
    try:
        first = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as error:
        yield Check("tesseract", "warn", f"{binary} does not run: {error}", INSTALL_HINT)
        return
    yield Check("tesseract", "ok", f"{first[0] if first else 'tesseract'} at {binary}")


def check_public_datasets() -> Iterator[Check]:
    """The families built from public datasets: which datasets this machine has (none is needed for `compgap`),
    and whether math-verify, which scores MATH-500, runs."""
    from lmms_compgap.core.dataset_family import DatasetFamily
    from lmms_compgap.core.hub_data import DatasetUnavailable, load_hub_dataset
    from lmms_compgap.core.registry import families
    from lmms_compgap.scoring.equivalence import INSTALL_HINT, MathVerifyUnavailable, ensure_available

    for name, family in families().items():
        if not isinstance(family, DatasetFamily):
            continue
        try:
            loaded = load_hub_dataset(family.source, download=False)
        except DatasetUnavailable:
            yield Check(
                f"dataset {family.source.repo}",
                "note",
                f"not on this machine (a run of compgap_{name}, the only task that needs it, downloads it "
                "when the Hugging Face Hub is reachable)",
                family.source.download_command(),
            )
            continue
        proven = f"revision {loaded.revision[:12]}" if loaded.revision else "a copy that records no revision"
        yield Check(f"dataset {family.source.repo}", "ok", f"{len(loaded.dataset)} rows at {loaded.origin} ({proven})")
    try:
        ensure_available()
        yield Check("math-verify", "ok", "runs (it scores compgap_math500)")
    except MathVerifyUnavailable as error:
        yield Check("math-verify", "note", f"{error}"[:300] + ": only compgap_math500 needs it", INSTALL_HINT)


def check_picture_cache() -> Iterator[Check]:
    from lmms_compgap.core.pictures import CACHE_ENV, cache_root

    root = cache_root()
    if root is None:
        yield Check("picture cache", "note", f"off ({CACHE_ENV}=off): every picture is drawn on every request")
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".doctor-"):
            pass
    except OSError as error:
        yield Check(
            "picture cache",
            "warn",
            f"{root} is not writable ({error.strerror or error}): every picture would be redrawn, with a "
            "warning per picture",
            f"set {CACHE_ENV} to a writable folder, or {CACHE_ENV}=off",
        )
        return
    yield Check("picture cache", "ok", f"{root} is writable")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk() -> Iterator[Check]:
    from lmms_compgap.core.pictures import cache_root

    hub = Path(
        os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or Path.home() / ".cache/huggingface") / "hub"
    )
    places = {"Hugging Face cache": hub, "working folder": Path.cwd()}
    root = cache_root()
    if root is not None:
        places["picture cache"] = root
    low = []
    for label, path in places.items():
        free = shutil.disk_usage(_existing_parent(path.expanduser())).free
        if free < LOW_DISK_BYTES:
            low.append(f"{label} ({path}): {free / 1024**3:.1f} GB free")
    if low:
        yield Check(
            "disk",
            "warn",
            "; ".join(low),
            "free space: model weights take several GB (about 8 GB for a 3B model in bf16)",
        )
    else:
        yield Check("disk", "ok", f"at least {LOW_DISK_BYTES // 1024**3} GB free for models, pictures and outputs")


# ---- the command ---------------------------------------------------------------------------------
def run_checks(include_paths: list[Path] | None = None) -> list[Check]:
    """Every check, in order; a check that crashes becomes a failed check, never a traceback."""
    include_paths = include_paths or []
    groups: list[tuple[str, Callable[[], Iterator[Check]]]] = [
        ("python", check_python),
        ("requirements", check_requirements),
        ("tested versions", check_tested_versions),
        ("lmms-eval", check_lmms_eval),
        ("torch", check_torch),
        ("model", check_model),
        ("model wrappers", check_model_extras),
        ("tasks", lambda: check_tasks(include_paths)),
        ("data files", check_data),
        ("public datasets", check_public_datasets),
        ("picture cache", check_picture_cache),
        ("disk", check_disk),
        ("tesseract", check_tesseract),
    ]
    results: list[Check] = []
    for name, check in groups:
        try:
            results.extend(check())
        except Exception as error:  # noqa: BLE001 - the doctor must report, not crash
            results.append(Check(name, "fail", f"the check itself failed: {type(error).__name__}: {error}"[:500]))
    return results


def exit_status(checks: list[Check]) -> int:
    statuses = {check.status for check in checks}
    if "fail" in statuses:
        return EXIT_CODES["fail"]
    return EXIT_CODES["warn"] if "warn" in statuses else 0


def format_checks(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status.upper():<5} {check.name:<{width}}  {check.detail}")
        if check.fix and check.status != "ok":
            lines.append(f"{'':<5} {'':<{width}}  fix: {check.fix}")
    fails = sum(check.status == "fail" for check in checks)
    warns = sum(check.status == "warn" for check in checks)
    if fails:
        lines.append(f"{fails} problem(s) would stop or falsify an evaluation; {warns} warning(s).")
    elif warns:
        lines.append(f"An evaluation would run; {warns} warning(s).")
    else:
        lines.append("Ready: an evaluation would run.")
    return "\n".join(lines)


def _doctor(args: argparse.Namespace) -> int:
    checks = run_checks([Path(p) for p in args.include_path])
    if args.json:
        print(json.dumps({"checks": [asdict(check) for check in checks], "exit_status": exit_status(checks)}, indent=1))
    else:
        print(format_checks(checks))
    return exit_status(checks)


def add_doctor_command(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check that this environment can run a compgap evaluation (no model is loaded)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument(
        "--include_path",
        action="append",
        default=[],
        metavar="DIR",
        help="a task folder you pass to lmms-eval --include_path (checked for shadowing)",
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.set_defaults(handler=_doctor)
