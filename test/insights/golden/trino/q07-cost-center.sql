SELECT "c1_CostCenter" AS "o1",
       "c2_Team" AS "o2",
       "c3_TotalTokens" AS "o3",
       "c4_Requests" AS "o4",
       "__matched" AS __matched
FROM (SELECT *, sum("c5_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'cost_center') AS "c1_CostCenter", element_at(request_metadata, 'team') AS "c2_Team", sum((CAST(input_tokens AS DOUBLE) + CAST(output_tokens AS DOUBLE))) AS "c3_TotalTokens", count(*) AS "c4_Requests", count(*) AS "c5_count" FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1, 2) AS s1) AS s2
ORDER BY "c3_TotalTokens" DESC NULLS LAST, "c1_CostCenter" ASC NULLS LAST, "c2_Team" ASC NULLS LAST
LIMIT 10001
