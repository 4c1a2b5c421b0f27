SELECT "c1_Tenant" AS "o1",
       "c2_TotalTokens" AS "o2",
       "c3_HighUsageRequests" AS "o3",
       "c4_AvgTokens" AS "o4",
       "__matched" AS __matched
FROM (SELECT *, sum("c5_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'tenant_id') AS "c1_Tenant", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c2_TotalTokens", count(*) AS "c3_HighUsageRequests", avg((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c4_AvgTokens", count(*) AS "c5_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 AND (((element_at(request_metadata, 'environment') = 'production') AND (element_at(request_metadata, 'application_name') = 'CustomerServiceApp')) AND ((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE)) > 100)) GROUP BY 1) AS s1) AS s2
ORDER BY "c2_TotalTokens" DESC NULLS LAST, "c1_Tenant" ASC NULLS LAST
LIMIT 10001
