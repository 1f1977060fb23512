"""The ``samen`` command: the few things people run, with clear messages.

Anything not listed here is passed to Django's management commands, so ``samen migrate`` and
``samen createsuperuser`` work too.
"""

from __future__ import annotations

import os
import sys

COMMANDS = [
    ("demo", "Install the demo organisation (once) and start Samen with a worker on "
             "http://127.0.0.1:8000."),
    ("serve", "Start the web server for production (gunicorn); needs SAMEN_SECRET_KEY."),
    ("worker", "Run background tasks (database queue, or Redis with SAMEN_REDIS_URL)."),
    ("listen", "Follow every configured source and store new posts."),
    ("import", "Import an archive file: samen import FILE --format FORMAT."),
    ("eval", "Measure understanding on your own data: samen eval "
             "sentiment|language|intent|trends --input FILE.tsv."),
    ("rules", "Try a listening rule against stored posts: samen rules test \"QUERY\"."),
    ("privacy_guides", "Load the starting privacy-settings guides (adds only missing ones)."),
    ("forget_click_data", "Drop the daily salts and visitor hashes of tracked links (daily)."),
    ("insights_weekly_report", "Send the weekly PDF report to its subscribers (weekly)."),
    ("insights_rebuild", "Recompute the daily numbers behind the dashboards."),
    ("migrate", "Bring the database up to date."),
    ("check", "Check the configuration."),
]

# Processes that run the ingest path for a long time: their garbage collector is tuned for it
# (samen.core.runtime). Only here, at the process's entry, never for a command called inside
# another process (tests, the demo's web server).
STREAM_COMMANDS = frozenset({"worker", "listen", "import"})

HELP = "usage: samen COMMAND [options]\n\nCommands:\n" + "\n".join(
    f"  {name:<8} {text}" for name, text in COMMANDS
) + (
    "\n\nRun `samen COMMAND --help` for a command's options. Other Django management commands"
    "\nwork too (`samen help` lists them). Configuration: see docs/configuration.md.\n"
)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(HELP)
        return 0 if args else 2
    if args[0] == "--version":
        from importlib.metadata import version

        print(f"samen {version('samen')}")
        return 0
    command = args[0]
    if command == "eval":
        # Pure Python: no database needed to evaluate a file.
        try:
            from samen.understanding.evaluate import main as eval_main
        except ImportError:
            print("samen eval is not available in this installation.", file=sys.stderr)
            return 2
        return int(eval_main(args[1:]) or 0)
    if command == "demo":
        os.environ["SAMEN_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        if command in STREAM_COMMANDS:
            import django

            from samen.core.runtime import tune_for_streaming

            django.setup()
            tune_for_streaming()
        execute_from_command_line(["samen", *args])
    except ImproperlyConfigured as exc:
        print(f"samen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
