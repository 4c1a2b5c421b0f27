SELECT "c1_IAMRole" AS "o1",
       "c2_App" AS "o2",
       "c3_Tenant" AS "o3",
       "c4_TotalTokens" AS "o4",
       "c5_Requests" AS "o5",
       "__matched" AS __matched
FROM (SELECT *, sum("c6_count") OVER () AS __matched FROM (SELECT identity_arn AS "c1_IAMRole", "md_application_name" AS "c2_App", request_metadata['tenant_id'] AS "c3_Tenant", sum((CASE WHEN isfinite((CAST(input_tokens AS DOUBLE) + CAST(NULL AS DOUBLE))) THEN (CAST(input_tokens AS DOUBLE) + CAST(NULL AS DOUBLE)) END)) AS "c4_TotalTokens", count(*) AS "c5_Requests", count(*) AS "c6_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2, 3) AS s1) AS s2
ORDER BY "c4_TotalTokens" DESC NULLS LAST, "c1_IAMRole" ASC NULLS LAST, "c2_App" ASC NULLS LAST, "c3_Tenant" ASC NULLS LAST
LIMIT 10001
