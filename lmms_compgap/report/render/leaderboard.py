"""The leaderboard page: its tables as Markdown and as one self-contained HTML page, every submitted string escaped."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

from lmms_compgap.report.compute.estimates import Estimate
from lmms_compgap.report.compute.leaderboard import Entry, Leaderboard
from lmms_compgap.report.compute.ranking import LIMITS, RANKING_RULE, RATIONALE, competition_place, explain
from lmms_compgap.report.render.literal import markdown_text, plain_text
from lmms_compgap.report.render.tables import markdown_table, p_text


def _families(board: Leaderboard) -> list[str]:
    return sorted({family for entry in board.ranked + board.unranked for family in entry.families})


HEADERS: dict[str, str] = {
    "composed": "composed",
    "skilled": "skilled",
    "direct": "direct",
    "cascade": "cascade",
    "cot": "CoT",
    "vision": "vision (usable)",
    "language": "language",
    "gap": "gap",
}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", 'place on the ranking; "=" marks a rank shared by equal composed accuracies'),
    ("composed", "the ranked quantity: % of items answered right directly on which the model shows both skills"),
    (
        "lead",
        "composed accuracy minus the next ranked entry's, in points, paired by item: an interval that holds 0 "
        "means the two are not told apart by these items",
    ),
    (
        "skilled",
        "% of items on which the model shows both skills (cascade right from a usable step 1, or vision "
        "usable and language right): the most it could compose",
    ),
    ("direct, cascade, CoT, language", "accuracy in %, flexible score"),
    ("vision (usable)", "% of items whose vision output (transcription, object or card list) suffices to answer"),
    ("gap", "cascade − direct accuracy, in points (the composition gap; not ranked)"),
    ("why", "what the rank is made of, or why the entry is listed apart"),
)
AGREEMENT_HEADER = "agreement (direct, language)"
#: The legend of the column `--agreement` adds (after the gap's).
AGREEMENT_LEGEND = (
    AGREEMENT_HEADER,
    "% of items on which the direct and the language setting give the same final answer, right or wrong (SEAM; "
    "an item without an answer in either does not agree; not ranked)",
)


def _columns(board: Leaderboard) -> tuple[tuple[str, str], ...]:
    """The column legend: COLUMNS, with the agreement's after the gap's when the board shows it."""
    if not board.agreement:
        return COLUMNS
    at = next(index for index, (name, _) in enumerate(COLUMNS) if name == "gap") + 1
    return (*COLUMNS[:at], AGREEMENT_LEGEND, *COLUMNS[at:])


def _agreement(board: Leaderboard, entry: Entry) -> list[Cell]:
    """The agreement cell when the board shows it, else nothing (the tables keep their columns)."""
    return [Figure(entry.agreement)] if board.agreement else []


@dataclass(frozen=True)
class Figure:
    """A shown number and its interval: a percentage, or signed points for a difference."""

    estimate: Estimate | None
    signed: bool = False

    def parts(self) -> tuple[str, str]:
        if self.estimate is None:
            return "—", ""
        shown = "{:+.1f}" if self.signed else "{:.1f}"
        low, high = self.estimate.ci
        return shown.format(100 * self.estimate.value), f"[{shown.format(100 * low)}, {shown.format(100 * high)}]"

    def __str__(self) -> str:
        return " ".join(part for part in self.parts() if part)


Cell = str | Figure


@dataclass(frozen=True)
class Table:
    """One table of the page: its rows are already in the order `order` states; `by` is the ordering column."""

    title: str
    order: str
    headers: list[str]
    rows: list[list[Cell]]
    by: int | None = None


def _figures(entry: Entry, names: tuple[str, ...]) -> list[Cell]:
    return [Figure(entry.estimates.mean.get(name), signed=name == "gap") for name in names]


def _why(entry: Entry) -> str:
    why = explain(entry.standing)
    return why if not entry.verified.partial or entry.standing.apart else f"{entry.coverage}; {why}"


def _tables(board: Leaderboard) -> list[Table]:
    quantities = tuple(HEADERS)
    shown = [HEADERS[name] for name in quantities]
    extra = [AGREEMENT_HEADER] if board.agreement else []
    tables = [
        Table(
            "Ranking",
            "Ordered by composed accuracy, highest first; equal values share a rank and are listed by direct accuracy, "
            "then by the mean accuracy over all five settings.",
            ["rank", "model", *shown[:1], "lead over next", *shown[1:], *extra, "why", "file"],
            [
                [
                    entry.rank_text,
                    entry.label,
                    *_figures(entry, quantities[:1]),
                    Figure(entry.lead, signed=True),
                    *_figures(entry, quantities[1:]),
                    *_agreement(board, entry),
                    _why(entry),
                    entry.verified.path.name,
                ]
                for entry in board.ranked
            ],
            by=2,
        )
    ]
    if board.unranked:
        tables.append(
            Table(
                "Listed apart (verified, not ranked)",
                "Below every ranked entry; ordered by composed accuracy, highest first.",
                ["model", "why not ranked", *shown, *extra, "file"],
                [
                    [
                        entry.label,
                        entry.standing.apart or "",
                        *_figures(entry, quantities),
                        *_agreement(board, entry),
                        entry.verified.path.name,
                    ]
                    for entry in board.unranked
                ],
                by=2,
            )
        )
    if board.pipelines:
        tables.append(
            Table(
                "Pipelines (two models, not ranked)",
                "A pipeline answers step 1 (and direct, CoT, vision) with one model and step 2 (and language) with "
                "another: listed apart from the single models and never ranked among them; ordered by composed "
                "accuracy, highest first.",
                ["pipeline", "step 1 model", "step 2 model", *shown, *extra, "file"],
                [
                    [
                        entry.label,
                        entry.verified.pipeline.step1,
                        entry.verified.pipeline.step2,
                        *_figures(entry, quantities),
                        *_agreement(board, entry),
                        entry.verified.path.name,
                    ]
                    for entry in board.pipelines
                    if entry.verified.pipeline is not None
                ],
                by=3,
            )
        )
    everyone = board.ranked + board.unranked
    by_direct = sorted(everyone, key=lambda entry: (entry.label, entry.verified.path.name))
    by_direct.sort(key=lambda entry: entry.standing.placement()[2:], reverse=True)  # direct, then overall
    direct = [entry.standing.direct for entry in by_direct]
    tables.append(
        Table(
            "By direct accuracy",
            "Who answers the composed questions best in one call, whatever the skills: ordered by direct accuracy, "
            "highest first; equal values share a place.",
            ["#", "model", "direct", "CoT", "cascade", "gap", "composed", "rank"],
            [
                [
                    _place_text(direct, entry.standing.direct),
                    entry.label,
                    *_figures(entry, ("direct", "cot", "cascade", "gap", "composed")),
                    entry.rank_text,
                ]
                for entry in by_direct
            ],
            by=2,
        )
    )
    families = _families(board)
    tables.append(
        Table(
            "Per task family",
            "In the order of the ranking, then the entries listed apart; gap p: exact McNemar test of the gap.",
            ["rank", "model", *(f"{family} {name}" for family in families for name in ("composed", "gap", "gap p"))],
            [
                [entry.rank_text, entry.label, *(cell for family in families for cell in _family_cells(entry, family))]
                for entry in everyone
            ],
        )
    )
    return tables


def _place_text(values: list[float], value: float) -> str:
    number, shared = competition_place(values, value)
    return f"{number}=" if shared else str(number)


def _family_cells(entry: Entry, family: str) -> list[Cell]:
    estimates = entry.estimates.families.get(family)
    if estimates is None:
        return ["—", "—", "—"]
    return [
        Figure(estimates["composed"]),
        Figure(estimates["gap"], signed=True),
        p_text(entry.families[family]["mcnemar_p"]),
    ]


def _legend(board: Leaderboard) -> str:
    params = board.params
    return (
        f"Percentages and points with {100 * params.confidence:.0f}% bootstrap intervals over items "
        f"({params.resamples} resamples, seed {params.seed}; a mean over families averages the families' draws); "
        "flexible score, means over the task families. Every number is recomputed from the submitted raw responses "
        "by the installed scorer; nothing a file claims is used."
    )


def _markdown_table(table: Table) -> str:
    headers = [f"{header} ▼" if index == table.by else header for index, header in enumerate(table.headers)]
    # What came from the submissions (model names, file names) is escaped as the HTML page escapes it, so that a
    # name cannot inject HTML or Markdown into leaderboard.md; the figures are ours.
    rows = [[str(cell) if isinstance(cell, Figure) else markdown_text(cell) for cell in row] for row in table.rows]
    return f"*{table.order}*\n\n" + (markdown_table(rows, headers) if rows else "None.")


def leaderboard_markdown(board: Leaderboard, images: dict[str, str] | None = None) -> str:
    tables = _tables(board)
    parts = ["# lmms-compgap leaderboard", RANKING_RULE, _legend(board)]
    for table in tables:
        parts += [f"## {table.title}", _markdown_table(table)]
    parts += ["## Why this rule", "\n".join(f"- {line}" for line in RATIONALE)]
    parts += ["## Known limits", "\n".join(f"- {line}" for line in LIMITS)]
    parts += ["## Columns", "\n".join(f"- **{name}**: {text}" for name, text in _columns(board))]
    for title, files in (("Rejected files", board.rejected), ("Not verified here", board.not_verified)):
        if files or title == "Rejected files":
            parts += [f"## {title}"]
            listed = "\n".join(f"- {markdown_text(path.name)}: {markdown_text(reason)}" for path, reason in files)
            parts.append(listed or "None.")
    for title, name in (images or {}).items():
        parts.append(f"![{title}]({name})")
    return "\n\n".join(parts) + "\n"


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1500px;padding:0 1em;color:#222;line-height:1.4}"
    ".rule{font-size:16px;max-width:75em}.scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}th,td{border:1px solid #ccc;padding:4px 7px}"
    "caption{text-align:left;font-style:italic;padding:4px 0;color:#444}"
    "th{background:#f0f0f0;vertical-align:bottom}th[aria-sort]{background:#dde8f5}"
    "tr:nth-child(even) td{background:#fafafa}td.num{text-align:right;white-space:nowrap}"
    "td.text{min-width:16em;max-width:30em}.ci{display:block;color:#666;font-size:11px}"
    "img{max-width:100%;display:block;margin:1em 0}code{background:#f3f3f3;padding:1px 3px;white-space:nowrap}"
)


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, Figure):
        value, interval = (html.escape(part) for part in cell.parts())
        return f'<td class="num">{value}<span class="ci">{interval}</span></td>'
    text = html.escape(cell)
    return f'<td class="text">{text}</td>' if len(cell) > 40 else f"<td>{text}</td>"


def _html_table(table: Table) -> str:
    """Every cell escaped; the ordering column's header carries aria-sort and a ▼."""
    headers = "".join(
        f'<th scope="col" aria-sort="descending">{html.escape(header)} ▼</th>'
        if index == table.by
        else f'<th scope="col">{html.escape(header)}</th>'
        for index, header in enumerate(table.headers)
    )
    rows = "".join("<tr>" + "".join(_html_cell(cell) for cell in row) + "</tr>\n" for row in table.rows)
    body = f"<tbody>\n{rows}</tbody>" if rows else ""
    return (
        f'<h2>{html.escape(table.title)}</h2>\n<div class="scroll"><table>'
        f"<caption>{html.escape(table.order)}</caption>\n<thead><tr>{headers}</tr></thead>\n{body}</table></div>"
        + ("" if rows else "<p>None.</p>")
    )


def _prose(text: str) -> str:
    """Our own text, escaped, with command-line options kept on one line."""
    return re.sub(r"(--[a-z][a-z-]*)", r"<code>\1</code>", html.escape(text))


def leaderboard_html(board: Leaderboard, images: dict[str, bytes]) -> str:
    """A self-contained page: every value from a submission is escaped, plots are inline PNGs, no scripts."""
    body = ["<h1>lmms-compgap leaderboard</h1>", f'<p class="rule">{_prose(RANKING_RULE)}</p>']
    body.append(f"<p>{html.escape(_legend(board))}</p>")
    body += [_html_table(table) for table in _tables(board)]
    for title, lines in (("Why this rule", RATIONALE), ("Known limits", LIMITS)):
        body.append(f"<h2>{title}</h2><ul>" + "".join(f"<li>{_prose(line)}</li>" for line in lines) + "</ul>")
    columns = "".join(f"<li><b>{html.escape(name)}</b>: {html.escape(text)}</li>" for name, text in _columns(board))
    body.append(f"<h2>Columns</h2><ul>{columns}</ul>")
    for title, files in (("Rejected files", board.rejected), ("Not verified here", board.not_verified)):
        if files or title == "Rejected files":
            body.append(f"<h2>{title}</h2>")
            items = "".join(
                f"<li><code>{html.escape(plain_text(path.name))}</code>: {html.escape(plain_text(reason))}</li>"
                for path, reason in files
            )
            body.append(f"<ul>{items}</ul>" if items else "<p>None.</p>")
    for title, png in images.items():
        encoded = base64.b64encode(png).decode("ascii")
        body.append(
            f'<h2>{html.escape(title)}</h2><img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}">'
        )
    policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f"<title>lmms-compgap leaderboard</title><style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
