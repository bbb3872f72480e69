"""`compgap new-family NAME [--dir DIR]`: write a working skeleton family, in lmms-compgap or as its own package.

Without `--dir`, from the root of an lmms-compgap checkout, the family becomes `lmms_compgap/families/NAME/`,
found by the registry as a built-in family. With `--dir DIR`, it becomes a separate distribution in DIR
(`pyproject.toml` and the package `compgap_NAME/`) that registers itself through the entry point group
`lmms_compgap.families` and keeps its task YAMLs in its own `task_yamls/` folder.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from lmms_compgap.core.registry import BUILTIN_PACKAGE, NAME_PATTERN, family_names

#: The skeleton's files: template name -> file name inside the family's package.
PACKAGE_FILES: dict[str, str] = {
    "__init__.py.template": "__init__.py",
    "family.py.template": "family.py",
    "prompts.py.template": "prompts.py",
    "datacheck.py.template": "datacheck.py",
    "README.md.template": "README.md",
}
BUILTIN_FOLDER = Path(*BUILTIN_PACKAGE.split("."))


class NewFamilyError(ValueError):
    """The family cannot be written (a bad or taken name, or files already there)."""


@dataclass(frozen=True)
class Skeleton:
    """Where a new family goes: its package folder, its import name, and the project file of a separate package."""

    package_dir: Path
    package: str
    pyproject: Path | None


def _template(name: str) -> Template:
    return Template((resources.files("lmms_compgap.kit") / "skeleton" / name).read_text(encoding="utf-8"))


def _is_builtin_folder(directory: Path) -> bool:
    """Whether `directory` is a checkout's `lmms_compgap/families` package."""
    return (directory / "__init__.py").is_file() and directory.resolve().parts[-2:] == BUILTIN_FOLDER.parts


def plan(name: str, directory: Path | None) -> Skeleton:
    """Where `compgap new-family name [--dir directory]` writes, refusing bad or taken names and existing files."""
    if not NAME_PATTERN.match(name):
        raise NewFamilyError(
            f"family name {name!r}: use lowercase letters and digits, starting with a letter (task names are "
            "compgap_<family>_<setting>, split at underscores)"
        )
    if name in family_names():
        raise NewFamilyError(f"a family called {name!r} is already registered")
    if directory is None or _is_builtin_folder(directory):
        families = directory or BUILTIN_FOLDER
        if not (families / "__init__.py").is_file():
            raise NewFamilyError(
                f"no {BUILTIN_FOLDER}/ here: run from the root of an lmms-compgap checkout, or pass --dir DIR to make "
                "the family a package of its own"
            )
        skeleton = Skeleton(families / name, f"{BUILTIN_PACKAGE}.{name}", None)
    else:
        assert directory is not None
        package = f"compgap_{name}"
        skeleton = Skeleton(directory / package, package, directory / "pyproject.toml")
    taken = [path for path in (skeleton.package_dir, skeleton.pyproject) if path is not None and path.exists()]
    if taken:
        raise NewFamilyError(f"{taken[0]} already exists; choose another name or folder (nothing was written)")
    return skeleton


def write_skeleton(name: str, directory: Path | None = None) -> Skeleton:
    """Write the skeleton family `name`; return where it went."""
    skeleton = plan(name, directory)
    separate = skeleton.pyproject is not None
    values = {
        "name": name,
        "Class": name.capitalize(),
        "package": skeleton.package,
        "path_import": "from pathlib import Path\n" if separate else "",
        "task_root": _template("task_root.template").substitute(name=name) if separate else "",
    }
    skeleton.package_dir.mkdir(parents=True)
    for template, file_name in PACKAGE_FILES.items():
        (skeleton.package_dir / file_name).write_text(_template(template).substitute(values), encoding="utf-8")
    if skeleton.pyproject is not None:
        skeleton.pyproject.write_text(_template("pyproject.toml.template").substitute(values), encoding="utf-8")
    return skeleton


def add_new_family_command(commands: Any) -> None:
    """Register `compgap new-family`."""
    parser = commands.add_parser(
        "new-family",
        help="write a working skeleton task family to start a new one from (docs/adding_a_family.md)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", help="the family's name: lowercase letters and digits (its tasks: compgap_NAME_*)")
    parser.add_argument("--dir", help="make it a package of its own in this new folder (default: a built-in family)")
    parser.set_defaults(handler=run_new_family)


def run_new_family(args: argparse.Namespace) -> int:
    try:
        skeleton = write_skeleton(args.name, Path(args.dir) if args.dir else None)
    except NewFamilyError as error:
        print(f"compgap new-family: {error}", file=sys.stderr)
        return 2
    print(f"wrote the {args.name} family in {skeleton.package_dir}")
    if skeleton.pyproject is None:
        print(
            "next: PYTHONPATH=. python -m lmms_compgap tasks build && pip install --no-deps . && "
            f"pytest tests/families/test_families.py -k {args.name}; "
            f"then write its card, {skeleton.package_dir / 'README.md'} (docs/adding_a_family.md)"
        )
    else:
        print(
            f"next: pip install -e {skeleton.pyproject.parent} && compgap tasks build --family {args.name} && "
            f"lmms-eval --include_path {skeleton.package_dir / 'task_yamls'} --tasks compgap_{args.name} ... "
            "(docs/adding_a_family.md)"
        )
    return 0
