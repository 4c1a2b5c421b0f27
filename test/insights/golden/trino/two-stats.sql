SELECT "c5_tenant" AS "o1",
       "c6_mean" AS "o2",
       "c7_peak" AS "o3",
       "__matched" AS __matched
FROM (SELECT "c1_tenant" AS "c5_tenant", avg("c3_t") AS "c6_mean", max("c3_t") AS "c7_peak", max("__matched") AS "__matched", min(__pos) AS __opos FROM (SELECT *, row_number() OVER (ORDER BY "c2_bin_1h_" DESC NULLS LAST, __ots DESC, __oseq DESC, "c1_tenant" ASC NULLS LAST) AS __pos FROM (SELECT *, sum("c4_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'tenant_id') AS "c1_tenant", ((ts) / 3600000 * 3600000) AS "c2_bin_1h_", sum(input_tokens) AS "c3_t", count(*) AS "c4_count", max(ts) AS __ots, max(seq) AS __oseq FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2) AS t3 GROUP BY 1) AS s4
ORDER BY __opos ASC, "c5_tenant" ASC NULLS LAST
LIMIT 10001
