#!/usr/bin/env python3
"""Keep Samen's nl and fr catalogues in step with the code.

    python scripts/i18n.py extract   # update samen/<app>/locale/*/django.po from code and templates
    python scripts/i18n.py compile   # write the .mo files (pure Python, no gettext needed)
    python scripts/i18n.py check     # fail if code has strings the catalogues lack (needs xgettext)

Each app keeps its own catalogue, so apps can be worked on apart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SAMEN = ROOT / "samen"
LANGUAGES = ["nl", "fr"]


def apps() -> list[Path]:
    return sorted(p for p in SAMEN.iterdir() if (p / "apps.py").exists())


def makemessages(app_dir: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "samen.settings", "SAMEN_TESTING": "1",
           "PYTHONPATH": str(ROOT)}
    (app_dir / "locale").mkdir(exist_ok=True)
    args = [sys.executable, "-P", "-m", "django", "makemessages", "--no-obsolete", "--no-location",
            "--ignore", "tests/*", "--ignore", "training/*"]
    for lang in LANGUAGES:
        args += ["-l", lang]
    subprocess.run(args, cwd=app_dir, env=env, check=True, capture_output=True)


def has_strings(app_dir: Path) -> bool:
    for path in app_dir.rglob("*"):
        if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="ignore")
            if "gettext" in text or "{% translate" in text or "{% blocktranslate" in text \
                    or "{% trans" in text:
                return True
    return False


def extract() -> None:
    for app in apps():
        if has_strings(app):
            makemessages(app)
            print(f"updated {app.relative_to(ROOT)}/locale")


def compile_all() -> None:
    for po_path in sorted(SAMEN.glob("*/locale/*/LC_MESSAGES/django.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}")


def keys(po_path: Path) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path)) if not e.obsolete}


def check() -> int:
    if not shutil.which("xgettext"):
        print("xgettext (GNU gettext) is needed for this check", file=sys.stderr)
        return 3
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for app in apps():
            if not has_strings(app):
                continue
            copy = Path(tmp) / app.name
            shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
            makemessages(copy)
            for lang in LANGUAGES:
                fresh = copy / "locale" / lang / "LC_MESSAGES" / "django.po"
                committed = app / "locale" / lang / "LC_MESSAGES" / "django.po"
                if not committed.exists():
                    problems.append(f"{committed.relative_to(ROOT)} is missing")
                    continue
                missing = keys(fresh) - keys(committed)
                for _ctxt, msgid in sorted(missing, key=lambda k: k[1])[:20]:
                    problems.append(f"{app.name}/{lang}: not in the catalogue: {msgid!r}")
    for problem in problems:
        print(problem)
    if problems:
        print("Run `python scripts/i18n.py extract`, translate, then `compile`.")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        return check()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
