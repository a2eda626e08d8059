"""Jinja filters for the template, loaded by cookiecutter through ``_extensions``.

Standard library only: cookiecutter imports this module with the user's Python.
"""

import json

from jinja2.ext import Extension


def quoted(value: object) -> str:
    """Render a user answer as a double-quoted literal valid in Python and TOML.

    A JSON string is both a Python string literal and a TOML basic string, so quotes,
    backslashes and control characters in a shop name cannot break the generated code;
    ``ensure_ascii=False`` keeps Korean readable instead of ``\\uXXXX`` escapes.
    """
    return json.dumps(str(value), ensure_ascii=False)


class QuotedStringExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["quoted"] = quoted
