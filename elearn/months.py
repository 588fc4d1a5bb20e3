"""Calendar months: the one way dates move by months (recertification, monthly reports,
the feedback deadline of a concern)."""

from __future__ import annotations

import calendar
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or that month's last day when it is shorter
    (31 May + 1 = 30 June; 30 November + 3 = 28 or 29 February)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
