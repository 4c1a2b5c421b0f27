SELECT "c1_Tenant" AS "o1",
       "c2_User" AS "o2",
       "c3_TotalTokens" AS "o3",
       "c4_RequestCount" AS "o4",
       "__matched" AS __matched
FROM (SELECT *, sum("c5_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'tenant_id') AS "c1_Tenant", element_at(request_metadata, 'user_id') AS "c2_User", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_TotalTokens", count(*) AS "c4_RequestCount", count(*) AS "c5_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c3_TotalTokens" DESC NULLS LAST, "c1_Tenant" ASC NULLS LAST, "c2_User" ASC NULLS LAST
LIMIT 10
