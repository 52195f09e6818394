"""Keep API tokens out of logs: the compatible API still accepts `?token=`, and request lines carry it."""

from __future__ import annotations

import logging
import re

TOKEN_IN_QUERY = re.compile(r"(?i)((?:\?|&|%3F|%26|\b)token=)[^&\s\"'#]*")
MASK = "***"


def mask_tokens(text: str) -> str:
    return TOKEN_IN_QUERY.sub(lambda m: m.group(1) + MASK, text)


class MaskTokens(logging.Filter):
    """Replaces the value of every `token=` in the record's message; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message.lower():
            record.msg = mask_tokens(message)
            record.args = ()
        return True
