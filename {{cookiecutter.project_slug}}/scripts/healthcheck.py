"""Exit 0 when this machine's gunicorn answers /healthz with 200, 1 otherwise.

The container's HEALTHCHECK (Dockerfile) runs it: Python's standard library only, no curl in
the image. It asks the address gunicorn listens on (GUNICORN_BIND) with the first host name of
DJANGO_ALLOWED_HOSTS, since Django answers any other Host with 400.
"""

import os
import sys
from http.client import HTTPConnection

TIMEOUT_SECONDS = 4


def target(environ) -> tuple[str, int, str]:
    """(address, port, Host header) for a request to this machine's gunicorn."""
    host, _, port = environ.get("GUNICORN_BIND", "0.0.0.0:8000").rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 (listening everywhere: ask loopback)
        host = "127.0.0.1"
    allowed = environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")[0].strip()
    # ".example.com" allows every subdomain; "*" or nothing allows any name.
    host_header = allowed.lstrip(".") if allowed not in ("", "*") else "localhost"
    return host.strip("[]"), int(port), host_header


def main() -> int:
    if os.environ.get("GUNICORN_BIND", "").startswith("unix:"):
        print(
            "healthcheck: GUNICORN_BIND is a unix socket; check through the proxy", file=sys.stderr
        )
        return 1
    address, port, host_header = target(os.environ)
    connection = HTTPConnection(address, port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/healthz", headers={"Host": host_header})
        status = connection.getresponse().status
    except OSError as error:
        print(f"healthcheck: {address}:{port} does not answer: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthcheck: /healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
