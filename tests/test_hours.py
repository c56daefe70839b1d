"""Follow-up times: within the brand's working hours, on the hour, said as people say them."""

from datetime import datetime

import pytest

from assistant.hours import follow_up_due, is_within_hours, spoken_due
from assistant.models import BrandProfile, WorkingHours

MSK = "+03:00"


def profile(hours: dict[str, str], response_hours: int) -> BrandProfile:
    return BrandProfile.model_validate(
        {
            "id": "demo",
            "name": "Demo",
            "audience": "-",
            "response_time_hours": response_hours,
            "working_hours": hours,
            "contact_channels": [{"id": "chat", "label": {"ru": "чат"}, "value": "чат", "kind": "in_platform"}],
        }
    )


DAILY = profile({"daily": "09:00-22:00"}, 2)
WEEKDAYS = profile({"mon-fri": "09:00-20:00", "sat": "10:00-17:00"}, 24)


@pytest.mark.parametrize(
    ("brand", "now", "due", "spoken"),
    [
        (DAILY, "2026-12-05T10:15", "2026-12-05T13:00", "сегодня до 13:00"),  # rounded up to the hour
        (DAILY, "2026-12-05T21:10", "2026-12-06T12:00", "завтра до 12:00"),  # past closing: the next morning
        (DAILY, "2026-12-07T02:00", "2026-12-07T12:00", "сегодня до 12:00"),  # at night: this morning
        (WEEKDAYS, "2026-12-05T10:15", "2026-12-07T12:00", "в понедельник до 12:00"),  # Sunday is closed
        (WEEKDAYS, "2026-12-02T15:00", "2026-12-03T15:00", "завтра до 15:00"),
    ],
)
def test_due_falls_in_working_hours_and_reads_naturally(brand, now, due, spoken):
    written = datetime.fromisoformat(now + MSK)
    got = follow_up_due(written, brand)
    assert got == datetime.fromisoformat(due + MSK)
    assert is_within_hours(got, brand)
    assert spoken_due(got, written, brand.timezone, "ru") == spoken


def test_english_clock_words():
    written = datetime.fromisoformat("2026-12-05T21:10" + MSK)
    assert spoken_due(follow_up_due(written, DAILY), written, DAILY.timezone, "en") == "tomorrow by noon"
    evening = datetime.fromisoformat("2026-12-05T18:00" + MSK)
    assert spoken_due(evening, written, DAILY.timezone, "en") == "today by 6 pm"


@pytest.mark.parametrize("days", [{"mon-fri": "20:00-09:00"}, {"weekdays": "09:00-18:00"}, {"mon": "9-18"}])
def test_bad_working_hours_are_refused(days):
    with pytest.raises(ValueError):
        WorkingHours.model_validate(days)


def test_outside_hours_is_detected():
    assert not is_within_hours(datetime.fromisoformat("2026-12-06T12:00" + MSK), WEEKDAYS)  # a Sunday
    assert not is_within_hours(datetime.fromisoformat("2026-12-05T23:30" + MSK), DAILY)
