"""Rate text as vendors write it on pricing pages, and the junk the parser must refuse rather than guess at."""

import pytest

from sources.rate_text import ParsedRate, RateTextError, parse_rate_text


@pytest.mark.parametrize(
    ("text", "defaults", "expected"),
    [
        # Hourly USD ranges with every dash and spacing vendors use.
        ("$8-12/hr", {}, (8, 12, "USD", "hour")),
        ("$8 – $12 per hour", {}, (8, 12, "USD", "hour")),
        ("$8—$12 / hour", {}, (8, 12, "USD", "hour")),
        ("8 to 12 USD/hour", {}, (8, 12, "USD", "hour")),
        ("8 TO 12 USD/HOUR", {}, (8, 12, "USD", "hour")),
        ("$9.50–$11.00/hr", {}, (9.5, 11, "USD", "hour")),
        ("$20 PER HOUR", {}, (20, 20, "USD", "hour")),
        ("US$ 11–14 per hour", {}, (11, 14, "USD", "hour")),
        ("from $9/hour", {}, (9, 9, "USD", "hour")),
        ("From $9 per hour", {}, (9, 9, "USD", "hour")),
        ("up to $15/hr", {}, (15, 15, "USD", "hour")),
        ("Starting at $6.99 hourly", {}, (6.99, 6.99, "USD", "hour")),
        # Monthly and yearly, with thousands separators and k.
        ("PHP 20,000 per month", {}, (20000, 20000, "PHP", "month")),
        ("Php 18,500 monthly", {}, (18500, 18500, "PHP", "month")),
        ("₱20,000/month", {}, (20000, 20000, "PHP", "month")),
        ("USD 1,200/mo", {}, (1200, 1200, "USD", "month")),
        ("$1,450.00 per month", {}, (1450, 1450, "USD", "month")),
        ("$45,000 per year", {}, (45000, 45000, "USD", "year")),
        ("$45k/yr", {}, (45000, 45000, "USD", "year")),
        ("around $100k per annum", {}, (100000, 100000, "USD", "year")),
        ("$40-60k per year", {}, (40000, 60000, "USD", "year")),
        ("$40K–$60K annually", {}, (40000, 60000, "USD", "year")),
        ("$500-1.5k per month", {}, (500, 1500, "USD", "month")),  # k on the high end only, low end stays hundreds
        ("$2,000 / week", {}, (2000, 2000, "USD", "week")),
        ("$150 per day", {}, (150, 150, "USD", "day")),
        # Euro, pound and European separators.
        ("35-70 EUR per hour", {}, (35, 70, "EUR", "hour")),
        ("€35–70/h", {}, (35, 70, "EUR", "hour")),
        ("1.234,56 € per month", {}, (1234.56, 1234.56, "EUR", "month")),
        ("8,50 € / hour", {}, (8.5, 8.5, "EUR", "hour")),
        ("2.500 € al mes", {"default_unit": "month"}, (2500, 2500, "EUR", "month")),
        ("20\u00a0000 € per year", {}, (20000, 20000, "EUR", "year")),  # no-break space grouping
        ("£8.50 an hour", {}, (8.5, 8.5, "GBP", "hour")),
        ("£28,000 p.a.", {}, (28000, 28000, "GBP", "year")),
        # Other dollars and local symbols.
        ("A$15,000–20,000 per year", {}, (15000, 20000, "AUD", "year")),
        ("C$25/hr", {}, (25, 25, "CAD", "hour")),
        ("S$3,000 per month", {}, (3000, 3000, "SGD", "month")),
        ("RM 6,500 per month", {}, (6500, 6500, "MYR", "month")),
        ("R7000/month", {}, (7000, 7000, "ZAR", "month")),
        ("R$ 4.500 por mês", {"default_unit": "month"}, (4500, 4500, "BRL", "month")),
        ("₹450–650/hour", {}, (450, 650, "INR", "hour")),
        ("Rs. 25,000 per month", {}, (25000, 25000, "INR", "month")),
        ("Rs 90,000/month", {"default_currency": "PKR"}, (90000, 90000, "PKR", "month")),
        ("$200/hour", {"default_currency": "MXN"}, (200, 200, "MXN", "hour")),  # a Mexican page's $ is pesos
        ("$200/hour", {"default_currency": "EUR"}, (200, 200, "USD", "hour")),  # EUR is no $ currency
        ("kr 450 per hour", {"default_currency": "SEK"}, (450, 450, "SEK", "hour")),
        ("450 kr/h", {"default_currency": "DKK"}, (450, 450, "DKK", "hour")),
        # Defaults fill only what the text leaves out.
        ("12-15", {"default_currency": "USD", "default_unit": "hour"}, (12, 15, "USD", "hour")),
        ("$12", {"default_unit": "hour"}, (12, 12, "USD", "hour")),
        ("€9/hr", {"default_currency": "USD", "default_unit": "month"}, (9, 9, "EUR", "hour")),
    ],
)
def test_parses_rate_text(text, defaults, expected):
    low, high, currency, unit = expected
    assert parse_rate_text(text, **defaults) == ParsedRate(low, high, currency, unit)


@pytest.mark.parametrize(
    ("text", "defaults", "problem"),
    [
        ("Contact us", {}, "no number found"),
        ("N/A", {}, "no number found"),
        ("Custom pricing", {}, "no number found"),
        ("$", {}, "no number found"),
        ("", {}, "the text is empty"),
        ("   ", {}, "the text is empty"),
        ("$12", {}, "no time unit"),
        ("12 per hour", {}, "no currency symbol or code, and no default currency"),
        ("20 XYZ/hour", {"default_currency": "USD"}, "unknown currency 'XYZ'"),
        ("kr 450 per hour", {}, "ambiguous currency symbol 'kr' (could be DKK, ISK, NOK, SEK) and no default currency"),
        ("kr 450 per hour", {"default_currency": "USD"}, "the default currency USD is none of those"),
        ("¥3000/hour", {}, "ambiguous currency symbol '¥'"),
        ("$12-8/hr", {}, "the low end 12 is above the high end 8"),
        ("-$5/hr", {}, "negative amount"),
        ("$-5 per hour", {}, "negative amount"),
        ("−5 EUR/hour", {}, "negative amount"),
        ("$8 to -12/hr", {}, "negative amount"),
        ("$8/hr or €7/hr", {}, "several currencies (EUR, USD)"),
        ("8 USD - 10 EUR per hour", {}, "several currencies (EUR, USD)"),
        ("$1,200/month or $300/week", {}, "several time units (week, month)"),
        ("24/7 support from $9/hour", {}, "3 figures ('24', '7', '9')"),
        ("$9/hr, $12/hr", {}, "figures '9' and '12' are not joined by a range dash or 'to'"),
    ],
)
def test_refuses_text_it_cannot_read(text, defaults, problem):
    with pytest.raises(RateTextError) as caught:
        parse_rate_text(text, **defaults)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"rate text {text!r}: ")


def test_rate_text_error_is_a_value_error_carrying_text_and_problem():
    with pytest.raises(ValueError) as caught:
        parse_rate_text("Contact us")
    assert (caught.value.text, caught.value.problem) == ("Contact us", "no number found")


@pytest.mark.parametrize("defaults", [{"default_currency": "usd"}, {"default_unit": "hours"}])
def test_rejects_malformed_defaults_as_a_programming_error(defaults):
    with pytest.raises(ValueError, match="default_") as caught:
        parse_rate_text("$12/hr", **defaults)
    assert not isinstance(caught.value, RateTextError)
