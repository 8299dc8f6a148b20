"""Chinese publication dates → PublishedAt values in UTC+8 (re-exported by pipeline.normalize)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from email.utils import parsedate_to_datetime

__all__ = ["CN_TZ", "EARLIEST", "FUTURE_SLACK", "PublishedAt", "parse_cn_date"]

# Every source we crawl publishes in China Standard Time; naive wall-clock values mean UTC+8.
CN_TZ = timezone(timedelta(hours=8))

# Nothing we crawl predates 2000; earlier "dates" are IDs or 1970 epoch defaults from broken CMSes.
EARLIEST = date(2000, 1, 1)

# Clock skew and evening papers that post tomorrow's edition before midnight: allow one day ahead.
FUTURE_SLACK = timedelta(days=1)

# Y-M-D with 年月日 or -/. separators, then an optional time: "2022-06-25-10:30:00" (gov.cn
# firstpublishedtime) puts a dash before the time, people.com.cn "2026年11月20日08:31" nothing.
NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*"
    r"(?P<d>\d{1,2})(?:\s*日|(?!\d))"
    r"(?:(?:\s*|\s*[-T]\s*)(?P<ampm>上午|下午|晚上|中午|凌晨|早上)?\s*"
    r"(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})(?!\d)(?:\s*分)?"
    r"(?:\s*[:：]\s*(?P<S>\d{1,2})(?:\.\d{1,9})?(?!\d)|\s*(?P<S2>\d{1,2})\s*秒)?"
    r"(?:\s*(?P<tz>Z|(?:GMT|UTC)?[+-](?:0?\d|1[0-4])(?::?[0-5]\d)?|GMT|UTC)(?![\w]))?)?"
)

# Official documents date themselves in Chinese numerals: 二〇二二年六月二十五日 (成文日期).
CN_NUMERAL_DATE_RE = re.compile(
    r"(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日"
)

# Listings often show only "6月25日" or "06-25"; the year then comes from `now`.
YEARLESS_DATE_RE = re.compile(r"(?<!\d)(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
YEARLESS_WHOLE_RE = re.compile(r"^\[?(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\]?$")

# RFC 822 dates come from RSS <pubDate>: "Sat, 25 Jun 2022 10:00:00 +0800".
RFC822_RE = re.compile(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})


@dataclass(frozen=True, slots=True)
class PublishedAt:
    """A publication date in UTC+8; `clock` is None when the source gave only a date."""

    day: date
    clock: time | None = None

    @property
    def date_only(self) -> bool:
        """True when no time of day is known."""
        return self.clock is None

    @property
    def sort_key(self) -> tuple[date, int, time]:
        """Orders chronologically; a date-only value sorts at the start of its day."""
        return (self.day, 0 if self.clock is None else 1, self.clock or time.min)

    def as_datetime(self) -> datetime:
        """An aware datetime in UTC+8 (midnight for date-only values), for recency arithmetic."""
        return datetime.combine(self.day, self.clock or time.min, tzinfo=CN_TZ)

    def to_iso(self) -> str:
        """'2022-06-25' for date-only values, '2022-06-25T10:00:00+08:00' otherwise."""
        if self.clock is None:
            return self.day.isoformat()
        return self.as_datetime().isoformat()

    @classmethod
    def from_iso(cls, text: str) -> PublishedAt:
        """Inverse of to_iso; other offsets are converted to +08:00, naive times mean UTC+8."""
        text = text.strip()
        if len(text) == 10:
            return cls(date.fromisoformat(text))
        return cls.from_datetime(datetime.fromisoformat(text))

    @classmethod
    def from_datetime(cls, moment: datetime) -> PublishedAt:
        """A datetime value in UTC+8, seconds precision; naive input is taken as UTC+8."""
        local = moment.replace(tzinfo=CN_TZ) if moment.tzinfo is None else moment.astimezone(CN_TZ)
        return cls(local.date(), local.time().replace(microsecond=0, tzinfo=None))


def parse_cn_date(text: str, now: datetime) -> PublishedAt | None:
    """Parse the first plausible date in `text` (Chinese, ISO, RFC 822, epoch, compact forms).

    :param now: the current time (naive means UTC+8); later dates (beyond FUTURE_SLACK) and
        dates before EARLIEST are implausible and skipped.
    :returns: None when no plausible date is found.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return None
    local_now = now.replace(tzinfo=CN_TZ) if now.tzinfo is None else now.astimezone(CN_TZ)
    for found in _candidates(s, local_now):
        if found is not None and _plausible(found, local_now):
            return found
    return None


def _candidates(s: str, now: datetime) -> list[PublishedAt | None]:
    """Every date read from `s`, in the order a reader would meet them."""
    digits = s.strip("[]()")
    if digits.isdigit():
        return [_from_digits(digits)]
    if RFC822_RE.search(s):
        try:
            return [PublishedAt.from_datetime(_aware_utc(parsedate_to_datetime(s)))]
        except (TypeError, ValueError):
            pass
    found: list[tuple[int, PublishedAt | None]] = []
    found += [(m.start(), _from_numeric(m)) for m in NUMERIC_DATE_RE.finditer(s)]
    found += [(m.start(), _from_cn_numerals(m)) for m in CN_NUMERAL_DATE_RE.finditer(s)]
    if any(value is not None for _, value in found):
        return [value for _, value in sorted(found, key=lambda pair: pair[0])]
    whole = YEARLESS_WHOLE_RE.match(s)
    matches = [whole] if whole else list(YEARLESS_DATE_RE.finditer(s))
    return [_from_yearless(int(m["m"]), int(m["d"]), now) for m in matches]


def _from_digits(s: str) -> PublishedAt | None:
    """20220625 (CDE), 202206251030, 20220625103000, or epoch seconds (10) / milliseconds (13)."""
    if len(s) in (10, 13):
        seconds = int(s) / (1000 if len(s) == 13 else 1)
        return PublishedAt.from_datetime(datetime.fromtimestamp(seconds, tz=UTC))
    if len(s) in (8, 12, 14):
        parts = [int(s[:4]), int(s[4:6]), int(s[6:8])]
        clock = [int(s[i : i + 2]) for i in range(8, len(s), 2)]
        day = _safe_date(*parts)
        if day is None or not clock:
            return PublishedAt(day) if day else None
        return PublishedAt(day, _safe_time(clock[0], clock[1], clock[2] if len(clock) > 2 else 0))
    return None


def _from_numeric(m: re.Match[str]) -> PublishedAt | None:
    """A NUMERIC_DATE_RE match; an offset converts the time to UTC+8."""
    day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None or m["H"] is None:
        return PublishedAt(day) if day else None
    hour = int(m["H"])
    if m["ampm"] in ("下午", "晚上") and hour < 12:
        hour += 12
    second = m["S"] or m["S2"] or "0"
    clock = _safe_time(hour, int(m["M"]), int(second))
    if clock is None:
        return PublishedAt(day)  # a broken time still leaves a good date
    if m["tz"] is None:
        return PublishedAt(day, clock)
    moment = datetime.combine(day, clock, tzinfo=_offset(m["tz"]))
    return PublishedAt.from_datetime(moment)


def _from_cn_numerals(m: re.Match[str]) -> PublishedAt | None:
    """二〇二二年六月二十五日 → 2022-06-25."""
    year = int("".join(str(_CN_DIGITS[c]) for c in m["y"]))
    day = _safe_date(year, _cn_number(m["m"]), _cn_number(m["d"]))
    return PublishedAt(day) if day else None


def _from_yearless(month: int, day_of_month: int, now: datetime) -> PublishedAt | None:
    """Month and day with the year of `now`, or the year before when that would be in the future."""
    day = _safe_date(now.year, month, day_of_month)
    if day is not None and day > now.date() + FUTURE_SLACK:
        day = _safe_date(now.year - 1, month, day_of_month)
    return PublishedAt(day) if day else None


def _cn_number(s: str) -> int:
    """Chinese numerals up to 三十一 (十 = 10, 二十五 = 25)."""
    if "十" not in s:
        return _CN_DIGITS.get(s, 0)
    tens, _, units = s.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
        _CN_DIGITS.get(units, 0) if units else 0
    )


def _offset(tz: str) -> timezone:
    """'Z', '+0800', '+08:00', '-05', 'GMT', 'UTC+8' → a fixed offset."""
    sign_at = max(tz.find("+"), tz.find("-"))
    if sign_at < 0:
        return UTC
    sign = -1 if tz[sign_at] == "-" else 1
    digits = tz[sign_at + 1 :].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _aware_utc(moment: datetime) -> datetime:
    """RFC 822 '-0000' parses as naive: it means UTC, not local time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _safe_date(year: int, month: int, day: int) -> date | None:
    """A date, or None for 2022-13-45 and friends."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _safe_time(hour: int, minute: int, second: int) -> time | None:
    """A time, or None when out of range (a leap second 60 becomes 59)."""
    try:
        return time(hour, minute, min(second, 59))
    except ValueError:
        return None


def _plausible(value: PublishedAt, now: datetime) -> bool:
    """Not before 2000 and not beyond `now` plus FUTURE_SLACK."""
    if value.day < EARLIEST:
        return False
    if value.clock is None:
        return value.day <= (now + FUTURE_SLACK).date()
    return value.as_datetime() <= now + FUTURE_SLACK
