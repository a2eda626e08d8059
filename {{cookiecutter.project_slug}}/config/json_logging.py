"""LOG_FORMAT=json: one JSON object per line, for log shippers (Loki, CloudWatch, Datadog…).

A multi-line message or a traceback stays inside its one line, escaped.
"""

import json
import logging
from datetime import UTC, datetime

from config.request_id import NONE


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", NONE)
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": None if request_id == NONE else request_id,
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
