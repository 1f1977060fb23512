"""Lay out a report as PDF with fpdf2 (pure Python, ADR 0241). No Django import: the
caller hands over text already translated and charts already rendered as SVG.

Charts go in as vector drawings (fpdf2 draws our SVG), each followed by its data table, so a
reader of the PDF gets the same numbers as on screen.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

# Fira Sans (OFL-1.1, from the fontpkg-fira-sans dependency, ADR 0245): static TTF files
# covering Latin with all its accents (Polish, Turkish, Czech, ...), Greek, Cyrillic and
# Vietnamese, so names and quoted posts print as written. Embedded as a subset.
FAMILY = "Fira Sans"
_FILES = {"": "FiraSans-Regular.ttf", "B": "FiraSans-Bold.ttf", "I": "FiraSans-Italic.ttf"}
# Characters the font lacks that have a plain stand-in; anything else it lacks (emoji, other
# scripts) becomes "?", and emoji modifiers and joiners disappear.
_REPLACEMENTS = {"\u2713": "v", "\u2714": "v", "\u2717": "x", "\u2718": "x", "\u2605": "*",
                 "\u2606": "*", "\u2764": "<3", "\u00a0": " ", "\u202f": " "}


def font_path(style: str = "") -> Path:
    return Path(str(resources.files("fontpkg_fira_sans") / "files" / _FILES[style]))


@cache
def _covered() -> frozenset[int]:
    return frozenset(TTFont(font_path(), lazy=True).getBestCmap())


def printable(text: str) -> str:
    """``text`` with every character the font cannot draw replaced (an emoji becomes "?",
    its skin tone and joiners disappear), so the PDF never shows an empty box."""
    covered = _covered()
    out = []
    for ch in text:
        if ord(ch) in covered:
            out.append(ch)
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf", "Sk") or 0xFE00 <= ord(ch) <= 0xFE0F \
                or 0x1F3FB <= ord(ch) <= 0x1F3FF:
            continue  # joiners, variation selectors, skin tones: part of an emoji
        else:
            out.append("?")
    return "".join(out)


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    svg: str = ""
    table_caption: str = ""
    table_header: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    footer: str
    language: str
    headlines: list[tuple[str, str, str]] = field(default_factory=list)  # label, value, change
    headlines_heading: str = ""
    sections: list[Section] = field(default_factory=list)


_SVG_META = re.compile(r"<(title|desc)\b[^>]*>.*?</\1>", re.S)
_SVG_FONT = re.compile(r'font-family="[^"]*"')


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, printable(f"{self.footer_text} – {self.page_no()}/{{nb}}"),
                  align="C")


def render(report: Report) -> bytes:
    logging.getLogger("fpdf.svg").setLevel(logging.ERROR)
    # fontTools logs every step of subsetting the embedded font at INFO: noise, and slow.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = _Document(format="A4")
    for style in _FILES:
        pdf.add_font(FAMILY, style, font_path(style))
    pdf.footer_text = report.footer
    pdf.set_title(printable(report.title))
    pdf.set_lang(report.language)
    pdf.set_creator("Samen")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(31, 31, 31)
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(width, 9, printable(report.title))
    pdf.set_font(FAMILY, size=11)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 6, printable(report.subtitle))
    pdf.set_text_color(31, 31, 31)
    pdf.ln(3)
    if report.headlines:
        _heading(pdf, report.headlines_heading, width)
        pdf.set_font(FAMILY, size=10)
        col = [width * 0.55, width * 0.2, width * 0.25]
        for label, value, change in report.headlines:
            pdf.set_font(FAMILY, size=10)
            pdf.cell(col[0], 6, printable(label)[:70], border="B")
            pdf.set_font(FAMILY, "B", 10)
            pdf.cell(col[1], 6, printable(value), border="B", align="R")
            pdf.set_font(FAMILY, size=10)
            pdf.cell(col[2], 6, printable(change), border="B", align="R",
                     new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for section in report.sections:
        _section(pdf, section, width)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, width: float) -> None:
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    pdf.ln(2)
    pdf.multi_cell(width, 7, printable(text))
    pdf.set_font(FAMILY, size=10)


def _section(pdf: FPDF, section: Section, width: float) -> None:
    _heading(pdf, section.heading, width)
    for p in section.paragraphs:
        pdf.multi_cell(width, 5, printable(p))
        pdf.ln(1)
    for b in section.bullets:
        pdf.multi_cell(width, 5, printable("- " + b))
    if section.svg:
        size = re.search(r'width="(\d+)" height="(\d+)"', section.svg)
        height = width * (int(size.group(2)) / int(size.group(1)) if size else 0.5)
        if pdf.get_y() + height > pdf.h - 20:
            pdf.add_page()
        svg = _SVG_FONT.sub(f'font-family="{FAMILY}"', printable(_SVG_META.sub("", section.svg)))
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=pdf.l_margin, y=pdf.get_y(), w=width)
        pdf.set_y(pdf.get_y() + height + 2)
    if section.table_header:
        pdf.set_font(FAMILY, "I", 9)
        pdf.multi_cell(width, 5, printable(section.table_caption))
        n = len(section.table_header)
        first = width * (0.4 if n > 2 else 0.6)
        other = (width - first) / max(n - 1, 1)
        widths = [first] + [other] * (n - 1)
        pdf.set_font(FAMILY, "B", 8)
        for w, h in zip(widths, section.table_header, strict=True):
            pdf.cell(w, 5, printable(h)[:40], border="B", align="L" if w == first else "R")
        pdf.ln()
        pdf.set_font(FAMILY, size=8)
        for row in section.table_rows:
            for i, (w, cell) in enumerate(zip(widths, row, strict=True)):
                pdf.cell(w, 4.5, printable(cell)[:60], align="L" if i == 0 else "R")
            pdf.ln()
        pdf.ln(2)
