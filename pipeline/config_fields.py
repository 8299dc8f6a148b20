"""Field-by-field reading of a config table; each problem names the file, entry and field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree
from parsel.csstranslator import HTMLTranslator

# One translator for every selector check: parsel's own, so `::text` and `::attr(x)` are accepted
# exactly as Scrapy will accept them at crawl time.
_CSS = HTMLTranslator()
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_seconds(text: str) -> int:
    """Seconds in a duration such as `30m`, `6h` or `1d`; ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    return int(match.group(1)) * _DURATION_SECONDS[match.group(2)]


def selector_problem(selector: str) -> str | None:
    """Why a CSS (or `xpath:`-prefixed XPath) selector will not compile, or None."""
    try:
        if selector.startswith("xpath:"):
            etree.XPath(selector[len("xpath:") :])
        else:
            _CSS.css_to_xpath(selector)
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        return f"{type(exc).__name__}: {exc}"
    return None


class FieldReader:
    """Reads typed fields from one table; every problem is appended to a shared list."""

    def __init__(
        self,
        data: Mapping[str, Any],
        where: str,
        problems: list[str],
        prefix: str = "",
        asked: set[str] | None = None,
    ) -> None:
        self.data = data
        self.where = where
        self.problems = problems
        self.prefix = prefix
        self.seen: set[str] = set()
        # Every dotted field name any reader of this tree asked for: the documented schema.
        self.asked = asked if asked is not None else set()

    def fail(self, key: str, message: str) -> None:
        """Record one problem for `key`."""
        self.problems.append(f"{self.where}: field '{self.prefix}{key}' {message}")

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        self.asked.add(self.prefix + key)
        if key not in self.data:
            if required:
                self.fail(key, "is required")
            return None
        return self.data[key]

    def text(
        self,
        key: str,
        default: str = "",
        required: bool = False,
        choices: tuple[str, ...] = (),
        pattern: str = "",
    ) -> str:
        """A string field, optionally limited to choices or a regex."""
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(key, f"must be a string; got {value!r}")
            return default
        if choices and value not in choices:
            hint = difflib.get_close_matches(value, choices, n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            self.fail(key, f"must be one of {', '.join(choices)}; got '{value}'{extra}")
            return default
        if pattern and not re.fullmatch(pattern, value):
            self.fail(key, f"must match {pattern}; got '{value}'")
            return default
        if required and not value.strip():
            self.fail(key, "must not be empty")
        return value

    def integer(self, key: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        """An integer field within bounds."""
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"must be a whole number; got {value!r}")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and <= {maximum}" if maximum is not None else ""
            self.fail(key, f"must be >= {minimum}{upper}; got {value}")
            return default
        return value

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        """A float field (ints accepted) at or above a minimum."""
        value = self._get(key, False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, f"must be a number; got {value!r}")
            return default
        if value < minimum:
            self.fail(key, f"must be >= {minimum}; got {value}")
            return default
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        """A boolean field."""
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false; got {value!r}")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        """A list of strings (a single string is accepted as a list of one)."""
        value = self._get(key, required)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"must be a list of strings; got {value!r}")
            return ()
        if required and not value:
            self.fail(key, "must list at least one value")
        return tuple(value)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        """A table of string → string (headers, cookies, params)."""
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value.values()
        ):
            self.fail(key, f'must be a table of name = "value"; got {value!r}')
            return ()
        return tuple((str(k), str(v)) for k, v in value.items())

    def table(self, key: str, required: bool = False) -> FieldReader | None:
        """A sub-table, read with the same location and a dotted prefix."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, f"must be a table; got {value!r}")
            return None
        return FieldReader(value, self.where, self.problems, f"{self.prefix}{key}.", self.asked)

    def selector(self, key: str, required: bool = False) -> str:
        """A CSS or `xpath:` selector that must compile."""
        value = self.text(key, required=required)
        if value and (why := selector_problem(value)):
            self.fail(key, f"is not a valid selector ({why}); got '{value}'")
        return value

    def selectors(self, key: str) -> list[str]:
        """A list of CSS or `xpath:` selectors that must all compile."""
        values = list(self.texts(key))
        for value in values:
            if why := selector_problem(value):
                self.fail(key, f"holds an invalid selector ({why}); got '{value}'")
        return values

    def duration(self, key: str, default: str = "") -> str:
        """A duration such as `30m`, `6h`, `1d`."""
        value = self.text(key, default=default)
        if value:
            try:
                duration_seconds(value)
            except ValueError:
                self.fail(key, f"must be a duration like 30m, 6h or 1d; got '{value}'")
                return default
        return value

    def finish(self) -> None:
        """Report keys that no reader asked for: typos must not be silently ignored."""
        for key in self.data:
            if key not in self.seen:
                hint = difflib.get_close_matches(key, sorted(self.seen), n=1)
                extra = f" (did you mean '{self.prefix}{hint[0]}'?)" if hint else ""
                self.problems.append(f"{self.where}: unknown field '{self.prefix}{key}'{extra}")
