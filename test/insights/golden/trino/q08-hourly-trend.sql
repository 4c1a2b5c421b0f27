SELECT "c1_Hour" AS "o1",
       "c2_Application" AS "o2",
       "c3_TotalTokens" AS "o3",
       "c4_Requests" AS "o4",
       "__matched" AS __matched
FROM (SELECT *, sum("c5_count") OVER () AS __matched FROM (SELECT ((ts) / 3600000 * 3600000) AS "c1_Hour", element_at(request_metadata, 'application_name') AS "c2_Application", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_TotalTokens", count(*) AS "c4_Requests", count(*) AS "c5_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c1_Hour" DESC NULLS LAST, "c2_Application" ASC NULLS LAST
LIMIT 10001
