"""Where the settings get their values: the process environment, and `.env` only when asked.

`.env` is a development file. Development settings read it (config/settings/local.py);
production reads it only with DJANGO_READ_DOT_ENV_FILE=True in the process environment, so a
development `.env` left on a server cannot quietly fill in what production forgot.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

DOT_ENV = Path(__file__).resolve().parents[1] / ".env"


class VariableError(ImproperlyConfigured):
    """An environment variable keeps the shop from starting; the message says what to do.
    manage.py prints it as one sentence instead of a traceback."""


class MissingVariable(VariableError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"{name} is not set, so the shop refuses to start. Set {name} in the process "
            "environment (README.md, 'Environment variables', says what it holds). "
            "Production does not read .env unless DJANGO_READ_DOT_ENV_FILE=True is set."
        )


class InvalidVariable(VariableError):
    def __init__(self, name: str, value: str, expected: str):
        self.name = name
        super().__init__(
            f"{name} is {value!r}, so the shop refuses to start. Set {name} to {expected}."
        )


class Env(environ.Env):
    """django-environ's Env, with a missing variable reported as MissingVariable."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        if default is self.NOTSET and f"{self.prefix}{var}" not in self.ENVIRON:
            raise MissingVariable(f"{self.prefix}{var}")
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)

    def fraction(self, var: str, default: float) -> float:
        """A number from 0 to 1, e.g. a sampling rate."""
        value = self.str(var, default=str(default))
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not 0.0 <= number <= 1.0:
            raise InvalidVariable(var, value, "a number from 0 to 1, e.g. 0.1")
        return number

    def choice(self, var: str, choices: tuple[str, ...], default: str) -> str:
        """One of `choices`; anything else stops the start (a typo must not go unnoticed)."""
        value = self.str(var, default=default)
        if value not in choices:
            raise InvalidVariable(var, value, " or ".join(choices))
        return value


env = Env()


def read_dot_env() -> None:
    """Fill the process environment from .env when it exists; variables already set win."""
    if DOT_ENV.is_file():
        env.read_env(DOT_ENV)
