"""The project's shared value lists: one definition each, used by the contracts, the parsers and the model.

Plain Python only (no pandera, no polars), so that any layer can import it.
"""

# ILOSTAT indicators read into `earnings`: mean monthly earnings by occupation, and by area type (national mean).
OCCUPATION_INDICATOR = "EAR_4MTH_SEX_OCU_CUR_NB_A"
NATIONAL_INDICATOR = "EAR_4MTH_SEX_GEO_CUR_NB_A"
# `earnings.occupation`: the national total, or an ISCO-08 major group.
ISCO08_MAJOR_GROUPS = tuple("123456789")
OCCUPATIONS = ("TOTAL", *ISCO08_MAJOR_GROUPS)
CURRENCY_BASES = ("LCU", "USD", "PPP")
# Which currency basis of the same earnings to prefer, first to last, for each use:
# - a level in US$: US$ as published is exact, LCU needs one conversion (the exchange rate), PPP $ two;
# - a ratio of two groups of one survey: the currency cancels, and LCU is what the survey measured.
BASIS_ORDER_FOR_USD = ("USD", "LCU", "PPP")
BASIS_ORDER_FOR_RATIOS = ("LCU", "USD", "PPP")

GOVERNANCE_INDICATORS = ("PV.EST", "RL.EST")
RAW_MODES = ("live", "snapshot", "local")

# Vendor rates: the period an amount is for, what kind of price it is, and where it was observed.
RATE_UNITS = ("hour", "day", "week", "month", "year")
PRICE_TYPES = ("vendor_billing_rate", "buyer_spend_per_fte", "buyer_cost_per_fte", "wage", "ceiling_rate")
# Prices a buyer pays a vendor (a ceiling rate is a cap, a wage is the worker's pay).
VENDOR_PRICES = ("vendor_billing_rate", "buyer_spend_per_fte", "buyer_cost_per_fte")
# The seniority a source's wording states; empty where it states none (an average, or unsaid).
SENIORITIES = ("entry", "mid", "senior")
OBSERVATION_SOURCES = ("seed", "pricing_page", "gsa_calc", "analyst_quote")

# The business-function taxonomy and the cost model.
OFFICES = ("front", "back", "it")
COST_PARAMETERS = (
    "employer_cost_multiplier",
    "overhead_per_seat_usd_year",
    "paid_hours_per_year",
    "productive_hours_per_year",
)
# Parameters that divide or multiply a wage: zero would make every cost vanish or infinite.
POSITIVE_COST_PARAMETERS = ("employer_cost_multiplier", "paid_hours_per_year", "productive_hours_per_year")
# Most specific first: a value for a country and function beats one for the country, the function, or the default.
PARAMETER_SCOPES = ("country_function", "country", "function", "default")
WAGE_METHODS = ("oews_direct", "ilostat_occupation", "national_mean_x_relativity")
QUALITY_GRADES = tuple("ABCD")
TIERS = ("onshore", "nearshore", "offshore")
# The warning checks whose flagged rows an analyst may let stand (reference/acknowledged_warnings.csv).
ACKNOWLEDGEABLE_WARNINGS = ("carry_forward_within_band", "costs_in_line_with_income")
OVERRIDE_TIERS = ("nearshore", "offshore")
RATE_BASES = ("observed", "modelled")

# `employer_costs.dataset`: the source table an employer share comes from, best first. Taxing Wages states the
# statutory employer contributions and payroll taxes at the average wage; KILM 15b the employer's social insurance
# expenditures and labour-related taxes in manufacturing, private and contractual ones included, up to 2013.
EMPLOYER_COST_DATASETS = ("oecd_taxing_wages", "ilo_kilm15")
# The location scorecard's components, in the order they are published.
SCORECARD_COMPONENTS = ("cost", "rule_of_law", "political_stability", "language", "time_zone", "vendor_depth")
