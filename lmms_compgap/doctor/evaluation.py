"""Doctor checks of what an evaluation runs: lmms-eval imports, our tasks as lmms-eval finds them (and copies
shadowing them), the data files, the model wrappers."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
from collections.abc import Iterator
from pathlib import Path

from lmms_compgap.core.versions import distribution_version, lock_path, normalise_name, tested_versions
from lmms_compgap.doctor.check import Check
from lmms_compgap.doctor.environment import pin_fix

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


def module_fix(error: BaseException) -> str:
    name = getattr(error, "name", None) or ""
    top = name.split(".", 1)[0]
    distributions = importlib.metadata.packages_distributions().get(top, []) if top else []
    if distributions:
        return pin_fix(distributions[0])
    return f"pip install -c {lock_path()} lmms-compgap"


def describe_module_error(error: BaseException) -> str:
    name = getattr(error, "name", None) or ""
    top = name.split(".", 1)[0]
    distributions = importlib.metadata.packages_distributions().get(top, []) if top else []
    if not distributions:
        return f"{type(error).__name__}: {error}"
    distribution = distributions[0]
    version = distribution_version(distribution)
    tested = tested_versions().get(normalise_name(distribution))
    versions = f"{distribution} {version} installed" + (f", tested {tested}" if tested and tested != version else "")
    return f"{type(error).__name__}: {error} ({versions})"


def check_lmms_eval() -> Iterator[Check]:
    """lmms-eval's evaluator imports, and so do the private modules of other packages it reaches into."""
    try:
        import lmms_eval
    except Exception as error:  # noqa: BLE001 - every import failure is a finding
        yield Check("lmms-eval", "fail", describe_module_error(error), module_fix(error))
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
    version = distribution_version("lmms-eval") or "unknown version"
    if failures:
        name, error = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        yield Check(
            "lmms-eval",
            "fail",
            f"lmms-eval {version} cannot run: importing {name} fails: {describe_module_error(error)}{more}",
            module_fix(error),
        )
    else:
        yield Check("lmms-eval", "ok", f"lmms-eval {version}; evaluator and {len(private)} private imports load")


def expected_task_names() -> set[str]:
    """What lmms-compgap's own task tree defines: every built-in family's tasks and group, and the top groups."""
    from lmms_compgap.core.registry import builtin_families
    from lmms_compgap.tasks.writer import defined_names

    return defined_names(builtin_families().values(), groups=True)


def check_tasks(include_paths: list[Path]) -> Iterator[Check]:
    """The compgap tasks are where lmms-eval looks, parse with its own indexer, and are not shadowed."""
    from lmms_eval.tasks import TaskManager

    from lmms_compgap.core.data import installed_task_root
    from lmms_compgap.tasks.shadowing import shadowed_task_yamls

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
            get_family(name).verify_data_file()
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
