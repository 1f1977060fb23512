"""Listening rules: a small search language for comms people, compiled for stream speed.

``parse`` reads a rule, ``RuleSet`` checks thousands of rules against each post,
``view_from_post`` turns a normalized post plus enrichment into what rules look at, and
``format_error`` explains a bad rule in nl, fr or en. Pure Python, no Django import.
"""

from samen.understanding.rules.errors import RuleSyntaxError, format_error
from samen.understanding.rules.match import RuleSet, evaluate, matches
from samen.understanding.rules.parser import parse
from samen.understanding.rules.view import PostView, view_from_post, view_from_text

__all__ = [
    "PostView",
    "RuleSet",
    "RuleSyntaxError",
    "evaluate",
    "format_error",
    "matches",
    "parse",
    "view_from_post",
    "view_from_text",
]
