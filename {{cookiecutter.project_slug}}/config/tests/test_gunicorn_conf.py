"""gunicorn.conf.py: its defaults are what the README says, and the environment overrides them."""

import multiprocessing
import os
import runpy
from pathlib import Path

from django.conf import settings

from easypay.services import conf as services_conf

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
GUNICORN_VARIABLES = (
    "GUNICORN_BIND",
    "WEB_CONCURRENCY",
    "GUNICORN_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "GUNICORN_FORWARDED_ALLOW_IPS",
    "GUNICORN_CONTROL_SOCKET",
    "LOG_FORMAT",
)


def load_conf(monkeypatch, **env) -> dict:
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_the_defaults_are_the_documented_ones(monkeypatch):
    conf = load_conf(monkeypatch)

    assert conf["wsgi_app"] == "config.wsgi:application"
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    assert conf["accesslog"] == "-"


def test_a_worker_outlives_the_longest_chain_of_easypay_calls_a_request_makes(monkeypatch):
    # gunicorn must never kill a worker still waiting for KICC's answer about money: the
    # window's return approves, then may void (docs/payment-lifecycle.md, rules 1 and 4).
    conf = load_conf(monkeypatch)

    longest_return = services_conf.longest_return().total_seconds()
    budget = services_conf.request_budget().total_seconds()
    assert longest_return <= budget < conf["timeout"]
    assert conf["graceful_timeout"] >= conf["timeout"]


def test_the_request_budget_follows_the_gunicorn_timeout():
    # base.py reads GUNICORN_TIMEOUT too: the two cannot drift apart.
    assert (
        settings.EASYPAY_REQUEST_BUDGET.total_seconds()
        == int(os.environ.get("GUNICORN_TIMEOUT", "120")) - 15
    )


def test_the_environment_overrides_every_setting(monkeypatch):
    conf = load_conf(
        monkeypatch,
        GUNICORN_BIND="127.0.0.1:9000",
        WEB_CONCURRENCY="2",
        GUNICORN_TIMEOUT="90",
        GUNICORN_MAX_REQUESTS="50",
        GUNICORN_MAX_REQUESTS_JITTER="5",
        GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.1",
    )

    assert conf["bind"] == "127.0.0.1:9000"
    assert conf["workers"] == 2
    assert conf["timeout"] == 90
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (50, 5)
    assert conf["forwarded_allow_ips"] == "10.0.0.1"


def test_the_control_socket_is_off_unless_given_a_path_of_the_shops_own(monkeypatch):
    # gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared by every gunicorn of the user.
    default = load_conf(monkeypatch)
    own = load_conf(monkeypatch, GUNICORN_CONTROL_SOCKET="/run/shop/gunicorn.ctl")

    assert default["control_socket_disable"] is True
    assert own["control_socket_disable"] is False
    assert own["control_socket"] == "/run/shop/gunicorn.ctl"


def test_the_access_line_ends_with_the_request_id_of_the_response(monkeypatch):
    conf = load_conf(monkeypatch)

    assert conf["access_log_format"].endswith(" %({x-request-id}o)s")
    assert "logconfig_dict" not in conf  # text: gunicorn's own format


def test_json_logs_make_gunicorns_lines_json_too(monkeypatch):
    conf = load_conf(monkeypatch, LOG_FORMAT="json")

    logging_config = conf["logconfig_dict"]
    assert logging_config["formatters"]["json"]["()"] == "config.json_logging.JsonFormatter"
    for name in ("gunicorn.error", "gunicorn.access"):
        assert logging_config["loggers"][name]["handlers"] == ["console"]
        assert logging_config["loggers"][name]["propagate"] is False  # printed once
    assert logging_config["handlers"]["console"]["filters"] == ["request_id"]
