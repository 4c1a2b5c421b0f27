SELECT "c1_bin__timestamp__5m_" AS "o1",
       "c2_n" AS "o2",
       "__matched" AS __matched
FROM (SELECT *, sum("c3_count") OVER () AS __matched FROM (SELECT ((TRY_CAST((CASE WHEN is_finite((CAST(ts AS DOUBLE) + CAST(3600000 AS DOUBLE))) THEN (CAST(ts AS DOUBLE) + CAST(3600000 AS DOUBLE)) END) AS BIGINT)) / 300000 * 300000) AS "c1_bin__timestamp__5m_", count(*) AS "c2_n", count(*) AS "c3_count", max(ts) AS __ots, max(seq) AS __oseq FROM events WHERE ts >= 1767222000000 AND ts <= 1767308399999 GROUP BY 1) AS s1) AS s2
ORDER BY "c1_bin__timestamp__5m_" DESC NULLS LAST, __ots DESC, __oseq DESC
LIMIT 10001
