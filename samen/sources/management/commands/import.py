"""``samen import FILE --format FORMAT``: bring an archive in, idempotently, with progress."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from samen.sources.imports.common import ImportProblem
from samen.sources.imports.formats import FORMATS, read_import
from samen.sources.ingest import store_batch
from samen.sources.models import Account
from samen.sources.types import NormalizedPost

BATCH = 1000


class Command(BaseCommand):
    help = _("Import an archive file: Mastodon outbox, Bluesky CAR, X tweets.js, CSV or JSONL.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=sorted(FORMATS),
                            help=_("What the file is."))
        parser.add_argument("--mapping", default="",
                            help=_("CSV/JSONL columns, e.g. text=body,created_at=date,author=user"))
        parser.add_argument("--handle", default="",
                            help=_("The archive owner's handle (X archives without account.js)."))
        parser.add_argument("--dataset", default="",
                            help=_("Name for CSV/JSONL rows' ids (default: the file name)."))
        parser.add_argument("--account", type=int, default=None,
                            help=_("Id of the Samen account these posts belong to."))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        account = None
        if options["account"] is not None:
            account = Account.objects.filter(pk=options["account"]).first()
            if account is None:
                raise CommandError(_("No account with id %(id)s") % {"id": options["account"]})
        try:
            items = read_import(path, options["format"], mapping=options["mapping"],
                                handle=options["handle"], dataset=options["dataset"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # rich writes to the streams under Django's wrappers (which would add line endings).
        console = Console(file=cast(IO[str], self.stdout._out), stderr=False)
        errors = Console(file=cast(IO[str], self.stderr._out))
        created = duplicates = updated = bad = 0
        pending: list[NormalizedPost] = []

        def flush() -> None:
            nonlocal created, duplicates, updated
            if pending:
                result = store_batch(posts=pending, account=account)
                created += result.created
                duplicates += result.duplicates
                updated += result.updated
                pending.clear()

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed} items"), TimeElapsedColumn(),
                      console=console, transient=False) as progress:
            task = progress.add_task(_("Importing %(name)s") % {"name": path.name}, total=None)
            for number, item in items:
                if isinstance(item, ImportProblem):
                    bad += 1
                    where = _("line %(n)s") % {"n": number} if number else _("file")
                    errors.print(f"{path.name}: {where}: {item.reason}", markup=False,
                                 highlight=False)
                else:
                    pending.append(item)
                    if len(pending) >= BATCH:
                        flush()
                progress.advance(task)
            flush()
        self.stdout.write(_("%(created)s new, %(dup)s already there, %(updated)s updated, "
                            "%(bad)s bad line(s) skipped.") %
                          {"created": created, "dup": duplicates, "updated": updated,
                           "bad": bad})
