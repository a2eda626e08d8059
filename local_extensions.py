"""Jinja filters for the template, loaded by cookiecutter through ``_extensions``.

Standard library only: cookiecutter imports this module with the user's Python. User
answers enter generated code only through these filters, so quotes, backslashes and
control characters in a shop name cannot break a Python or TOML file.
"""

import json
import re

from jinja2.ext import Extension

_JSON_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def toml_string(value: object) -> str:
    """A TOML basic string. JSON strings are valid TOML basic strings; ``ensure_ascii=False``
    keeps Korean readable instead of ``\\uXXXX`` escapes."""
    return json.dumps(str(value), ensure_ascii=False)


def python_string(value: object) -> str:
    """A Python string literal quoted the way ``ruff format`` would leave it: double quotes,
    unless single quotes need fewer escapes (so the generated code is already formatted)."""
    text = str(value)
    double_quoted = json.dumps(text, ensure_ascii=False)
    if text.count('"') <= text.count("'"):
        return double_quoted
    body = _JSON_ESCAPE.sub(
        lambda m: m.group(1) if m.group(1) == '"' else m.group(0), double_quoted[1:-1]
    )
    return "'" + body.replace("'", "\\'") + "'"


class QuotedStringExtension(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["toml_string"] = toml_string
        environment.filters["python_string"] = python_string
