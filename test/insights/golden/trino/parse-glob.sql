SELECT "c2_bin_5m_" AS "o1",
       "c3_errors" AS "o2",
       "__matched" AS __matched
FROM (SELECT *, sum("c4_count") OVER () AS __matched FROM (SELECT ((ts) / 300000 * 300000) AS "c2_bin_5m_", count(*) AS "c3_errors", count(*) AS "c4_count", max(ts) AS __ots, max(seq) AS __oseq FROM (SELECT *, (CASE WHEN regexp_like(message, '(?s)"status":(.*?),') THEN coalesce(regexp_extract(message, '(?s)"status":(.*?),', 1), '') END) AS "c1_st" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999) AS t1 WHERE (CASE WHEN TRY_CAST(CASE WHEN regexp_like("c1_st", '^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$') THEN "c1_st" END AS DOUBLE) IS NOT NULL AND 400 IS NOT NULL THEN TRY_CAST(CASE WHEN regexp_like("c1_st", '^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$') THEN "c1_st" END AS DOUBLE) >= 400 ELSE "c1_st" >= '400' END) GROUP BY 1) AS s2) AS s3
ORDER BY "c2_bin_5m_" DESC NULLS LAST, __ots DESC, __oseq DESC
LIMIT 10001
