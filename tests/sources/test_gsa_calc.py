"""GSA CALC+: API pages (constructed in the documented v3 format), pagination against a local server, the real
s70 price-list sample, and keyword mapping to function_ids."""

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from werkzeug import Response

from sources import gsa_calc as gsa
from sources.errors import FetchError, SourceFormatError
from sources.http import HttpClient
from tests.shared_data import RAW, needs_shared_raw

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gsa_calc"
PROJECT = Path(__file__).resolve().parents[2]
PATH = "/acquisition/calc/v3/api/ceilingrates/"
PAGE_URL = "https://api.gsa.gov" + PATH + "?page={}&page_size=15"


def page(n: int) -> bytes:
    return (FIXTURES / f"ceilingrates_page{n}.json").read_bytes()


def client() -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    return HttpClient(timeout_s=2.0, max_attempts=3, backoff_base_s=0.5, sleep=waits.append), waits


def keywords() -> pl.DataFrame:
    path = PROJECT / "reference" / "gsa_category_functions.csv"
    return gsa.read_keywords(path.read_bytes(), path.name)


def test_first_page_rows_types_and_next_url():
    rows, next_url = gsa.parse_rates_page(page(1), PAGE_URL.format(1))
    assert rows.schema == pl.Schema(gsa.RATE_SCHEMA)
    assert rows.height == 15
    assert next_url == PAGE_URL.format(2)
    first = rows.row(0, named=True)
    assert first == {
        "labor_category": "Product Manager",
        "vendor_name": "Pink Frog Interactive, Inc.",
        "idv_piid": "GS35F376CA",
        "current_price": 125.44,
        "education_level": "BA",
        "min_years_experience": 5,
        "schedule": "IT Schedule 70",
        "sin": "132-51",
        "worksite": "Both",
        "business_size": "S",
        "contract_start": date(2015, 6, 24),
        "contract_end": date(2020, 6, 23),
        "parse_error": None,
    }
    assert rows["parse_error"].null_count() == 15


def test_last_page_has_no_next_and_flags_bad_prices():
    rows, next_url = gsa.parse_rates_page(page(2), PAGE_URL.format(2))
    assert next_url is None
    assert rows.height == 10
    bad = rows.filter(pl.col("parse_error").is_not_null()).select("labor_category", "current_price", "parse_error")
    assert bad.rows() == [
        ("Call Center Agent", None, "current_price: missing"),
        ("Service Desk Analyst", None, "current_price: cannot parse 'N/A'"),
    ]
    help_desk = rows.filter(pl.col("labor_category") == "Help Desk Specialist II").row(0, named=True)
    assert (help_desk["current_price"], help_desk["min_years_experience"]) == (48.5, 3)


def test_plain_file_name_gives_no_next_url():
    _, next_url = gsa.parse_rates_page(page(1), "ceilingrates_page1.json")
    assert next_url is None


def test_lower_bound_total_follows_a_full_page():
    # "relation": "gte" means hits.total is only a lower bound (the documented example shows 10000/gte).
    data = json.loads(page(1))
    data["hits"]["total"] = {"value": 15, "relation": "gte"}
    _, next_url = gsa.parse_rates_page(json.dumps(data).encode(), PAGE_URL.format(1))
    assert next_url == PAGE_URL.format(2)


def test_empty_page_ends_pagination():
    data = {"hits": {"total": {"value": 10000, "relation": "gte"}, "hits": []}}
    rows, next_url = gsa.parse_rates_page(json.dumps(data).encode(), PAGE_URL.format(700))
    assert rows.height == 0 and rows.schema == pl.Schema(gsa.RATE_SCHEMA) and next_url is None


def test_legacy_rates_page_with_next_link():
    data = {
        "count": 2,
        "next": "https://calc.gsa.gov/api/rates/?page=2",
        "previous": None,
        "results": [
            {
                "idv_piid": "GS-10F-0001A",
                "vendor_name": "Legacy Vendor",
                "labor_category": "Accountant",
                "education_level": "BA",
                "min_years_experience": 3,
                "current_price": "61.20",
                "schedule": "PES",
                "sin": "871-1",
                "contractor_site": "Customer",
                "business_size": "o",
            }
        ],
    }
    rows, next_url = gsa.parse_rates_page(json.dumps(data).encode(), "https://calc.gsa.gov/api/rates/?page=1")
    assert next_url == "https://calc.gsa.gov/api/rates/?page=2"
    row = rows.row(0, named=True)
    assert (row["current_price"], row["worksite"], row["contract_start"], row["parse_error"]) == (
        61.2,
        "Customer",
        None,
        None,
    )


def test_html_instead_of_json_names_the_file():
    html = b"<!DOCTYPE html><html><head><title>API Umbrella</title></head><body>Unavailable</body></html>"
    with pytest.raises(SourceFormatError, match=r"GSA CALC: page1\.json: an HTML or XML page, not JSON") as err:
        gsa.parse_rates_page(html, "page1.json")
    assert err.value.expected == ["hits.total", "hits.hits[]._source"]


def test_not_json_and_json_without_hits():
    with pytest.raises(SourceFormatError, match="not JSON"):
        gsa.parse_rates_page(b"labor_category,current_price\n", "export.csv")
    with pytest.raises(SourceFormatError, match=r"JSON without the rates keys.*found \['error'\]"):
        gsa.parse_rates_page(b'{"error": {"code": "OVER_RATE_LIMIT"}}', "p.json")
    with pytest.raises(SourceFormatError, match="hits without hits.hits or hits.total"):
        gsa.parse_rates_page(b'{"hits": {"hits": []}}', "p.json")
    with pytest.raises(SourceFormatError, match="JSON is not an object"):
        gsa.parse_rates_page(b"[]", "p.json")


def test_fetch_all_follows_page_numbers(httpserver):
    for n in (1, 2):
        httpserver.expect_ordered_request(PATH, query_string={"page": str(n), "page_size": "15"}).respond_with_data(
            page(n), content_type="application/json"
        )
    http, waits = client()

    downloads = gsa.fetch_all(http, httpserver.url_for(PATH) + "?page_size=15")

    assert [d.url for d in downloads] == [httpserver.url_for(PATH) + f"?page_size=15&page={n}" for n in (1, 2)]
    rows = pl.concat([gsa.parse_rates_page(d.content, d.url)[0] for d in downloads])
    assert rows.height == 25 and rows["labor_category"].n_unique() == 25
    assert waits == []


def test_fetch_all_retries_a_busy_page(httpserver):
    httpserver.expect_ordered_request(PATH).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(PATH).respond_with_data(page(1))
    httpserver.expect_ordered_request(PATH).respond_with_data(page(2))
    http, waits = client()
    assert len(gsa.fetch_all(http, httpserver.url_for(PATH) + "?page=1&page_size=15")) == 2
    assert len(waits) == 1


def test_fetch_all_guards_max_pages(httpserver):
    def endless(request):  # every page is full, and a page of its own: more to come
        content = json.loads(page(1))
        content["hits"]["total"] = {"value": 10000, "relation": "gte"}
        content["page"] = request.args.get("page")
        return Response(json.dumps(content))

    httpserver.expect_request(PATH).respond_with_handler(endless)
    http, _ = client()
    with pytest.raises(FetchError, match=r"GSA CALC: stopped after max_pages=3 pages .* more remain .*page=4"):
        gsa.fetch_all(http, httpserver.url_for(PATH) + "?page_size=15", max_pages=3)
    assert len(httpserver.log) == 3


def test_fetch_all_adds_default_paging_and_stops_on_html(httpserver):
    httpserver.expect_request(
        PATH, query_string={"page": "1", "page_size": str(gsa.DEFAULT_PAGE_SIZE)}
    ).respond_with_data("<html>maintenance</html>", content_type="text/html")
    http, _ = client()
    with pytest.raises(SourceFormatError, match="not JSON"):
        gsa.fetch_all(http, httpserver.url_for(PATH))


def test_rates_url_keeps_filters_readable():
    assert gsa.rates_url("help desk", page_size=50, filters=("business_size:S", "price_range:15,500")) == (
        "https://api.gsa.gov/acquisition/calc/v3/api/ceilingrates/?page=1&page_size=50&keyword=help%20desk"
        "&filter=business_size:S&filter=price_range:15,500"
    )


@needs_shared_raw
def test_real_s70_price_list():
    path = RAW / "gsa_calc" / "s70_sample.csv"
    rows = gsa.parse_price_list(path.read_bytes(), path.name)
    assert rows.schema == pl.Schema(gsa.PRICE_LIST_SCHEMA)
    assert rows.height == 20  # 22 lines: header, "Dash" instruction row, 20 rows
    assert rows["parse_error"].null_count() == 20
    assert "Spell out the entire labor category" not in rows["labor_category"].to_list()
    engineer = rows.filter(pl.col("labor_category") == "Software Engineer II").row(0, named=True)
    assert engineer == {
        "labor_category": "Software Engineer II",
        "vendor_name": "I-Link Solutions, Inc",
        "idv_piid": "GS-35F-308CA",
        "current_price": 122.01,
        "education_level": "BA",
        "min_years_experience": 5,
        "schedule": "IT Schedule 70",
        "sin": "132-51",
        "worksite": "Both",
        "business_size": "S",
        "contract_start": date(2015, 4, 29),
        "contract_end": date(2020, 4, 28),
        "unit_of_issue": "Hour",
        "parse_error": None,
    }
    assert rows["current_price"].min() == 69.0 and rows["current_price"].max() == 179.0


def price_list(*rows: str) -> bytes:
    header = (
        "SIN(s) PROPOSED,SERVICE PROPOSED (e.g. Job Title/Task),MINIMUM EDUCATION/ CERTIFICATION LEVEL,"
        'MINIMUM YEARS OF EXPERIENCE,"UNIT OF ISSUE (e.g. Hour, Task, Sq ft)",PRICE OFFERED TO GSA (including IFF),'
        "CONTRACT NUMBER,VENDOR NAME,BUSINESS SIZE,SCHEDULE,WORKSITE,CURRENT CONTRACT YEAR,CONTRACT START DATE ,"
        "CONTRACT END DATE"
    )
    instruction = (
        "Dash,Spell out the entire labor category,Bachelors,Whole numbers only.,Hour,Price,,,S,,Both,1,M/D/Y,M/D/Y"
    )
    return "\n".join([header, instruction, *rows, ""]).encode()


def test_price_list_flags_non_hourly_units_and_bad_cells():
    data = price_list(
        '132-51,Help Desk Specialist,Associates,2,Hour,"$1,045.50",GS-1,"Vendor, Inc",S,IT Schedule 70,Both,1,'
        "1/5/2019,1/4/2024",
        "132-51,Website Audit,Bachelors,5,Task,$900.00,GS-1,V,S,IT Schedule 70,Both,1,6/24/15,6/23/20",
        "132-51,Data Entry Clerk,High School,1-2,Hour,$,GS-1,V,S,IT Schedule 70,Both,1,6/31/15,6/23/20",
        ",,,,,,,,,,,,,",
    )
    rows = gsa.parse_price_list(data, "upload.csv")
    assert rows.select(
        "labor_category", "current_price", "education_level", "contract_start", "parse_error"
    ).rows() == [
        ("Help Desk Specialist", 1045.5, "AA", date(2019, 1, 5), None),
        (
            "Website Audit",
            None,
            "BA",
            date(2015, 6, 24),
            "unit_of_issue: 'Task' is not Hour (price '$900.00' is not hourly)",
        ),
        (
            "Data Entry Clerk",
            None,
            "HS",
            None,
            "current_price (PRICE OFFERED TO GSA (including IFF)): cannot parse ''; "
            "min_years_experience: cannot parse '1-2'; contract_start: cannot parse '6/31/15'",
        ),
    ]


def test_price_list_reads_a_thousands_comma_and_refuses_a_decimal_comma():
    rows = gsa.parse_price_list(
        price_list(
            '132-51,Architect,Masters,9,Hour,"$1,250",GS-1,V,S,IT Schedule 70,Both,1,6/24/15,6/23/20',
            '132-51,Analyst,Bachelors,3,Hour,"$125,44",GS-1,V,S,IT Schedule 70,Both,1,6/24/15,6/23/20',
            '132-51,Tester,Bachelors,3,Hour,"$1,25.00",GS-1,V,S,IT Schedule 70,Both,1,6/24/15,6/23/20',
        ),
        "upload.csv",
    )
    price = "current_price (PRICE OFFERED TO GSA (including IFF))"
    assert rows.select("current_price", "parse_error").rows() == [
        (1250.0, None),
        (None, f"{price}: cannot parse '125,44'"),  # not 12544
        (None, f"{price}: cannot parse '1,25.00'"),
    ]


def test_price_list_with_renamed_column_or_html():
    renamed = price_list().replace(b"PRICE OFFERED TO GSA", b"GSA PRICE")
    with pytest.raises(SourceFormatError, match=r"upload\.csv: missing price-list columns \['price offered to gsa'\]"):
        gsa.parse_price_list(renamed, "upload.csv")
    with pytest.raises(SourceFormatError, match="HTML"):
        gsa.parse_price_list(b"<html><body>Sign in</body></html>", "upload.csv")


def test_map_longest_keyword_wins_and_unmatched_is_null():
    rates = pl.DataFrame(
        {
            "labor_category": [
                "Help Desk Specialist II",
                "Front Desk Clerk",
                "Architect II",
                None,
                "HELP-DESK technician",
            ]
        }
    )
    table = pl.DataFrame(
        {"keyword": ["desk", "help desk"], "function_id": ["front_office", "it_helpdesk"], "note": [None, None]}
    )
    mapped = gsa.map_categories(rates, table)
    assert mapped.select("function_id", "function_keyword").rows() == [
        ("it_helpdesk", "help desk"),
        ("front_office", "desk"),
        (None, None),
        (None, None),
        ("it_helpdesk", "help desk"),
    ]


def test_map_whole_words_only_and_ties_stay_unmapped():
    table = pl.DataFrame(
        {"keyword": ["payroll", "billing"], "function_id": ["payroll", "accounting"], "note": ["", ""]}
    )
    rates = pl.DataFrame({"labor_category": ["Payrolls Analyst", "Payroll Billing Clerk", "payroll clerk"]})
    assert gsa.map_categories(rates, table)["function_id"].to_list() == [None, None, "payroll"]


def test_reference_keywords_cover_every_function_and_map_the_fixture_pages():
    table = keywords()
    functions = set(pl.read_csv(PROJECT / "reference" / "functions.csv")["function_id"])
    assert set(table["function_id"]) == functions
    rows = pl.concat([gsa.parse_rates_page(page(n), f"p{n}.json")[0] for n in (1, 2)])
    mapped = dict(gsa.map_categories(rows, table).select("labor_category", "function_id").iter_rows())
    assert mapped["Help Desk Specialist II"] == "it_helpdesk"
    assert mapped["Service Desk Analyst"] == "it_helpdesk"
    assert mapped["Data Entry Clerk"] == "data_management"
    assert mapped["Payroll Accountant"] == "payroll"  # "payroll accountant" is longer than "accountant"
    assert mapped["Call Center Agent"] == "customer_support"
    assert mapped["Software Engineer II"] == "software_development"
    assert mapped["Frontend Web Developer"] == "software_development"
    assert mapped["Product Manager"] is None and mapped["Administrative Assistant II"] is None


def test_keyword_table_rejects_repeats():
    with pytest.raises(SourceFormatError, match="repeated keywords.*'Help desk', 'help desk'"):
        gsa.read_keywords(b"keyword,function_id,note\nHelp desk,it_helpdesk,\nhelp desk,it_helpdesk,\n", "k.csv")


def test_a_server_that_ignores_the_page_parameter_is_refused(httpserver):
    # Page 2 answers with page 1: its rows would count twice and the real page 2 would be missing.
    first = json.loads(page(1))
    first["hits"]["total"] = {"value": 25, "relation": "eq"}
    httpserver.expect_request(PATH).respond_with_data(json.dumps(first))
    http, _ = client()
    with pytest.raises(SourceFormatError, match=r"page=2: this page repeats one already fetched"):
        gsa.fetch_all(http, httpserver.url_for(PATH) + "?page_size=15")
