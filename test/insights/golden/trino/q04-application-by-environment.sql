SELECT "c1_Application" AS "o1",
       "c2_Environment" AS "o2",
       "c3_TokenUsage" AS "o3",
       "c4_Requests" AS "o4",
       "c5_AvgTokens" AS "o5",
       "__matched" AS __matched
FROM (SELECT *, sum("c6_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'application_name') AS "c1_Application", element_at(request_metadata, 'environment') AS "c2_Environment", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_TokenUsage", count(*) AS "c4_Requests", avg((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c5_AvgTokens", count(*) AS "c6_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c3_TokenUsage" DESC NULLS LAST, "c1_Application" ASC NULLS LAST, "c2_Environment" ASC NULLS LAST
LIMIT 10001
