SELECT "c1_Day" AS "o1",
       "c2_Application" AS "o2",
       "c3_DailyTokens" AS "o3",
       "c4_DailyRequests" AS "o4",
       "__matched" AS __matched
FROM (SELECT *, sum("c5_count") OVER () AS __matched FROM (SELECT ((ts) // 86400000 * 86400000) AS "c1_Day", "md_application_name" AS "c2_Application", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_DailyTokens", count(*) AS "c4_DailyRequests", count(*) AS "c5_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c1_Day" DESC NULLS LAST, "c2_Application" ASC NULLS LAST
LIMIT 10001
