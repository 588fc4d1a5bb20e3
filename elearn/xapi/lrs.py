"""Sending statements to a Learning Record Store (xAPI 1.0.3, Basic auth)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request


class LrsError(Exception):
    pass


def send(statements: list[dict], endpoint: str, username: str, password: str, timeout: float = 10) -> int:
    """POST in batches; ids are deterministic, so a 409 (already stored) counts as sent."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    sent = 0
    for start in range(0, len(statements), 100):
        batch = statements[start : start + 100]
        request = urllib.request.Request(
            endpoint.rstrip("/") + "/statements",
            data=json.dumps(batch).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Basic {auth}",
                "X-Experience-API-Version": "1.0.3",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code != 409:
                raise LrsError(f"LRS answered {exc.code}") from exc
        except OSError as exc:
            raise LrsError(f"LRS unreachable: {exc}") from exc
        sent += len(batch)
    return sent
