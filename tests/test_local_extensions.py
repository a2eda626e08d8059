import ast
import tomllib

import pytest

from local_extensions import python_string, toml_string

AWKWARD = [
    "plain",
    "Kim's shop",
    'say "hi"',
    'Kim\'s "Best" Shop \\ Co',
    "back\\slash\\",
    "new\nline\ttab",
    "김씨네 가게",
    '"\'"\'\\"',
]


@pytest.mark.parametrize("value", AWKWARD)
def test_python_string_round_trips_any_text(value):
    assert ast.literal_eval(python_string(value)) == value


@pytest.mark.parametrize("value", AWKWARD)
def test_toml_string_round_trips_any_text(value):
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value


def test_python_string_prefers_double_quotes_like_ruff():
    assert python_string("Kim's shop") == '"Kim\'s shop"'
    assert python_string('say "hi"') == "'say \"hi\"'"
    assert python_string("김씨네 가게") == '"김씨네 가게"'
