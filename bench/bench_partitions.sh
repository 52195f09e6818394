#!/bin/bash
# Would partitioning the records by year help? (issue 16, item 5; docs/scaling.md)
#
#   DB=tpbis_national bench/bench_partitions.sh
#
# Copies reports_communityengagement (narrow: the columns the queries read) into schema bench_part twice,
# flat and PARTITION BY RANGE (date) one partition a year, with the same indexes, then prints one line per
# query and table from EXPLAIN (ANALYZE, BUFFERS) after a warm run (full plans in $OUT). Writes only
# schema bench_part, dropped at the end unless KEEP=1. Needs psql and a PostgreSQL at 127.0.0.1.
set -euo pipefail
DB=${DB:?database name}
OUT=${OUT:-/tmp/bench-partitions-$DB}
COLS="id, library_id, status, date, date_unknown, participants, participants_male, participants_female, participants_disability"
COVER="(date, library_id) INCLUDE (id, status, participants, participants_male, participants_female, participants_disability)"
psql_() { psql -h 127.0.0.1 -U postgres -d "$DB" -X -q -v ON_ERROR_STOP=1 "$@"; }
mkdir -p "$OUT"
YEARS=$(psql_ -A -t -c "SELECT generate_series(MIN(EXTRACT(YEAR FROM date))::int, MAX(EXTRACT(YEAR FROM date))::int) FROM reports_communityengagement")
{
  echo "DROP SCHEMA IF EXISTS bench_part CASCADE; CREATE SCHEMA bench_part;"
  echo "CREATE TABLE bench_part.ce_flat AS SELECT $COLS FROM public.reports_communityengagement;"
  echo "CREATE TABLE bench_part.ce_part (LIKE bench_part.ce_flat) PARTITION BY RANGE (date);"
  for year in $YEARS; do
    echo "CREATE TABLE bench_part.ce_$year PARTITION OF bench_part.ce_part FOR VALUES FROM ('$year-01-01') TO ('$((year + 1))-01-01');"
  done
  echo "CREATE TABLE bench_part.ce_other PARTITION OF bench_part.ce_part DEFAULT;"
  echo "INSERT INTO bench_part.ce_part SELECT $COLS FROM public.reports_communityengagement;"
  for table in ce_flat ce_part; do
    echo "CREATE INDEX ON bench_part.$table (library_id, status); CREATE INDEX ON bench_part.$table $COVER; ANALYZE bench_part.$table;"
  done
} | psql_
LIB=$(psql_ -A -t -c "SELECT library_id FROM bench_part.ce_flat GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
LAST=$(( $(date +%Y) - 1 ))
while IFS='|' read -r name sql; do
  for table in public.reports_communityengagement bench_part.ce_flat bench_part.ce_part; do
    q=${sql//TABLE/$table}; q=${q//LIB/$LIB}; q=${q//LAST/$LAST}
    psql_ -c "$q" > /dev/null
    file=$OUT/${name%% *}-${table#*.}.txt
    psql_ -A -t -c "EXPLAIN (ANALYZE, BUFFERS) $q" > "$file"
    ms=$(grep -o "Execution Time: [0-9.]*" "$file" | grep -o "[0-9.]*$")
    buffers=$(grep -m1 "Buffers:" "$file" | sed 's/^ *//')
    echo "$name | $table | $ms ms | $buffers"
  done
done <<'Q'
Q1 KPI counts per library, nation, last year|SELECT library_id, COUNT(*) FILTER (WHERE status = 'verified'), SUM(participants) FROM TABLE WHERE status IN ('verified', 'submitted') AND date BETWEEN 'LAST-01-01' AND 'LAST-12-31' GROUP BY library_id
Q2 cut days 15-31 Mar, province 35|SELECT COUNT(*), SUM(r.participants) FROM TABLE r JOIN public.libraries_library l ON l.id = r.library_id WHERE l.province_id = '35' AND r.status IN ('verified', 'submitted') AND r.date BETWEEN 'LAST-03-15' AND 'LAST-03-31'
Q3 cut days 1-14 Aug, nation by kabupaten|SELECT l.regency_id, COUNT(*), SUM(r.participants) FROM TABLE r JOIN public.libraries_library l ON l.id = r.library_id WHERE r.status IN ('verified', 'submitted') AND r.date BETWEEN 'LAST-08-01' AND 'LAST-08-14' GROUP BY l.regency_id
Q4 one library, one year (rapor)|SELECT date_trunc('month', date), COUNT(*), SUM(participants) FROM TABLE WHERE library_id = LIB AND date BETWEEN 'LAST-01-01' AND 'LAST-12-31' GROUP BY 1
Q5 one library, all years (summary rebuild)|SELECT date_trunc('month', date), status, COUNT(*), SUM(participants) FROM TABLE WHERE library_id = LIB GROUP BY 1, 2
Q6 nation, all years, by month|SELECT date_trunc('month', date), COUNT(*) FROM TABLE WHERE status = 'verified' GROUP BY 1
Q
[ "${KEEP:-0}" = 1 ] || psql_ -c "DROP SCHEMA bench_part CASCADE"
