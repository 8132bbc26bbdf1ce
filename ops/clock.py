"""Ages of backups, in hours, against one clock."""
from __future__ import annotations

from datetime import datetime, timezone

MAX_BACKUP_AGE_HOURS = 26  # a daily backup plus two hours of slack (issue 16)


def now() -> datetime:
    return datetime.now(timezone.utc)


def age_hours(moment: datetime, at: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round((at - moment).total_seconds() / 3600, 1)
