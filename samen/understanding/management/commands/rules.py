"""``samen rules test "<query>" [--last N]``: try a listening rule on the stored posts.

Parses the rule, shows a bad rule's error with a marker under the place, and lists the
matches among the last N posts received, so a rule can be tried before it is saved.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from samen.understanding import selectors
from samen.understanding.postviews import view_of
from samen.understanding.rules import RuleSyntaxError, evaluate, format_error, parse


class Command(BaseCommand):
    help = "Try a listening rule: check it and list its matches among the latest posts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="check a rule and list its matches")
        test.add_argument("query", help='the rule, e.g. "(afval OR vuilnis) AND lang:nl"')
        test.add_argument("--last", type=int, default=1000,
                          help="how many of the latest posts to look through (default 1000)")
        test.add_argument("--show", type=int, default=20,
                          help="how many matching posts to print (default 20)")
        test.add_argument("--language", default="",
                          help="language of the messages: nl, fr or en (default: settings)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["last"] < 1:
            raise CommandError(_("--last must be at least 1."))
        language = options["language"] or translation.get_language() or "en"
        with translation.override(language):
            self._test(options["query"], last=options["last"], show=options["show"],
                       language=language)

    def _test(self, query: str, *, last: int, show: int, language: str) -> None:
        try:
            node = parse(query)
        except RuleSyntaxError as err:
            self.stderr.write(format_error(err, language))
            self.stderr.write("  " + query)
            self.stderr.write("  " + " " * max(err.column - 1, 0) + "^")
            raise CommandError(_("The rule is not valid.")) from err
        self.stdout.write(_("Understood as: %(rule)s") % {"rule": node})
        posts = selectors.recent_posts(last)
        hits = [p for p in posts if evaluate(node, view_of(p))]
        for post in hits[:show]:
            text = " ".join(post.text.split())
            if len(text) > 160:
                text = text[:159] + "…"
            self.stdout.write(f"{post.created_at:%Y-%m-%d %H:%M}  {post.author_handle}  {text}")
        self.stdout.write(_("%(hits)s of the last %(posts)s posts match.") % {
            "hits": len(hits), "posts": len(posts)})
