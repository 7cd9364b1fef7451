"""Turn the rate text of vendor pricing pages ("$8–12/hr", "PHP 20,000 per month", "1.234,56 €") into numbers.

Pricing pages are written for people, so the same rate appears in many spellings. The parser is strict on
purpose: text it cannot read with confidence (no figure, no unit, a currency symbol that fits several
currencies, two currencies, figures that do not form a range) raises RateTextError rather than guessing,
because a silently wrong rate would pass straight into the benchmark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.vocabulary import RATE_UNITS

# Active ISO 4217 codes. A three-letter code counts as a currency only next to a figure ("USD 1,200",
# "35-70 EUR"), so capitalised words such as "ALL INCLUSIVE" or "TOP TIER" elsewhere in the text are ignored.
ISO_CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)

# Symbols and local abbreviations: (the currency assumed when the page gives no default, the currencies the
# symbol is used for). A page's default currency wins when it is one of those, so a Mexican page's "$" is
# pesos and a Pakistani page's "Rs" is rupees; with no default, "$" is USD and "Rs" INR, while "kr" and "¥"
# stay ambiguous and raise.
_DOLLAR_LIKE = (
    "USD",
    "AUD",
    "BSD",
    "BZD",
    "CAD",
    "FJD",
    "HKD",
    "JMD",
    "NZD",
    "SGD",
    "TTD",
    "TWD",
    "XCD",
    "ARS",
    "CLP",
    "COP",
    "CUP",
    "DOP",
    "MXN",
    "UYU",
)
SYMBOLS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "$": ("USD", _DOLLAR_LIKE),
    "US$": ("USD", ("USD",)),
    "A$": ("AUD", ("AUD",)),
    "AU$": ("AUD", ("AUD",)),
    "C$": ("CAD", ("CAD",)),
    "CA$": ("CAD", ("CAD",)),
    "S$": ("SGD", ("SGD",)),
    "NZ$": ("NZD", ("NZD",)),
    "HK$": ("HKD", ("HKD",)),
    "MX$": ("MXN", ("MXN",)),
    "R$": ("BRL", ("BRL",)),
    "€": ("EUR", ("EUR",)),
    "£": ("GBP", ("GBP",)),
    "₱": ("PHP", ("PHP",)),
    "Php": ("PHP", ("PHP",)),
    "₹": ("INR", ("INR",)),
    "Rs": ("INR", ("INR", "PKR", "LKR", "NPR")),
    "Rs.": ("INR", ("INR", "PKR", "LKR", "NPR")),
    "RM": ("MYR", ("MYR",)),
    "R": ("ZAR", ("ZAR",)),
    "₦": ("NGN", ("NGN",)),
    "₩": ("KRW", ("KRW",)),
    "₫": ("VND", ("VND",)),
    "₺": ("TRY", ("TRY",)),
    "₪": ("ILS", ("ILS",)),
    "₴": ("UAH", ("UAH",)),
    "zł": ("PLN", ("PLN",)),
    "kr": (None, ("DKK", "ISK", "NOK", "SEK")),
    "¥": (None, ("CNY", "JPY")),
}

# Longest first so "A$" is not read as "$"; letter-based tokens must not sit inside a word ("TRM", "Krona").
# "R" is the rand only directly before a digit ("R7000"), so an "R" in ordinary words never matches.
_SYMBOL_PATTERN = "|".join(re.escape(s) for s in sorted(set(SYMBOLS) - {"R", "kr", "Rs", "Rs."}, key=len, reverse=True))
_CURRENCY = (
    rf"(?<![A-Za-z])(?:[A-Z]{{3}}|Rs\.?|(?i:kr)|R(?=\d))(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?:{_SYMBOL_PATTERN})"
)
# A figure with grouping separators ("20,000", "1.234,56", "20 000") or without ("8", "8.50", "8,50").
_NUMBER = r"\d{1,3}(?:[,. ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?"
_AMOUNT = re.compile(
    rf"(?:(?P<pre>{_CURRENCY})\s?)?(?P<num>{_NUMBER})(?P<k>\s?[kK](?![A-Za-z]))?(?:\s?(?P<post>{_CURRENCY}))?"
)
# A minus glued to a figure or to its currency symbol: "-5", "-$5", "$-5".
_GLUED_MINUS = re.compile(rf"-(?=(?:{_CURRENCY})?\d)")
_TRAILING_CURRENCY = re.compile(rf"(?:{_CURRENCY})$")
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|to|and)\s*", re.IGNORECASE)

_UNIT_WORDS = {
    "hour": r"hours?|hourly|hrs?|h",
    "day": r"days?|daily",
    "week": r"weeks?|weekly|wks?",
    "month": r"months?|monthly|mos?|mths?",
    "year": r"years?|yearly|yrs?|annum|annually|annual|p\.a\.?",
}
_UNIT = re.compile(
    "|".join(rf"(?<![a-z])(?P<{unit}>{words})(?![a-z])" for unit, words in _UNIT_WORDS.items()), re.IGNORECASE
)
# Capitalised words that may sit next to a figure without being a currency code ("$20 PER HOUR", "40 FTE").
_NOT_CURRENCY_WORDS = frozenset({"PER", "AND", "FTE", "HRS", "DAY", "MOS", "MTH", "WKS", "YRS"})

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})


@dataclass(frozen=True)
class ParsedRate:
    low: float
    high: float
    currency: str  # ISO 4217
    unit: str  # one of RATE_UNITS


class RateTextError(ValueError):
    """Rate text that cannot be read with confidence; the message quotes the text and names the problem."""

    def __init__(self, text: str, problem: str):
        self.text, self.problem = text, problem
        super().__init__(f"rate text {text!r}: {problem}")


# A rate is a few words; a longer cell is a paragraph, and reading it costs time that grows with its square.
MAX_RATE_TEXT = 300


def parse_rate_text(text: str, default_currency: str | None = None, default_unit: str | None = None) -> ParsedRate:
    """Read one rate; `default_currency` / `default_unit` apply only when the text names none (or an ambiguous one).

    "from $9/hour" and "up to $15/hr" give low == high: the qualifier is a fact about the vendor's offer, not
    a second figure.
    """
    if default_currency is not None and not re.fullmatch(r"[A-Z]{3}", default_currency):
        raise ValueError(f"default_currency must be an ISO 4217 code such as 'USD', not {default_currency!r}")
    if default_unit is not None and default_unit not in RATE_UNITS:
        raise ValueError(f"default_unit must be one of {', '.join(RATE_UNITS)}, not {default_unit!r}")

    if len(text) > MAX_RATE_TEXT:
        raise RateTextError(text[:60] + "…", f"longer than {MAX_RATE_TEXT} characters: not one rate")
    clean = " ".join(text.translate(_DASHES).split())
    if not clean:
        raise RateTextError(text, "the text is empty")
    amounts = list(_AMOUNT.finditer(clean))
    if not amounts:
        raise RateTextError(text, "no number found")
    if _has_negative(clean):
        raise RateTextError(text, "negative amount; rates cannot be below zero")
    # Currency and unit first: "$8/hr or €7/hr" is better reported as two currencies than as a broken range.
    currency = _currency(text, amounts, default_currency)
    unit = _unit(text, clean, default_unit)
    low, high = _low_high(text, clean, amounts)
    return ParsedRate(low, high, currency, unit)


def _has_negative(clean: str) -> bool:
    """A glued minus is a sign unless a figure comes right before it, which makes it a range dash ("8-12")."""
    for minus in _GLUED_MINUS.finditer(clean):
        before = _TRAILING_CURRENCY.sub("", clean[: minus.start()].rstrip()).rstrip()
        if not before or not (before[-1].isdigit() or before[-1] in "kK"):
            return True
    return False


def _low_high(text: str, clean: str, amounts: list[re.Match]) -> tuple[float, float]:
    if len(amounts) > 2:
        figures = ", ".join(repr(a["num"]) for a in amounts)
        raise RateTextError(text, f"{len(amounts)} figures ({figures}); expected one figure or a low-high range")
    if len(amounts) == 1:
        value = _amount_value(amounts[0])
        return value, value

    first, second = amounts
    if not _RANGE_SEPARATOR.fullmatch(clean[first.end() : second.start()]):
        raise RateTextError(
            text, f"figures {first['num']!r} and {second['num']!r} are not joined by a range dash or 'to'"
        )
    low, high = _amount_value(first), _amount_value(second)
    # "$40-60k": the k written once covers both ends, unless that would put the low end above the high one
    # ("$500-1.5k" is five hundred to fifteen hundred).
    if second["k"] and not first["k"] and low * 1000 <= high:
        low *= 1000
    if low > high:
        raise RateTextError(text, f"the low end {low:g} is above the high end {high:g}")
    return low, high


def _amount_value(amount: re.Match) -> float:
    value = _number(amount["num"])
    return value * 1000 if amount["k"] else value


def _number(raw: str) -> float:
    """Decide by position whether ',' and '.' group thousands or mark decimals.

    Both present: the last one is the decimal mark ("1.234,56", "1,234.56"). One mark used several times
    groups thousands ("1,000,000"). One mark used once groups thousands when exactly three digits follow and
    the integer part is not zero ("20,000", "1.500"), else it is the decimal mark ("8,50", "8.5", "0.125").
    """
    digits = raw.replace(" ", "")
    marks = {c for c in digits if c in ",."}
    last = max(digits.rfind(","), digits.rfind("."))
    if len(marks) == 2:
        decimal_mark = digits[last]
    elif not marks or digits.count(digits[last]) > 1:
        decimal_mark = None
    else:
        groups_thousands = len(digits) - last - 1 == 3 and not digits.startswith("0")
        decimal_mark = None if groups_thousands else digits[last]
    integer, _, fraction = digits.rpartition(decimal_mark) if decimal_mark else (digits, "", "")
    return float(re.sub(r"[,.]", "", integer) + "." + (fraction or "0"))


def _currency(text: str, amounts: list[re.Match], default: str | None) -> str:
    tokens = [a[side] for a in amounts for side in ("pre", "post") if a[side]]
    symbols = [t for t in tokens if t in SYMBOLS or t.lower() == "kr"]
    codes = [t for t in tokens if t in ISO_CURRENCIES]
    unknown = [
        t
        for t in tokens
        if t not in SYMBOLS and t.lower() != "kr" and t not in ISO_CURRENCIES and t not in _NOT_CURRENCY_WORDS
    ]

    found = set(codes) | {_resolve_symbol(text, s, default) for s in symbols}
    if len(found) > 1:
        raise RateTextError(text, f"several currencies ({', '.join(sorted(found))})")
    if found:
        return found.pop()
    # Checked before the default: a page default must not relabel a figure the text gives in another currency.
    if unknown:
        raise RateTextError(text, f"unknown currency {unknown[0]!r}; not an ISO 4217 code or known symbol")
    if default is None:
        raise RateTextError(text, "no currency symbol or code, and no default currency")
    return default


def _resolve_symbol(text: str, symbol: str, default: str | None) -> str:
    assumed, candidates = SYMBOLS["kr" if symbol.lower() == "kr" else symbol]
    if default in candidates:
        return default
    if assumed is None:
        problem = f"ambiguous currency symbol {symbol!r} (could be {', '.join(candidates)})"
        raise RateTextError(
            text,
            problem + (f"; the default currency {default} is none of those" if default else " and no default currency"),
        )
    return assumed


def _unit(text: str, clean: str, default: str | None) -> str:
    found = {m.lastgroup for m in _UNIT.finditer(clean)}
    if len(found) > 1:
        raise RateTextError(text, f"several time units ({', '.join(u for u in RATE_UNITS if u in found)})")
    if found:
        return found.pop()
    if default is None:
        raise RateTextError(text, f"no time unit ({', '.join(RATE_UNITS)}) and no default unit")
    return default
