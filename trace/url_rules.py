"""URL rules that write their URL-building code when a URL is first built from them.

Werkzeug compiles two Python functions per rule as the rule is added (``Rule.compile``: an AST
and ``compile()`` each) so that ``url_for`` is fast. With ~170 routes that was about half of
``create_app``'s CPU, paid by every ``tracechain`` command and every gunicorn worker, though a
command builds URLs for a handful of routes, if any. ``LazyBuildRule`` compiles a rule's
builder on its first use instead: matching is unchanged, and a built URL is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"

        def first_use(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            # Two threads may both get here first: each compiles the same function.
            built = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)
            return built(*args, **kwargs)

        return first_use


class TraceFlask(Flask):
    url_rule_class = LazyBuildRule
