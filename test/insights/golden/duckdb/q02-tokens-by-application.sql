SELECT "c1_Application" AS "o1",
       "c2_TotalInputTokens" AS "o2",
       "c3_TotalOutputTokens" AS "o3",
       "c4_TotalTokens" AS "o4",
       "c5_TotalRequests" AS "o5",
       "c6_AvgTokensPerRequest" AS "o6",
       "__matched" AS __matched
FROM (SELECT *, sum("c7_count") OVER () AS __matched FROM (SELECT "md_application_name" AS "c1_Application", sum(input_tokens) AS "c2_TotalInputTokens", sum(output_tokens) AS "c3_TotalOutputTokens", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c4_TotalTokens", count(*) AS "c5_TotalRequests", avg((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c6_AvgTokensPerRequest", count(*) AS "c7_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1) AS s1) AS s2
ORDER BY "c4_TotalTokens" DESC NULLS LAST, "c1_Application" ASC NULLS LAST
LIMIT 10001
