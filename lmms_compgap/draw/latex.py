"""Text with LaTeX mathematics drawn as an image: words in a bundled font, formulas typeset by matplotlib's mathtext.

`split_latex` cuts a problem into pieces: words, inline formulas (``$...$``, ``\\(...\\)``), displayed formulas
(``$$...$$``, ``\\[...\\]``, ``align``/``equation``/``gather`` environments, one line per ``\\\\``), Asymptote
figure code (``[asy]...[/asy]``, drawn as its source in the monospaced font: no figure is drawn) and line
breaks. Each formula is rewritten into what mathtext reads (`MATHTEXT_REWRITES`) and typeset; a formula mathtext
cannot typeset (matrices, ``cases``, ``array``, unknown commands) is drawn as its LaTeX source in the monospaced
font instead, and counted. `render_latex` lays the pieces out: words and inline formulas wrap together on a
common baseline, displayed formulas are centred on lines of their own. Same spec and matplotlib version, same
pixels.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import MathTextParser
from PIL import Image, ImageDraw

from lmms_compgap.draw.fonts import load_font, text_width

#: The monospaced font figure code and formulas mathtext cannot typeset are drawn in.
SOURCE_FONT = "DejaVuSansMono"
#: The mathtext font set that goes with each bundled text font (sans with sans, serif with serif).
MATH_FONTSETS: dict[str, str] = {
    "DejaVuSans": "dejavusans",
    "DejaVuSerif": "dejavuserif",
    "DejaVuSansMono": "dejavusans",
    "LiberationSans": "stixsans",
    "LiberationSerif": "stix",
    "NotoSans": "dejavusans",
}
#: LaTeX that mathtext does not read, rewritten into what it does (same appearance, or the nearest one).
MATHTEXT_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\\tfrac(?![A-Za-z])", r"\\frac"),
    (r"\\[dt]binom(?![A-Za-z])", r"\\binom"),
    (r"\\le(?![A-Za-z])", r"\\leq"),
    (r"\\ge(?![A-Za-z])", r"\\geq"),
    (r"\\[lr]vert(?![A-Za-z])", "|"),
    (r"\\[lr]Vert(?![A-Za-z])", r"\\|"),
    (r"\\(?:mbox|textrm|textup)(?![A-Za-z])", r"\\text"),
    (r"\\textbf(?![A-Za-z])", r"\\mathbf"),
    (r"\\(?:textit|emph)(?![A-Za-z])", r"\\mathit"),
    (r"\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![A-Za-z])", ""),
    (r"\\(?:big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])", ""),
    (r"\\pmod\s*\{([^{}]*)\}", r"\\ (\\mathrm{mod}\\ \1)"),
    (r"\\bmod(?![A-Za-z])", r"\\ \\mathrm{mod}\\ "),
    (r"\\implies(?![A-Za-z])", r"\\Rightarrow"),
    (r"\\iff(?![A-Za-z])", r"\\Leftrightarrow"),
    (r"\\(?:hspace|vspace)\*?\s*\{[^{}]*\}", r"\\ "),
)
_REWRITES = tuple((re.compile(pattern), replacement) for pattern, replacement in MATHTEXT_REWRITES)
#: Text-mode LaTeX outside formulas, as a reader sees it.
TEXT_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\\(?:textbf|textit|emph|text|textrm|mbox)\s*\{([^{}]*)\}", r"\1"),
    (r"\\([%&#_{}$])", r"\1"),
    (r"\\(?:qquad|quad)(?![A-Za-z])", " "),
    (r"\\(?:ldots|dots)(?![A-Za-z])", "..."),
    (r"~", " "),
)
_TEXT_REWRITES = tuple((re.compile(pattern), replacement) for pattern, replacement in TEXT_REWRITES)
DISPLAY_ENVIRONMENTS = (
    "align",
    "align*",
    "equation",
    "equation*",
    "gather",
    "gather*",
    "eqnarray",
    "eqnarray*",
    "multline",
    "multline*",
)
#: matplotlib settings that change how formulas look, pinned so that a user's matplotlibrc changes no pixel.
_PINNED_RC = {"text.hinting": "default", "mathtext.default": "it", "mathtext.fallback": "cm"}
_MATHTEXT_LOCK = threading.Lock()
_DISPLAY_FRACTION = re.compile(r"\\frac(?![A-Za-z])")


@dataclass(frozen=True)
class Piece:
    """One piece of a problem: `kind` is "text" (one word), "math" (an inline formula), "display" (a formula on
    a line of its own), "code" (one line of figure code) or "break" (a line break); `glued` means no space
    separates it from the piece before."""

    kind: str
    content: str = ""
    glued: bool = False


def text_mode(text: str) -> str:
    """Text outside formulas as a reader sees it (``\\%`` is %, ``\\textbf{x}`` is x, ``~`` a space)."""
    for regex, replacement in _TEXT_REWRITES:
        text = regex.sub(replacement, text)
    return text


def _words(text: str, pieces: list[Piece]) -> None:
    """Words of a text run; the first is glued to the previous piece when nothing separates them."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if number:
            pieces.append(Piece("break"))
        line = text_mode(line)
        glued = bool(line) and not line[0].isspace() and number == 0
        for word in line.split():
            pieces.append(Piece("text", word, glued))
            glued = False


def _closing(text: str, start: int, token: str) -> int:
    """The index of the next unescaped `token` at or after `start`, or -1."""
    position = text.find(token, start)
    while position > 0 and text[position - 1] == "\\" and token == "$":
        position = text.find(token, position + 1)
    return position


def split_latex(text: str) -> list[Piece]:
    """The pieces of a problem statement (see the module docstring)."""
    pieces: list[Piece] = []
    run: list[str] = []
    index = 0

    def flush() -> None:
        if run:
            _words("".join(run), pieces)
            run.clear()

    while index < len(text):
        rest = text.startswith
        if rest("[asy]", index) and (end := text.find("[/asy]", index)) >= 0:
            flush()
            pieces.extend(Piece("code", line) for line in text[index + 5 : end].strip("\n").split("\n"))
            index = end + 6
        elif (rest("$$", index) and (end := text.find("$$", index + 2)) >= 0) or (
            rest("\\[", index) and (end := text.find("\\]", index + 2)) >= 0
        ):
            flush()
            pieces.append(Piece("display", text[index + 2 : end].strip()))
            index = end + 2
        elif rest("\\begin{", index) and (environment := _display_environment(text, index)) is not None:
            flush()
            name, body, index = environment
            pieces.extend(
                Piece("display", line.replace("&", " ").strip())
                for line in re.split(r"\\\\(?:\[[^\]]*\])?", body)
                if line.strip()
            )
        elif rest("\\$", index):
            run.append("\\$")
            index += 2
        elif text[index] == "$" and (end := _closing(text, index + 1, "$")) > index + 1:
            glued = index > 0 and not text[index - 1].isspace()
            flush()
            pieces.append(Piece("math", text[index + 1 : end].strip(), glued))
            index = end + 1
        elif rest("\\(", index) and (end := text.find("\\)", index + 2)) >= 0:
            glued = index > 0 and not text[index - 1].isspace()
            flush()
            pieces.append(Piece("math", text[index + 2 : end].strip(), glued))
            index = end + 2
        else:
            run.append(text[index])
            index += 1
    flush()
    return pieces


def _display_environment(text: str, index: int) -> tuple[str, str, int] | None:
    for name in DISPLAY_ENVIRONMENTS:
        opening = f"\\begin{{{name}}}"
        if text.startswith(opening, index):
            end = text.find(f"\\end{{{name}}}", index)
            if end >= 0:
                return name, text[index + len(opening) : end], end + len(f"\\end{{{name}}}")
    return None


def mathtext_source(formula: str) -> str:
    """A formula rewritten into what matplotlib's mathtext reads (`MATHTEXT_REWRITES`)."""
    for regex, replacement in _REWRITES:
        formula = regex.sub(replacement, formula)
    return formula


@dataclass(frozen=True)
class _Box:
    """Something drawn on a line: a word (`text`, in `font`) or a typeset formula (`mask`, alpha values)."""

    width: int
    ascent: int
    descent: int
    text: str | None = None
    font: Any = None
    mask: np.ndarray | None = None


def typeset(formula: str, size: int, fontset: str, display: bool = False) -> _Box | None:
    """A formula typeset by mathtext at `size` pixels, or None when mathtext cannot read it. Fractions of a
    displayed formula are set full size, as LaTeX's display style sets them."""
    source = mathtext_source(formula)
    if display:
        source = _DISPLAY_FRACTION.sub(r"\\dfrac", source)
    if not source.strip():
        return None
    properties = FontProperties(size=size, math_fontfamily=fontset)
    with _MATHTEXT_LOCK, matplotlib.rc_context(_PINNED_RC):
        try:
            parsed = MathTextParser("agg").parse(f"${source}$", dpi=72, prop=properties, antialiased=True)
        except (ValueError, RuntimeError, KeyError, IndexError):
            return None
    mask = np.asarray(parsed.image)
    depth = round(parsed.depth)
    return _Box(width=mask.shape[1], ascent=mask.shape[0] - depth, descent=depth, mask=mask)


def _word_box(word: str, font_name: str, size: int) -> _Box:
    font = load_font(font_name, size)
    ascent, descent = font.getmetrics()
    return _Box(width=round(text_width(font_name, size, word)), ascent=ascent, descent=descent, text=word, font=font)


@dataclass
class Layout:
    """The boxes of each line (with their x offsets and whether the line is centred), and what was drawn how."""

    lines: list[list[tuple[int, _Box]]]
    centred: list[bool]
    formulas: int = 0
    display_formulas: int = 0
    fallback_formulas: int = 0
    figure_code_lines: int = 0


def layout_latex(text: str, font: str, size: int, fontset: str, max_width: int) -> Layout:
    """Lines of boxes for `text` (see `render_latex`)."""
    layout = Layout(lines=[], centred=[])
    space = round(text_width(font, size, " "))
    line: list[tuple[int, _Box]] = []
    x = 0

    def end_line(centred: bool = False) -> None:
        nonlocal line, x
        layout.lines.append(line)
        layout.centred.append(centred)
        line, x = [], 0

    previous = "start"
    for piece in split_latex(text):
        after, previous = previous, piece.kind
        if piece.kind == "break":
            # A line break ends a line of words; on an empty line only a second one (a blank line) leaves a gap.
            if line or after == "break":
                end_line()
            continue
        if piece.kind in ("display", "code"):
            if line:
                end_line()
            if piece.kind == "code":
                layout.figure_code_lines += 1
                box = _word_box(piece.content, SOURCE_FONT, max(10, round(size * 0.8)))
            else:
                layout.formulas += 1
                layout.display_formulas += 1
                box = typeset(piece.content, size, fontset, display=True)
                if box is None:
                    layout.fallback_formulas += 1
                    box = _word_box(piece.content, SOURCE_FONT, size)
            line.append((0, box))
            end_line(centred=piece.kind == "display")
            continue
        if piece.kind == "math":
            layout.formulas += 1
            box = typeset(piece.content, size, fontset)
            if box is None:
                layout.fallback_formulas += 1
                box = _word_box(f"${piece.content}$", SOURCE_FONT, size)
        else:
            box = _word_box(piece.content, font, size)
        gap = 0 if (piece.glued or not line) else space
        if line and x + gap + box.width > max_width:
            end_line()
            gap = 0
        line.append((x + gap, box))
        x += gap + box.width
    if line:
        end_line()
    while layout.lines and not layout.lines[-1]:
        layout.lines.pop()
        layout.centred.pop()
    return layout


def render_latex(spec: dict[str, Any]) -> tuple[Image.Image, Layout]:
    """`spec["text"]` (with LaTeX) drawn in `spec["font"]` with formulas in `spec["math_fontset"]` (spec as for
    `lmms_compgap.draw.text.render_text`, plus `math_fontset`), and the layout that says what was drawn how. The
    canvas is `spec["width"]` wide, wider when one formula or figure line is (nothing is cut or shrunk)."""
    size, margin = spec["size"], spec["margin"]
    layout = layout_latex(spec["text"], spec["font"], size, spec["math_fontset"], spec["width"] - 2 * margin)
    minimum_ascent, minimum_descent = load_font(spec["font"], size).getmetrics()
    gap = round(size * (spec["line_spacing"] - 1))
    heights = []
    for line in layout.lines:
        ascent = max([minimum_ascent, *(box.ascent for _, box in line)])
        descent = max([minimum_descent, *(box.descent for _, box in line)])
        heights.append((ascent, descent))
    widest = max([0, *(offset + box.width for line in layout.lines for offset, box in line)])
    width = max(spec["width"], widest + 2 * margin)
    height = 2 * margin + sum(a + d for a, d in heights) + gap * max(0, len(heights) - 1)
    image = Image.new("RGB", (width, max(height, 2 * margin + size)), tuple(spec["background"]))
    pen = ImageDraw.Draw(image)
    ink = Image.new("RGB", image.size, tuple(spec["foreground"]))
    y = margin
    for line, centred, (ascent, descent) in zip(layout.lines, layout.centred, heights, strict=True):
        line_width = max([0, *(offset + box.width for offset, box in line)])
        left = margin + ((width - 2 * margin - line_width) // 2 if centred else 0)
        baseline = y + ascent
        for offset, box in line:
            top = baseline - box.ascent
            if box.mask is not None:
                mask = Image.fromarray(box.mask, mode="L")
                image.paste(ink.crop((0, 0, *mask.size)), (left + offset, top), mask)
            else:
                colour = tuple(spec["foreground"])
                pen.text((left + offset, baseline), box.text, font=box.font, fill=colour, anchor="ls")
        y += ascent + descent + gap
    return image, layout
