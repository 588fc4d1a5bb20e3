"""The case deadlines of EU Directive 2019/1937 art. 9(1)(b) and (f): acknowledge a
report within 7 days; give feedback within 3 months of the acknowledgement or, when
none was sent, of the end of those 7 days. The one place these dates are computed
(the queue, the case page, reminders and statistics all call it).

Plain Python on plain values; the periods come from configuration
(ELEARN_CONCERN_ACK_DAYS, ELEARN_CONCERN_FEEDBACK_MONTHS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..months import add_months


@dataclass(frozen=True)
class Periods:
    ack_days: int = 7
    feedback_months: int = 3

    @classmethod
    def from_config(cls, config) -> Periods:
        return cls(config["ELEARN_CONCERN_ACK_DAYS"], config["ELEARN_CONCERN_FEEDBACK_MONTHS"])


def ack_due(received_at: datetime, periods: Periods) -> datetime:
    return received_at + timedelta(days=periods.ack_days)


def feedback_due(received_at: datetime, acknowledged_at: datetime | None, periods: Periods) -> datetime:
    return add_months(acknowledged_at or ack_due(received_at, periods), periods.feedback_months)


def next_due(
    received_at: datetime,
    acknowledged_at: datetime | None,
    feedback_at: datetime | None,
    closed: bool,
    periods: Periods,
) -> datetime | None:
    """The deadline still open: acknowledgement first, then feedback; None when both are
    met or the case is closed."""
    if closed:
        return None
    if acknowledged_at is None:
        return ack_due(received_at, periods)
    if feedback_at is None:
        return feedback_due(received_at, acknowledged_at, periods)
    return None
