"""`compgap leaderboard init DIR`: a submissions repository a maintainer can push as is (CI verifies, Pages shows)."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from lmms_compgap import __version__
from lmms_compgap.errors import ReportError

TEMPLATE = Path(__file__).with_name("repo_template")
#: Path in the repository -> template file. Dot names are stored without their dot (packaging tools skip them).
TEMPLATE_FILES = {
    "README.md": "README.md",
    "CONTRIBUTING.md": "CONTRIBUTING.md",
    "submissions/README.md": "submissions/README.md",
    ".github/workflows/verify.yml": "verify.yml",
    ".gitignore": "gitignore",
}
WORKFLOW = ".github/workflows/verify.yml"


def requirements_text(version: str = __version__) -> str:
    """The repository's `requirements.txt`: this lmms-compgap release, in the environment it was tested in."""
    return (
        "# What the workflow installs: the lmms-compgap release this repository was made with, pinned with the\n"
        "# environment it was tested in (constraints.txt). Change the requirement line to install it from elsewhere.\n"
        "-c constraints.txt\n"
        f"lmms-compgap=={version}\n"
    )


def repository_files() -> dict[str, bytes]:
    """Every file of the repository, by path."""
    from lmms_compgap.core.versions import lock_path

    lock = lock_path()
    if lock is None:
        raise ReportError("this lmms-compgap has no tested lock (constraints.txt) to pin the repository's CI with")
    files = {path: (TEMPLATE / name).read_bytes() for path, name in TEMPLATE_FILES.items()}
    files["requirements.txt"] = requirements_text().encode()
    files["constraints.txt"] = lock.read_bytes()
    return files


def _no_link(path: Path) -> bool:
    """Whether `path` is absent; ReportError when it is a symbolic link (never followed) or not a folder/file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return True
    if stat.S_ISLNK(mode):
        raise ReportError(f"{path}: a symbolic link; refusing to write through it")
    return False


def _make_folder(path: Path) -> None:
    if _no_link(path):
        path.mkdir()
    elif not path.is_dir():
        raise ReportError(f"{path}: exists and is not a folder")


def _write(path: Path, payload: bytes) -> None:
    """Write a regular file without following a link at the last component (O_NOFOLLOW) nor in the folders
    above it (each checked as it is made)."""
    _no_link(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ReportError(f"{path}: not a regular file; not written")
        handle.write(payload)


def write_repository(directory: Path, force: bool = False) -> list[Path]:
    """Write the repository into `directory` (new or empty; with `force`, its files are replaced and anything
    else in it is left alone). Symbolic links are never followed: one in the way stops the command."""
    if _no_link(directory):
        directory.mkdir(parents=True)
    elif not directory.is_dir():
        raise ReportError(f"{directory}: exists and is not a folder")
    elif any(directory.iterdir()) and not force:
        raise ReportError(f"{directory}: not empty; choose a new folder, or pass --force to replace its files")
    files = repository_files()
    written = []
    for relative, payload in sorted(files.items()):
        target = directory
        for part in Path(relative).parts[:-1]:
            target = target / part
            _make_folder(target)
        path = directory / relative
        _write(path, payload)
        written.append(path)
    return written


def _init(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    written = write_repository(directory, args.force)
    print(f"Wrote {len(written)} files into {directory}: " + ", ".join(str(p.relative_to(directory)) for p in written))
    print("Push it as a GitHub repository and set Settings > Pages > Source to 'GitHub Actions' (see its README.md).")
    return 0


def init_parser() -> argparse.ArgumentParser:
    """The parser of `compgap leaderboard init DIR [--force]`."""
    parser = argparse.ArgumentParser(
        prog="compgap leaderboard init",
        description="Write a submissions repository ready to push: submissions/, a GitHub Actions workflow that "
        "verifies pull requests and publishes the page (GitHub Pages), CONTRIBUTING.md, and the pinned install.",
    )
    parser.add_argument("directory", metavar="DIR", help="a new or empty folder")
    parser.add_argument("--force", action="store_true", help="write into a non-empty folder, replacing its files")
    parser.set_defaults(handler=_init)
    return parser
