"""Where a run's model came from (a Hub id and its revision, or a local folder), so that others can load it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lmms_compgap.report.logs import RunInfo, model_arguments

#: A folder of the Hugging Face cache: `.../models--<org>--<name>/snapshots/<commit>`.
_HUB_SNAPSHOT_RE = re.compile(r"models--([^/\\]+?)--([^/\\]+)[/\\]snapshots[/\\]([0-9a-f]{40})(?:[/\\]|$)")
#: What the Hub accepts as a repository id (`name` or `org/name`) and as a revision (a branch, tag or commit).
_HUB_ID_RE = re.compile(r"[A-Za-z0-9][\w.-]{0,95}(?:/[A-Za-z0-9][\w.-]{0,95})?")
_REVISION_RE = re.compile(r"[\w./-]{1,200}")


def is_folder(text: str) -> bool:
    """Whether `text` names a folder on this machine (False for what cannot be a path: too long, a NUL byte)."""
    try:
        return Path(text).expanduser().is_dir()
    except (OSError, ValueError):
        return False


def _cached_revision(hub_id: str) -> str | None:
    """The commit of the snapshot of `hub_id` in this machine's Hub cache (what a run loaded offline), if any."""
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(repo_id=hub_id, filename="config.json")
    except (ImportError, ValueError, OSError):  # an id the Hub library refuses is no cached Hub model
        return None
    if not isinstance(found, str):
        return None
    match = _HUB_SNAPSHOT_RE.search(found)
    return match.group(3) if match else None


def model_source(run: RunInfo) -> dict[str, Any]:
    """A submission run's `model_source`: the `pretrained=` (or `model=`) argument, whether it is a folder on the
    submitting machine, and the Hub id and revision (commit) when the model is a Hub model: the `revision=`
    argument, else the commit of the Hub cache's snapshot it was loaded from."""
    pretrained = run.pretrained
    source: dict[str, Any] = {"pretrained": pretrained, "local": False, "hub_id": None, "revision": None}
    if pretrained is None:
        return source
    revision = model_arguments(run.model_args).get("revision") or None
    if revision is not None and not _REVISION_RE.fullmatch(revision):
        revision = None
    snapshot = _HUB_SNAPSHOT_RE.search(pretrained)
    if snapshot:  # a folder of the Hub cache names its repository and commit
        source.update(local=True, hub_id=f"{snapshot.group(1)}/{snapshot.group(2)}", revision=snapshot.group(3))
    elif is_folder(pretrained):
        source["local"] = True
    elif _HUB_ID_RE.fullmatch(pretrained):
        source.update(hub_id=pretrained, revision=revision or _cached_revision(pretrained))
    if revision is not None:
        source["revision"] = revision
    return source
