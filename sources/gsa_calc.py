"""GSA CALC+ labour ceiling rates (US federal MAS schedule contracts) as polars frames, in US$ per hour.

Two inputs carry the same kind of row (a labour category a vendor may bill the US government, with its hourly
ceiling price, minimum education and experience):

* the CALC+ "Ceiling Rates" API, ``https://api.gsa.gov/acquisition/calc/v3/api/ceilingrates/`` (no key). Format
  as documented at https://open.gsa.gov/api/dx-calc-api/ (source: GSA/open-gsa-redesign, _apidocs/dx-calc-api.md):
  an OpenSearch answer ``{"hits": {"total": {"value": n, "relation": "eq"|"gte"}, "hits": [{"_id": ..,
  "_source": {labor_category, vendor_name, idv_piid, current_price, education_level, min_years_experience,
  schedule, sin, worksite, business_size, contract_start, contract_end, ...}}]}, "aggregations": {...}}``.
  It pages with ``page`` and ``page_size`` query parameters and has *no* next link: the next URL is built here
  from the page's own URL and ``hits.total``. When ``relation`` is "gte" the total is only a lower bound (the
  documented example shows 10000/"gte"), so a full page is always followed by a request for the next one.
  The legacy CALC rates API (``calc.gsa.gov/api/rates/``, then ``api.gsa.gov/acquisition/calc/v2/api/rates/``,
  retired February 2025) answered Django-REST-framework pages ``{"count", "next", "previous", "results"}``;
  saved pages in that layout are still read (``contractor_site`` becomes ``worksite``).
* a vendor's GSA Schedule price-list upload (the CSV layout of CALC's ``s70_sample.csv``: a header row, an
  instruction row starting with "Dash", then one row per labour category, prices like "$125.44").

Bad cells do not stop a parse: the row is kept, the value left null and the reason written to ``parse_error``.
A file that is not in a known layout (HTML, not JSON, JSON without ``hits``/``results``, renamed columns)
raises ``SourceFormatError``.

``map_categories`` assigns the project's function_ids from ``reference/gsa_category_functions.csv``
(keyword,function_id,note): a case-insensitive whole-word match in labor_category, the longest matching keyword
wins, no match (or a tie between different functions) leaves function_id null. Nothing is guessed.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import polars as pl

from sources.errors import FetchError, SourceFormatError
from sources.http import Download, HttpClient
from sources.text import blank_to_null, check_line_ends, check_not_markup, check_rectangular, join_problems

SOURCE = "GSA CALC"

API_URL = "https://api.gsa.gov/acquisition/calc/v3/api/ceilingrates/"
DEFAULT_PAGE_SIZE = 100

# Output columns of both parsers, in order; parse_price_list adds unit_of_issue before parse_error.
RATE_SCHEMA: dict[str, pl.DataType] = {
    "labor_category": pl.String(),
    "vendor_name": pl.String(),
    "idv_piid": pl.String(),
    "current_price": pl.Float64(),
    "education_level": pl.String(),
    "min_years_experience": pl.Int32(),
    "schedule": pl.String(),
    "sin": pl.String(),
    "worksite": pl.String(),
    "business_size": pl.String(),
    "contract_start": pl.Date(),
    "contract_end": pl.Date(),
    "parse_error": pl.String(),
}
PRICE_LIST_SCHEMA: dict[str, pl.DataType] = {
    **{k: v for k, v in RATE_SCHEMA.items() if k != "parse_error"},
    "unit_of_issue": pl.String(),
    "parse_error": pl.String(),
}

# API record field -> output column. The legacy API called the worksite "contractor_site".
_API_FIELDS = {name: (name,) for name in RATE_SCHEMA if name != "parse_error"}
_API_FIELDS["worksite"] = ("worksite", "contractor_site")

# Price-list output column -> start of its header, lower case with spaces collapsed (GSA headers carry
# explanations, e.g. "PRICE OFFERED TO GSA (including IFF)", and a trailing space in "CONTRACT START DATE ").
PRICE_LIST_HEADERS = {
    "sin": "sin(s) proposed",
    "labor_category": "service proposed",
    "education_level": "minimum education",
    "min_years_experience": "minimum years of experience",
    "unit_of_issue": "unit of issue",
    "current_price": "price offered to gsa",
    "idv_piid": "contract number",
    "vendor_name": "vendor name",
    "business_size": "business size",
    "schedule": "schedule",
    "worksite": "worksite",
    "contract_start": "contract start date",
    "contract_end": "contract end date",
}
# The price-list template asks for spelled-out degrees; the API uses codes. Unknown spellings are kept as given.
EDUCATION_CODES = {
    "high school": "HS",
    "associates": "AA",
    "associate": "AA",
    "associate's": "AA",
    "bachelors": "BA",
    "bachelor": "BA",
    "bachelor's": "BA",
    "masters": "MA",
    "master": "MA",
    "master's": "MA",
    "ph.d": "PHD",
    "ph.d.": "PHD",
    "phd": "PHD",
    "doctorate": "PHD",
}
HOURLY_UNITS = ("hour", "hourly", "hr")
_GROUPED_PRICE = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
KEYWORD_COLUMNS = ("keyword", "function_id", "note")


def rates_url(keyword: str | None = None, page_size: int = DEFAULT_PAGE_SIZE, filters: tuple[str, ...] = ()) -> str:
    """Page 1 of a v3 query, e.g. rates_url("help desk", filters=("business_size:S",))."""
    params = [("page", "1"), ("page_size", str(page_size))]
    if keyword:
        params.append(("keyword", keyword))
    params += [("filter", f) for f in filters]
    return API_URL + "?" + urlencode(params, quote_via=quote, safe=":,|")


def parse_rates_page(data: bytes, file_name: str) -> tuple[pl.DataFrame, str | None]:
    """One JSON page of the API -> (rows in RATE_SCHEMA, URL of the next page or None).

    For the v3 API the next URL is built from `file_name`, which must then be the URL the page was fetched
    from (as `fetch_all` passes it); a plain file name gives None. Legacy pages carry their own next link.
    """
    payload = _load_json(data, file_name)
    if isinstance(payload.get("hits"), dict):
        records, next_url = _v3_page(payload, file_name)
    elif isinstance(payload.get("results"), list) and "next" in payload:
        records = payload["results"]
        if not all(isinstance(r, dict) for r in records):
            raise SourceFormatError(SOURCE, file_name, "results is not a list of objects")
        next_url = urljoin(file_name, payload["next"]) if payload["next"] else None
    else:
        raise SourceFormatError(
            SOURCE,
            file_name,
            "JSON without the rates keys",
            expected=["hits.total", "hits.hits[]._source"],
            found=sorted(payload),
        )
    raw = pl.DataFrame(
        {out: [_text(_first(r, names)) for r in records] for out, names in _API_FIELDS.items()},
        schema={out: pl.String for out in _API_FIELDS},
    )
    return _typed(raw, date_formats=("%Y-%m-%d",)), next_url


def fetch_all(http: HttpClient, url: str = API_URL, max_pages: int = 200) -> list[Download]:
    """Every page of a query, first to last; raises FetchError rather than stop short at `max_pages`.

    A v3 URL without page/page_size gets page=1 and page_size=DEFAULT_PAGE_SIZE. The whole unfiltered data set
    is large: narrow the query (rates_url(keyword=...)) instead of raising max_pages far.
    """
    url = _with_paging(url)
    downloads: list[Download] = []
    seen: set[str] = set()
    next_url: str | None = url
    while next_url is not None:
        if len(downloads) >= max_pages:
            raise FetchError(
                f"{SOURCE}: stopped after max_pages={max_pages} pages of {url}; more remain "
                f"(next: {next_url}); narrow the query or raise max_pages"
            )
        if next_url in seen:
            raise SourceFormatError(SOURCE, next_url, "pagination leads back to a page already fetched")
        seen.add(next_url)
        download = http.get(next_url, SOURCE)
        # A server that ignores the page parameter answers every page with the first: rows would count twice.
        if any(earlier.content == download.content for earlier in downloads):
            raise SourceFormatError(SOURCE, next_url, "this page repeats one already fetched; the paging is ignored")
        downloads.append(download)
        _, next_url = parse_rates_page(download.content, download.url)
    return downloads


def parse_price_list(data: bytes, file_name: str) -> pl.DataFrame:
    """A GSA Schedule price-list CSV (s70_sample.csv layout) -> PRICE_LIST_SCHEMA.

    current_price is US$ per hour, so a row whose UNIT OF ISSUE is not Hour keeps a null price and says why in
    parse_error, and so does a price whose comma groups no thousands ("$125,44"). Spelled-out degrees become the
    API's codes (Bachelors -> BA); dates are Month/Day/Year. A row of another number of cells than the header, a
    file cut inside its last line or with classic-Mac line ends raises SourceFormatError naming the file.
    """
    text = _decode(data, file_name)
    check_not_markup(
        text,
        SOURCE,
        file_name,
        "an HTML or XML page, not a price-list CSV",
        expected=list(PRICE_LIST_HEADERS.values()),
        found=text[:60],
    )
    check_rectangular(text, SOURCE, file_name)
    # Excel, which price lists are saved from, ends the last line too: a file without its line end was cut.
    check_line_ends(text, SOURCE, file_name)
    try:
        sheet = pl.read_csv(text.encode("utf-8"), infer_schema_length=0)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"unreadable CSV ({exc})") from exc
    normalised = {" ".join(c.split()).lower(): c for c in sheet.columns}
    source_of = {}
    for out, start in PRICE_LIST_HEADERS.items():
        match = next((orig for norm, orig in normalised.items() if norm.startswith(start)), None)
        if match is not None:
            source_of[out] = match
    missing = [start for out, start in PRICE_LIST_HEADERS.items() if out not in source_of]
    if missing:
        raise SourceFormatError(
            SOURCE,
            file_name,
            f"missing price-list columns {missing}",
            expected=list(PRICE_LIST_HEADERS.values()),
            found=sheet.columns,
        )

    frame = sheet.select(blank_to_null(pl.col(src)).alias(out) for out, src in source_of.items())
    frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))  # blank spreadsheet rows
    if frame.height and (frame["sin"][0] or "").lower().startswith("dash"):
        frame = frame.slice(1)  # the template's instruction row ("Dash", "Spell out the entire labor category", ...)

    education = pl.col("education_level")
    unit = pl.col("unit_of_issue")
    hourly = unit.str.to_lowercase().is_in(HOURLY_UNITS).fill_null(False)
    price_text = pl.col("current_price").str.replace_all(r"[$\s]", "")
    # A comma groups thousands ("1,250.00"); any other ("125,44", a decimal comma) makes the price unreadable rather
    # than a hundred times too high.
    thousands = price_text.str.contains(_GROUPED_PRICE)
    frame = frame.with_columns(
        pl.when(thousands).then(price_text.str.replace_all(",", "")).otherwise(price_text).alias("_price_text"),
        education.str.to_lowercase().replace_strict(EDUCATION_CODES, default=education).alias("education_level"),
    )
    typed = _typed(
        frame.with_columns(pl.col("_price_text").alias("current_price")),
        date_formats=("%m/%d/%y", "%m/%d/%Y"),
        price_header=source_of["current_price"],
    )
    unit_error = (
        pl.when(~hourly)
        .then(
            pl.format(
                "unit_of_issue: '{}' is not Hour (price '{}' is not hourly)",
                unit.fill_null(""),
                pl.col("_raw_price").fill_null(""),
            )
        )
        .otherwise(None)
    )
    return (
        typed.with_columns(frame["unit_of_issue"], frame["current_price"].alias("_raw_price"))
        .with_columns(
            pl.when(hourly).then(pl.col("current_price")).alias("current_price"),
            join_problems([pl.col("parse_error"), unit_error]).alias("parse_error"),
        )
        .select(list(PRICE_LIST_SCHEMA))
    )


def read_keywords(data: bytes, file_name: str) -> pl.DataFrame:
    """reference/gsa_category_functions.csv, checked: the three columns, no empty or repeated keyword."""
    table = pl.read_csv(data, infer_schema_length=0)
    if list(table.columns) != list(KEYWORD_COLUMNS):
        raise SourceFormatError(
            SOURCE, file_name, "not a keyword table", expected=list(KEYWORD_COLUMNS), found=table.columns
        )
    table = table.with_columns(pl.col("keyword", "function_id").str.strip_chars())
    bad = table.filter(
        pl.col("keyword").is_null()
        | (pl.col("keyword") == "")
        | pl.col("function_id").is_null()
        | pl.col("keyword").str.to_lowercase().is_duplicated()
    )
    if bad.height:
        raise SourceFormatError(
            SOURCE, file_name, "empty, incomplete or repeated keywords", found=bad["keyword"].to_list()
        )
    return table


def map_categories(rates: pl.DataFrame, keywords: pl.DataFrame) -> pl.DataFrame:
    """`rates` plus function_id and function_keyword (the keyword that decided it), both null without a match.

    Whole words, case-insensitive; a space in a keyword also matches a hyphen or slash ("help desk" matches
    "Help-Desk"). The longest matching keyword wins ("payroll accountant" beats "accountant"); if keywords of
    the same, longest length point to different functions the row stays unmapped rather than be guessed.
    """
    patterns = keywords.select(
        pl.col("keyword").str.strip_chars().str.to_lowercase().alias("function_keyword"),
        pl.col("function_id").str.strip_chars(),
    ).with_row_index("keyword_index")
    # Each distinct category against each keyword, one independent column per keyword so that each regex is compiled
    # once: a pattern column matched row by row compiles it for every (category, keyword) pair (ten times slower on
    # the sample), and one chained expression over all keywords took seconds to plan.
    hits = pl.DataFrame(
        {"labor_category": rates["labor_category"].drop_nulls().unique()},
        schema={"labor_category": pl.String},
    ).with_columns(
        pl.col("labor_category").str.contains(_keyword_pattern(keyword)).alias(str(index))
        for index, keyword in patterns.select("keyword_index", "function_keyword").iter_rows()
    )
    matches = (
        hits.unpivot(index="labor_category", variable_name="keyword_index", value_name="hit")
        .filter("hit")
        .join(patterns.with_columns(pl.col("keyword_index").cast(pl.String)), on="keyword_index")
        .with_columns(length=pl.col("function_keyword").str.len_chars())
        .filter(pl.col("length") == pl.col("length").max().over("labor_category"))
        .group_by("labor_category")
        .agg(pl.col("function_id").unique().alias("functions"), pl.col("function_keyword").sort().first())
        .filter(pl.col("functions").list.len() == 1)
        .select("labor_category", pl.col("functions").list.first().alias("function_id"), "function_keyword")
    )
    return rates.join(matches, on="labor_category", how="left", nulls_equal=False)


# --- helpers ---------------------------------------------------------------------------------------------------


def _load_json(data: bytes, file_name: str) -> dict:
    head = data[:200].lstrip()
    check_not_markup(
        head,
        SOURCE,
        file_name,
        "an HTML or XML page, not JSON",
        expected=["hits.total", "hits.hits[]._source"],
        found=head[:60],
    )
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SourceFormatError(SOURCE, file_name, f"not JSON ({type(exc).__name__})", found=head[:60]) from None
    if not isinstance(payload, dict):
        raise SourceFormatError(
            SOURCE,
            file_name,
            "JSON is not an object",
            expected=["hits.total", "hits.hits[]._source"],
            found=type(payload).__name__,
        )
    return payload


def _v3_page(payload: dict, url: str) -> tuple[list[dict], str | None]:
    hits = payload["hits"]
    inner, total = hits.get("hits"), hits.get("total")
    if not isinstance(inner, list) or total is None:
        raise SourceFormatError(
            SOURCE,
            url,
            "hits without hits.hits or hits.total",
            expected=["hits.total", "hits.hits[]._source"],
            found=sorted(hits),
        )
    bad = [i for i, h in enumerate(inner) if not (isinstance(h, dict) and isinstance(h.get("_source"), dict))]
    if bad:
        raise SourceFormatError(
            SOURCE, url, f"hits without _source at positions {bad[:5]}", expected="hits.hits[]._source"
        )
    records = [h["_source"] for h in inner]
    # OpenSearch 7+ gives {"value", "relation"}; older servers a bare number, which is exact.
    value, relation = (total.get("value"), total.get("relation", "eq")) if isinstance(total, dict) else (total, "eq")
    if not isinstance(value, int):
        raise SourceFormatError(SOURCE, url, "hits.total.value is not a number", found=total)

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not records:
        return records, None
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    try:
        page = int(params.get("page", "1"))
        page_size = int(params.get("page_size", len(records)))
    except ValueError as exc:
        raise SourceFormatError(SOURCE, url, f"page or page_size in the URL is not a number ({exc})") from exc
    more = page * page_size < value or (relation != "eq" and len(records) >= page_size)
    if not more:
        return records, None
    if "page" in params:
        query = [(k, str(page + 1) if k == "page" else v) for k, v in query]
    else:
        query.append(("page", str(page + 1)))
    return records, urlunsplit(parts._replace(query=urlencode(query, quote_via=quote, safe=":,|")))


def _with_paging(url: str) -> str:
    parts = urlsplit(url)
    if "ceilingrates" not in parts.path:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    keys = {k for k, _ in query}
    query += [(k, v) for k, v in (("page", "1"), ("page_size", str(DEFAULT_PAGE_SIZE))) if k not in keys]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote, safe=":,|")))


def _first(record: dict, names: tuple[str, ...]):
    return next((record[n] for n in names if record.get(n) is not None), None)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list, bool)):
        return json.dumps(value)
    text = str(value).strip()
    return text or None


def _decode(data: bytes, file_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # price lists are usually saved from Excel on Windows
    except UnicodeDecodeError as exc:
        raise SourceFormatError(SOURCE, file_name, f"neither UTF-8 nor Windows-1252 text ({exc})") from exc


def _typed(raw: pl.DataFrame, date_formats: tuple[str, ...], price_header: str = "current_price") -> pl.DataFrame:
    """Text columns -> RATE_SCHEMA, with a parse_error for every cell that does not convert."""
    price = pl.col("current_price").cast(pl.Float64, strict=False)
    years_float = pl.col("min_years_experience").cast(pl.Float64, strict=False)
    years = pl.when(years_float == years_float.round(0)).then(years_float).cast(pl.Int32, strict=False)
    dates = {
        c: pl.coalesce(pl.col(c).str.to_date(f, strict=False) for f in date_formats)
        for c in ("contract_start", "contract_end")
    }
    price_name = "current_price" if price_header == "current_price" else f"current_price ({price_header})"
    errors = [
        pl.when(pl.col("labor_category").is_null()).then(pl.lit("labor_category: missing")),
        pl.when(pl.col("current_price").is_null())
        .then(pl.lit(f"{price_name}: missing"))
        .when(price.is_null() | ~price.is_finite())
        .then(pl.format(f"{price_name}: cannot parse '{{}}'", pl.col("current_price")))
        .when(price <= 0)
        .then(pl.format(f"{price_name}: not positive '{{}}'", pl.col("current_price"))),
        _cell_error("min_years_experience", years),
        *(_cell_error(c, expr) for c, expr in dates.items()),
    ]
    return raw.select(
        *(pl.col(c) for c in ("labor_category", "vendor_name", "idv_piid")),
        pl.when(price.is_finite() & (price > 0)).then(price).alias("current_price"),
        pl.col("education_level"),
        years.alias("min_years_experience"),
        *(pl.col(c) for c in ("schedule", "sin", "worksite", "business_size")),
        *(expr.alias(c) for c, expr in dates.items()),
        join_problems(errors).alias("parse_error"),
    )


def _cell_error(name: str, parsed: pl.Expr) -> pl.Expr:
    raw = pl.col(name)
    return pl.when(raw.is_not_null() & parsed.is_null()).then(pl.format("{}: cannot parse '{}'", pl.lit(name), raw))


def _keyword_pattern(keyword: str) -> str:
    words = [re.escape(w) for w in keyword.split()]
    return r"(?i)\b" + r"[\s\-/]+".join(words) + r"\b"
