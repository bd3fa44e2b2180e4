"""The wizard's free times per local day (balie/services/wizard.py)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from balie.services.slots import Slot
from balie.services.wizard import TimeChoice, group_by_day

BRUSSELS = ZoneInfo("Europe/Brussels")


def _slot(start: datetime) -> Slot:
    """A free half hour from ``start``."""
    return Slot(start, start + timedelta(minutes=30), (1,))


def test_times_are_grouped_per_local_day_with_local_labels_across_a_clock_change() -> None:
    """Labels and days are local (winter and summer time, and a UTC evening that is the next
    local day); the value sent back stays the UTC start."""
    starts = [
        datetime(2026, 3, 28, 8, 0, tzinfo=UTC),  # Saturday 09:00 winter time
        datetime(2026, 3, 28, 23, 5, tzinfo=UTC),  # already Sunday 00:05 in Brussels
        datetime(2026, 3, 30, 7, 30, tzinfo=UTC),  # Monday 09:30 summer time
        datetime(2026, 3, 30, 14, 45, tzinfo=UTC),  # Monday 16:45
    ]
    days = group_by_day([_slot(start) for start in starts], BRUSSELS)
    assert [day.key for day in days] == ["2026-03-28", "2026-03-29", "2026-03-30"]
    assert [[time.label for time in day.times] for day in days] == [
        ["09:00"],
        ["00:05"],
        ["09:30", "16:45"],
    ]
    assert days[2].times[0] == TimeChoice("2026-03-30T07:30:00+00:00", "09:30")
    assert (days[2].label_nl, days[2].long_en) == ("ma 30 maart", "Monday 30 March 2026")
    for day, expected in zip(days, [starts[:1], starts[1:2], starts[2:]], strict=True):
        labels = [start.astimezone(BRUSSELS).strftime("%H:%M") for start in expected]
        assert [time.label for time in day.times] == labels


def test_no_free_times_give_no_days() -> None:
    """Nothing free: nothing to show."""
    assert group_by_day([], BRUSSELS) == []
