-- The wage layer (model.wages.function_wages, with model.carry and model.within_group) as one DuckDB query over the
-- same Parquet, for scripts/scale_benchmark.py to compare with the polars model. Same rules, same columns:
-- every (benchmark year, country, function) with a usable wage, by the best method, carried to the year.
-- Tables: the staging tables, and `functions`, `isco_soc_major_groups`, `gdp_distorted`, `benchmark_years` from the
-- reference data; settings are DuckDB variables named as in reference/model_settings.csv.
WITH
years AS (SELECT year AS target FROM benchmark_years),
-- model.wages.converted_to_usd: every earnings row in monthly US$, where its currency basis can be converted.
joined AS (
    SELECT e.*, fx.lcu_per_usd, fx.raw_file AS fx_file, ppp.lcu_per_intl_dollar, ppp.raw_file AS ppp_file,
        ppp.lcu_per_intl_dollar / fx.lcu_per_usd AS price_level
    FROM earnings e
    LEFT JOIN exchange_rates fx USING (iso3, year)
    LEFT JOIN ppp_factors ppp USING (iso3, year)
),
converted_all AS (
    SELECT * FROM (
        SELECT *,
            CASE
                WHEN currency_basis = 'USD' THEN monthly_earnings
                WHEN currency_basis = 'LCU' THEN monthly_earnings / lcu_per_usd
                WHEN price_level BETWEEN 1 / getvariable('max_price_level_ratio')
                    AND getvariable('max_price_level_ratio') THEN monthly_earnings * price_level
            END AS monthly_usd,
            list_filter(
                [raw_file, CASE WHEN currency_basis <> 'USD' THEN fx_file END,
                 CASE WHEN currency_basis = 'PPP' THEN ppp_file END],
                lambda f: f IS NOT NULL
            ) AS sources,
            CASE currency_basis WHEN 'USD' THEN 0 WHEN 'LCU' THEN 1 WHEN 'PPP' THEN 2 END AS priority
        FROM joined
    )
    WHERE monthly_usd IS NOT NULL
),
-- model.wages.implausible_surveys: blocks whose mean earnings are off GDP per capita by a unit.
survey_levels AS (
    SELECT iso3, year, indicator, currency_basis,
        coalesce(first(monthly_usd) FILTER (WHERE occupation = 'TOTAL'), median(monthly_usd)) AS level
    FROM converted_all
    GROUP BY iso3, year, indicator, currency_basis
),
implausible AS (
    SELECT s.iso3, s.year, s.indicator, s.currency_basis
    FROM survey_levels s JOIN gdp_per_capita g USING (iso3, year)
    WHERE NOT (s.level * 12 / g.gdp_per_capita_usd BETWEEN getvariable('min_earnings_to_gdp_per_capita')
        AND getvariable('max_earnings_to_gdp_per_capita'))
),
converted AS (
    SELECT c.* FROM converted_all c ANTI JOIN implausible i USING (iso3, year, indicator, currency_basis)
),
-- model.wages.earnings_in_usd: the most direct basis per country, year and occupation.
earnings_usd AS (
    SELECT iso3, year, occupation, indicator, currency_basis, monthly_usd, sources
    FROM converted
    QUALIFY row_number() OVER (PARTITION BY iso3, year, occupation ORDER BY priority) = 1
),
-- model.carry.index_series, within the years a carry can start or end in.
index_all AS (
    SELECT iso3, year, monthly_usd AS value, [raw_file] AS files,
        format('mean earnings in US$ ({}, {})', indicator, currency_basis) AS series, 'wage' AS kind
    FROM converted WHERE occupation = 'TOTAL'
    UNION ALL
    SELECT iso3, year, gdp_per_capita_usd, [raw_file], 'GDP per capita in current US$', 'gdp' FROM gdp_per_capita
    UNION ALL
    SELECT g.iso3, g.year, g.gdp_usd / p.population, [g.raw_file, p.raw_file], 'GDP / population in current US$', 'gdp'
    FROM gdp g JOIN population p USING (iso3, year)
),
growth_index AS (
    SELECT * FROM index_all
    WHERE year BETWEEN (SELECT min(target) FROM years) - getvariable('max_wage_age_years')
        AND (SELECT max(target) FROM years) + getvariable('max_wage_age_years')
        AND (kind = 'wage' OR iso3 NOT IN (SELECT iso3 FROM gdp_distorted))
        -- GDP converted to US$ in a year with no official exchange rate does not carry a wage
        AND (kind = 'wage' OR EXISTS (SELECT 1 FROM exchange_rates f WHERE f.iso3 = index_all.iso3 AND f.year = index_all.year))
),
-- model.wages.national_means: ILOSTAT's national mean, else the OECD average wage of its price base year.
means AS (
    SELECT iso3, year, monthly_usd, mean_basis, sources FROM (
        SELECT iso3, year, monthly_usd, format('ILOSTAT mean earnings ({})', currency_basis) AS mean_basis, sources,
            0 AS preference
        FROM earnings_usd WHERE occupation = 'TOTAL'
        UNION ALL
        SELECT a.iso3, a.year, a.annual_wage / 12 * p.lcu_per_intl_dollar / f.lcu_per_usd,
            'OECD average annual wage', [a.raw_file, p.raw_file, f.raw_file], 1
        FROM average_wages a JOIN exchange_rates f USING (iso3, year) JOIN ppp_factors p USING (iso3, year)
        WHERE a.year = getvariable('oecd_price_base_year')
    )
    QUALIFY row_number() OVER (PARTITION BY iso3, year ORDER BY preference) = 1
),
-- model.wages.relativities: each group's earnings over the national mean, per income group and over all countries.
occupation_earnings AS (
    SELECT * FROM earnings WHERE indicator = getvariable('occupation_indicator')
),
country_ratios AS (
    SELECT o.iso3, o.occupation, o.monthly_earnings / t.monthly_earnings AS ratio, o.raw_file,
        coalesce(c.income_group, 'unclassified') AS income_group
    FROM occupation_earnings o
    JOIN occupation_earnings t ON t.occupation = 'TOTAL' AND t.iso3 = o.iso3 AND t.year = o.year
        AND t.currency_basis = o.currency_basis
    LEFT JOIN countries c ON c.iso3 = o.iso3
    WHERE o.occupation <> 'TOTAL'
    QUALIFY row_number() OVER (
        PARTITION BY o.iso3, o.occupation
        ORDER BY o.year DESC, CASE o.currency_basis WHEN 'LCU' THEN 0 WHEN 'USD' THEN 1 ELSE 2 END
    ) = 1
),
relativity AS (
    SELECT occupation AS isco, income_group, median(ratio) AS relativity, count(*) AS n_countries,
        list_sort(list_distinct(list(raw_file))) AS sources
    FROM country_ratios GROUP BY occupation, income_group
    HAVING count(*) >= getvariable('min_countries_per_income_group')
),
pooled_relativity AS (
    SELECT occupation AS isco, median(ratio) AS relativity, count(*) AS n_countries,
        list_sort(list_distinct(list(raw_file))) AS sources
    FROM country_ratios GROUP BY occupation
),
-- model.within_group.within_group_factors: per benchmark year, OEWS of the nearest year.
us_wages AS (
    SELECT * FROM us_occupation_wages WHERE hourly_mean IS NOT NULL AND employment IS NOT NULL
),
oews_year AS (
    SELECT y.target, w.year AS oews_year
    FROM years y JOIN (SELECT DISTINCT year FROM us_occupation_wages) w
        ON w.year BETWEEN y.target - getvariable('max_wage_age_years') AND y.target + getvariable('max_wage_age_years')
    QUALIFY row_number() OVER (PARTITION BY y.target ORDER BY w.year > y.target, abs(w.year - y.target)) = 1
),
function_soc AS (SELECT function_id, unnest(us_soc_codes) AS soc FROM functions),
factor_rows AS (
    SELECT oy.target, f.function_id, m.isco08_major_group AS isco, m.soc_major_group, u.year, f.soc, u.hourly_mean,
        u.employment, u.raw_file
    FROM function_soc f
    JOIN isco_soc_major_groups m ON m.soc_major_group = substr(f.soc, 1, 2)
    JOIN oews_year oy ON TRUE
    JOIN us_wages u ON u.soc_code = f.soc AND u.year = oy.oews_year
),
factors AS (
    SELECT r.target, r.function_id, r.isco,
        sum(r.hourly_mean * r.employment) / sum(r.employment) / any_value(mj.hourly_mean) AS within_group_factor,
        format('ISCO {}: OEWS {} {} against SOC {}-0000 {}', r.isco, r.year,
            string_agg(format('{} {}', r.soc, r.hourly_mean), ', '
                ORDER BY format('{} {}', r.soc, r.hourly_mean)),
            r.soc_major_group, any_value(mj.hourly_mean)) AS within_group_basis,
        list_distinct(list(r.raw_file) || [any_value(mj.raw_file)]) AS within_group_sources
    FROM factor_rows r
    JOIN us_wages mj ON mj.o_group = 'major' AND substr(mj.soc_code, 1, 2) = r.soc_major_group AND mj.year = r.year
    GROUP BY r.target, r.function_id, r.isco, r.soc_major_group, r.year
),
function_groups AS (
    SELECT y.target, f.function_id, f.isco, f.position, coalesce(x.within_group_factor, 1.0) AS within_group_factor,
        x.within_group_basis, x.within_group_sources
    FROM (
        SELECT function_id, unnest(isco08_major_groups) AS isco, generate_subscripts(isco08_major_groups, 1) AS position
        FROM functions
    ) f
    CROSS JOIN years y
    LEFT JOIN factors x ON x.target = y.target AND x.function_id = f.function_id AND x.isco = f.isco
),
group_counts AS (SELECT function_id, len(isco08_major_groups) AS n_required FROM functions),
group_bases AS (
    SELECT target, function_id, string_agg(within_group_basis, '; ' ORDER BY position) AS within_group_basis
    FROM function_groups GROUP BY target, function_id
),
-- model.wages.oews_direct: the US wage of the function's SOC occupations, weighted by employment.
oews_rows AS (
    SELECT y.target, f.function_id, f.soc, u.year, u.hourly_mean, u.employment, u.raw_file
    FROM years y CROSS JOIN function_soc f
    JOIN us_wages u ON u.soc_code = f.soc
        AND u.year BETWEEN y.target - getvariable('max_wage_age_years') AND y.target + getvariable('max_wage_age_years')
    QUALIFY row_number() OVER (
        PARTITION BY y.target, f.function_id, f.soc ORDER BY abs(u.year - y.target), u.year > y.target
    ) = 1
),
oews AS (
    SELECT target, function_id, 'USA' AS country_iso3,
        sum(hourly_mean * employment) / sum(employment) * 2080 / 12 AS monthly_usd,
        min(year) AS wage_source_year, list_sort(list_distinct(list(raw_file))) AS sources,
        'oews_direct' AS wage_method, 0 AS method_rank
    FROM oews_rows GROUP BY target, function_id
),
-- model.wages.ilostat_occupation: the country's own earnings of the function's groups, nearest year with all.
ilostat_rows AS (
    SELECT g.target, g.function_id, e.iso3, e.year, e.monthly_usd, g.within_group_factor, e.sources,
        g.within_group_sources
    FROM function_groups g
    JOIN earnings_usd e ON e.occupation = g.isco
        AND e.year BETWEEN g.target - getvariable('max_wage_age_years') AND g.target + getvariable('max_wage_age_years')
),
ilostat_nearest AS (
    SELECT r.target, r.function_id, r.iso3, r.year, avg(r.monthly_usd * r.within_group_factor) AS monthly_usd,
        avg(r.monthly_usd) AS group_usd
    FROM ilostat_rows r JOIN group_counts c USING (function_id)
    GROUP BY r.target, r.function_id, r.iso3, r.year
    HAVING count(*) = any_value(c.n_required)
    QUALIFY row_number() OVER (
        PARTITION BY r.target, r.function_id, r.iso3 ORDER BY abs(r.year - r.target), r.year > r.target
    ) = 1
),
ilostat AS (
    SELECT n.target, n.function_id, n.iso3 AS country_iso3, any_value(n.monthly_usd) AS monthly_usd,
        n.year AS wage_source_year,
        list_sort(list_distinct(flatten(list(r.sources || coalesce(r.within_group_sources, []))))) AS sources,
        'ilostat_occupation' AS wage_method, 1 AS method_rank,
        any_value(n.monthly_usd) / any_value(n.group_usd) AS within_group_factor,
        nullif(any_value(b.within_group_basis), '') AS within_group_basis
    FROM ilostat_nearest n
    JOIN ilostat_rows r USING (target, function_id, iso3, year)
    JOIN group_bases b USING (target, function_id)
    GROUP BY n.target, n.function_id, n.iso3, n.year
),
-- model.wages.national_mean_x_relativity: the national mean times the groups' relativity, per income group.
income_groups AS (SELECT DISTINCT coalesce(income_group, 'unclassified') AS income_group FROM countries),
relativity_groups AS (
    SELECT g.target, i.income_group, g.function_id, g.position, g.within_group_factor, g.within_group_basis,
        g.within_group_sources, coalesce(o.relativity, p.relativity) AS relativity,
        o.relativity IS NULL AS relativity_pooled,
        CASE WHEN o.relativity IS NULL
            THEN format('occupation_relativities ISCO {} / all countries: median of {} countries', g.isco, p.n_countries)
            ELSE format('occupation_relativities ISCO {} / {}: median of {} countries', g.isco, i.income_group,
                o.n_countries)
        END AS relativity_basis,
        coalesce(o.sources, p.sources) AS relativity_sources
    FROM function_groups g
    CROSS JOIN income_groups i
    LEFT JOIN relativity o ON o.isco = g.isco AND o.income_group = i.income_group
    LEFT JOIN pooled_relativity p ON p.isco = g.isco
),
relativity_functions AS (
    SELECT target, income_group, function_id, avg(relativity) AS relativity,
        avg(relativity * within_group_factor) AS factored, bool_or(relativity_pooled) AS relativity_pooled,
        string_agg(relativity_basis, '; ' ORDER BY position) AS relativity_basis,
        string_agg(within_group_basis, '; ' ORDER BY position) AS within_group_basis,
        list_distinct(flatten(list(coalesce(relativity_sources, []) || coalesce(within_group_sources, []))))
            AS relativity_sources
    FROM relativity_groups GROUP BY target, income_group, function_id
),
nearest_means AS (
    SELECT y.target, m.*
    FROM years y JOIN means m
        ON m.year BETWEEN y.target - getvariable('max_wage_age_years') AND y.target + getvariable('max_wage_age_years')
    QUALIFY row_number() OVER (PARTITION BY y.target, m.iso3 ORDER BY abs(m.year - y.target), m.year > y.target) = 1
),
national_mean AS (
    SELECT r.target, r.function_id, c.iso3 AS country_iso3, m.monthly_usd * r.factored AS monthly_usd,
        m.year AS wage_source_year, list_sort(list_distinct(m.sources || r.relativity_sources)) AS sources,
        'national_mean_x_relativity' AS wage_method, 2 AS method_rank,
        r.factored / r.relativity AS within_group_factor, nullif(r.within_group_basis, '') AS within_group_basis,
        r.relativity, r.relativity_basis, r.relativity_pooled, m.mean_basis
    FROM countries c
    JOIN relativity_functions r ON r.income_group = coalesce(c.income_group, 'unclassified')
    JOIN nearest_means m ON m.iso3 = c.iso3 AND m.target = r.target
    WHERE r.relativity IS NOT NULL
),
best AS (
    SELECT * FROM (
        SELECT target, function_id, country_iso3, monthly_usd, wage_source_year, sources, wage_method, method_rank,
            NULL::DOUBLE AS within_group_factor, NULL::VARCHAR AS within_group_basis, NULL::DOUBLE AS relativity,
            NULL::VARCHAR AS relativity_basis, NULL::BOOLEAN AS relativity_pooled, NULL::VARCHAR AS mean_basis
        FROM oews
        UNION ALL
        SELECT target, function_id, country_iso3, monthly_usd, wage_source_year, sources, wage_method, method_rank,
            within_group_factor, within_group_basis, NULL, NULL, NULL, NULL
        FROM ilostat
        UNION ALL
        SELECT target, function_id, country_iso3, monthly_usd, wage_source_year, sources, wage_method, method_rank,
            within_group_factor, within_group_basis, relativity, relativity_basis, relativity_pooled, mean_basis
        FROM national_mean
    )
    QUALIFY row_number() OVER (PARTITION BY target, country_iso3, function_id ORDER BY method_rank) = 1
),
-- model.carry: each series ends at its last year not after the target; a start is carried by the series that gets
-- closest to the target (forward past the start, or back to the target itself).
series_ends AS (
    SELECT y.target, i.iso3, i.series, i.kind, max(i.year) AS reached, arg_max(i.value, i.year) AS end_value,
        arg_max(i.files, i.year) AS end_files
    FROM years y JOIN growth_index i ON i.year <= y.target
    GROUP BY y.target, i.iso3, i.series, i.kind
),
wage_starts AS (
    SELECT DISTINCT target, country_iso3, wage_source_year AS start FROM best WHERE wage_source_year <> target
),
wage_reach AS (
    SELECT s.target, s.country_iso3, s.start, e.reached, e.end_value / i.value AS factor,
        format('growth of {} {} to {}', i.series, s.start, e.reached) AS step, i.files || e.end_files AS files
    FROM wage_starts s
    JOIN growth_index i ON i.kind = 'wage' AND i.iso3 = s.country_iso3 AND i.year = s.start
    JOIN series_ends e ON e.target = s.target AND e.iso3 = i.iso3 AND e.series = i.series
    WHERE CASE WHEN s.start < s.target THEN e.reached > s.start ELSE e.reached = s.target END
    QUALIFY row_number() OVER (PARTITION BY s.target, s.country_iso3, s.start
        ORDER BY abs(e.reached - s.target), i.series) = 1
),
after_wage AS (
    SELECT DISTINCT b.target, b.country_iso3, coalesce(w.reached, b.wage_source_year) AS start
    FROM best b
    LEFT JOIN wage_reach w ON w.target = b.target AND w.country_iso3 = b.country_iso3 AND w.start = b.wage_source_year
),
gdp_reach AS (
    SELECT s.target, s.country_iso3, s.start, e.reached, e.end_value / i.value AS factor,
        format('growth of {} {} to {}', i.series, s.start, e.reached) AS step, i.files || e.end_files AS files
    FROM after_wage s
    JOIN growth_index i ON i.kind = 'gdp' AND i.iso3 = s.country_iso3 AND i.year = s.start
    JOIN series_ends e ON e.target = s.target AND e.iso3 = i.iso3 AND e.series = i.series
    WHERE s.start <> s.target
        AND CASE WHEN s.start < s.target THEN e.reached > s.start ELSE e.reached = s.target END
    QUALIFY row_number() OVER (PARTITION BY s.target, s.country_iso3, s.start
        ORDER BY abs(e.reached - s.target), i.series) = 1
),
carried AS (
    SELECT b.*, w.factor, w.step, w.files, g.reached AS gdp_reached, g.factor AS gdp_factor, g.step AS gdp_step,
        g.files AS gdp_files, d.reason AS distortion,
        coalesce(g.reached, w.reached, b.wage_source_year) AS final,
        concat_ws(', then ', w.step, g.step) AS carried_steps
    FROM best b
    LEFT JOIN wage_reach w ON w.target = b.target AND w.country_iso3 = b.country_iso3 AND w.start = b.wage_source_year
    LEFT JOIN gdp_reach g ON g.target = b.target AND g.country_iso3 = b.country_iso3
        AND g.start = coalesce(w.reached, b.wage_source_year)
    LEFT JOIN gdp_distorted d ON d.iso3 = b.country_iso3
)
SELECT function_id, wage_source_year,
    list_sort(list_distinct(sources || coalesce(files, []) || coalesce(gdp_files, []))) AS sources,
    country_iso3, wage_method, within_group_factor, within_group_basis, relativity, relativity_basis,
    relativity_pooled, mean_basis,
    coalesce(factor, 1.0) * coalesce(gdp_factor, 1.0) AS carry_forward_factor,
    CASE
        WHEN wage_source_year = target THEN 'observed in the benchmark year'
        WHEN carried_steps = '' AND distortion IS NOT NULL
            THEN format('not carried: GDP per capita does not follow wages ({})', distortion)
        WHEN carried_steps = '' THEN format('not carried: no index of the country goes past {}', wage_source_year)
        ELSE carried_steps || CASE
            WHEN final = target THEN ''
            WHEN distortion IS NOT NULL
                THEN format('; not carried past {}: GDP per capita does not follow wages ({})', final, distortion)
            ELSE format('; no index of the country goes past {}', final)
        END
    END AS carry_forward_rule,
    monthly_usd * coalesce(factor, 1.0) * coalesce(gdp_factor, 1.0) AS wage_monthly_usd,
    target::INTEGER AS year
FROM carried
WHERE wage_source_year <= target OR final = target
