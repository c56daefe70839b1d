"""When a reply promises to come back: within the brand's working hours, said as people say it.

A case is due the brand's response time after it opens, moved into working hours (a
promise made at 23:00 is kept the next morning, not at 01:00) and rounded up to the hour;
the reply says «сегодня до 18:00», «завтра до 12:00» or «в понедельник до 12:00», never a
minute-precise time at night.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.models import BrandProfile, WorkingHours

MORNING_GRACE = timedelta(hours=3)  # no promise falls due sooner than this after opening: people need the morning
_WEEKDAYS_RU = ("в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу", "в воскресенье")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def follow_up_due(now: datetime, profile: BrandProfile) -> datetime:
    """The response-time target from `now`, within working hours, on the hour in the brand's zone (in UTC)."""
    local = now.astimezone(ZoneInfo(profile.timezone))
    due = within_hours(_round_up(local + timedelta(hours=profile.response_time_hours)), profile.working_hours)
    return due.astimezone(UTC)


def within_hours(moment: datetime, hours: WorkingHours, grace: timedelta = MORNING_GRACE) -> datetime:
    """`moment` itself when the brand works then (and has worked `grace` that day already); else
    `grace` after the next opening."""
    for offset in range(8):
        day = moment.date() + timedelta(days=offset)
        opening = hours.opening(day.weekday())
        if opening is None:
            continue
        opens = datetime.combine(day, time(*opening[0]), moment.tzinfo)
        closes = datetime.combine(day, time(*opening[1]) if opening[1] < (24, 0) else time(23, 59), moment.tzinfo)
        if offset == 0 and opens + grace <= moment <= closes:
            return moment
        if offset > 0 or moment < opens + grace:
            return min(_round_up(opens + grace), closes)
    raise ValueError("working hours name no open day")  # unreachable: WorkingHours requires one


def is_within_hours(moment: datetime, profile: BrandProfile) -> bool:
    local = moment.astimezone(ZoneInfo(profile.timezone))
    return within_hours(local, profile.working_hours, grace=timedelta(0)) == local


def spoken_due(due: datetime, now: datetime, timezone: str, language: str) -> str:
    """«сегодня до 18:00», «завтра до 12:00», «в пятницу до 15:00», «12 декабря до 12:00» (a
    week or more away, or a date already past); "today by 6 pm", "tomorrow by noon",
    "on Friday by 3 pm", "by noon on 12 December"."""
    zone = ZoneInfo(timezone)
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    form = 0 if days == 0 else 1 if days == 1 else 2 if 1 < days < 7 else 3
    russian = language == "ru"
    return _SPOKEN["ru" if russian else "en"][form].format(
        clock=f"до {local:%H:%M}" if russian else f"by {_english_clock(local)}",
        weekday=(_WEEKDAYS_RU if russian else _WEEKDAYS_EN)[local.weekday()],
        date=f"{local.day} {_MONTHS_RU[local.month - 1]}" if russian else f"{local.day} {local:%B}",
    )


# Today, tomorrow, within the week, later (or already past): how each language says the due time.
_SPOKEN = {
    "ru": ("сегодня {clock}", "завтра {clock}", "{weekday} {clock}", "{date} {clock}"),
    "en": ("today {clock}", "tomorrow {clock}", "on {weekday} {clock}", "{clock} on {date}"),
}


def clock_texts(due: datetime, timezone: str) -> list[str]:
    """How a reply may write the due time: «18:00», "6 pm", "noon", «20 ноября», «05.12» (an
    operator or a language model may name the date)."""
    local = due.astimezone(ZoneInfo(timezone))
    return [f"{local:%H:%M}", _english_clock(local), f"{local:%d.%m}", f"{local:%d.%m.%Y}", f"{local.day}"]


def _english_clock(moment: datetime) -> str:
    if (moment.hour, moment.minute) == (12, 0):
        return "noon"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


def _round_up(moment: datetime) -> datetime:
    whole = moment.replace(minute=0, second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(hours=1)
