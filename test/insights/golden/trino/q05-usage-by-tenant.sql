SELECT "c1_Tenant" AS "o1",
       "c2_Application" AS "o2",
       "c3_TotalTokens" AS "o3",
       "c4_Requests" AS "o4",
       "c5_AvgTokensPerRequest" AS "o5",
       "__matched" AS __matched
FROM (SELECT *, sum("c6_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'tenant_id') AS "c1_Tenant", element_at(request_metadata, 'application_name') AS "c2_Application", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_TotalTokens", count(*) AS "c4_Requests", avg((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c5_AvgTokensPerRequest", count(*) AS "c6_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 AND regexp_like(element_at(request_metadata, 'tenant_id'), 'tenant-') GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c3_TotalTokens" DESC NULLS LAST, "c1_Tenant" ASC NULLS LAST, "c2_Application" ASC NULLS LAST
LIMIT 10001
