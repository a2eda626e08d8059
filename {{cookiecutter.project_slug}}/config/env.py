"""Where the settings get their values: the process environment, and `.env` only when asked.

`.env` is a development file. Development settings read it (config/settings/local.py);
production reads it only with DJANGO_READ_DOT_ENV_FILE=True in the process environment, so a
development `.env` left on a server cannot quietly fill in what production forgot.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

DOT_ENV = Path(__file__).resolve().parents[1] / ".env"

# What the refusals point to, and the examples they give.
WHERE_IT_IS_EXPLAINED = "(README.md, 'Environment variables', says what it holds)"
WHOLE_NUMBER = "a whole number, e.g. 120"
DATABASE_URL_EXAMPLE = (
    "a database URL, e.g. postgres://user:password@127.0.0.1:5432/shop or sqlite:///db.sqlite3"
)
EMAIL_URL_EXAMPLE = (
    "an email URL, e.g. smtp+tls://user:password@smtp.example.com:587 or consolemail://"
)
# A URL's password, which an error message (and the log it lands in) must not show.
URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class VariableError(ImproperlyConfigured):
    """An environment variable keeps the shop from starting; the message says what to do.
    manage.py prints it as one sentence instead of a traceback."""

    def __init__(self, name: str, what_is_wrong: str, what_to_do: str):
        self.name = name
        super().__init__(f"{name} {what_is_wrong}, so the shop refuses to start. {what_to_do}")


class MissingVariable(VariableError):
    def __init__(self, name: str):
        super().__init__(
            name,
            "is not set",
            f"Set {name} in the process environment {WHERE_IT_IS_EXPLAINED}. "
            "Production does not read .env unless DJANGO_READ_DOT_ENV_FILE=True is set.",
        )


class EmptyVariable(VariableError):
    def __init__(self, name: str):
        super().__init__(name, "is set but empty", f"Give {name} a value {WHERE_IT_IS_EXPLAINED}.")


class InvalidVariable(VariableError):
    def __init__(self, name: str, value: str, expected: str):
        shown = URL_PASSWORD.sub(r"\1***@", value)  # a URL's password stays out of the logs
        super().__init__(name, f"is {shown!r}", f"Set {name} to {expected}.")


class Env(environ.Env):
    """django-environ's Env, with what keeps the shop from starting said in one sentence: a
    required variable that is missing (MissingVariable) or empty (EmptyVariable: an empty
    DJANGO_SECRET_KEY or DATABASE_URL would otherwise start and fail at the first request), a
    number or a URL that cannot be one (InvalidVariable)."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        name = f"{self.prefix}{var}"
        if default is self.NOTSET:
            if name not in self.ENVIRON:
                raise MissingVariable(name)
            if not self.ENVIRON[name].strip():
                raise EmptyVariable(name)
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ValueError:  # int("ten"): what was meant cannot be guessed
            expected = WHOLE_NUMBER if cast is int else f"a value {WHERE_IT_IS_EXPLAINED}"
            raise InvalidVariable(name, self.ENVIRON.get(name, ""), expected) from None

    def may_be_empty(self, var: str) -> str:
        """Required, though empty is a choice (an empty DSN runs without the error reporter, on
        purpose): a typo in the name still stops the start."""
        if f"{self.prefix}{var}" not in self.ENVIRON:
            raise MissingVariable(f"{self.prefix}{var}")
        return self.str(var, default="").strip()

    def db_url(self, var="DATABASE_URL", default=environ.Env.NOTSET, engine=None) -> dict:
        """A database URL; set but empty, it counts as unset (the default where there is one).
        django-environ would read "postgress://…" as a backend of that name and
        "sqlite://db.sqlite3" (two slashes) as an in-memory database: the first query, or the
        first restart, would tell. Both stop the start here."""
        value = self._url(var, default)
        scheme, _, rest = value.partition("://")
        host = rest.split("/", 1)[0]
        known = engine is not None or scheme in self.DB_SCHEMES
        a_file = not scheme.startswith("sqlite") or host in ("", ":memory:")
        try:
            if known and a_file:
                return self.db_url_config(value, engine=engine)
        except ValueError:  # a port that is not a number
            pass
        raise InvalidVariable(f"{self.prefix}{var}", value, DATABASE_URL_EXAMPLE)

    db = db_url

    def mail_url(self, var: str, default=environ.Env.NOTSET) -> str:
        """An email URL (config/mail.py reads it); set but empty, it counts as unset."""
        value = self._url(var, default)
        try:
            self.email_url_config(value)
        except (ImproperlyConfigured, ValueError):  # an unknown scheme, a port not a number
            raise InvalidVariable(f"{self.prefix}{var}", value, EMAIL_URL_EXAMPLE) from None
        return value

    def _url(self, var: str, default) -> str:
        if default is not self.NOTSET and not self.ENVIRON.get(f"{self.prefix}{var}", "").strip():
            return default
        return self.str(var, default=default)

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
