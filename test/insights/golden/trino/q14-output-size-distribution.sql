SELECT "c1_App" AS "o1",
       "c2_MinOutput" AS "o2",
       "c3_MaxOutput" AS "o3",
       "c4_AvgOutput" AS "o4",
       "c5_MedianOutput" AS "o5",
       "c6_P95Output" AS "o6",
       "__matched" AS __matched
FROM (SELECT *, sum("c7_count") OVER () AS __matched FROM (SELECT element_at(request_metadata, 'application_name') AS "c1_App", min(output_tokens) AS "c2_MinOutput", max(output_tokens) AS "c3_MaxOutput", avg(output_tokens) AS "c4_AvgOutput", element_at(array_sort(array_agg(output_tokens) FILTER (WHERE output_tokens IS NOT NULL)), CAST(greatest(1, ceil(5E-1 * count(output_tokens))) AS BIGINT)) AS "c5_MedianOutput", element_at(array_sort(array_agg(output_tokens) FILTER (WHERE output_tokens IS NOT NULL)), CAST(greatest(1, ceil(9.5E-1 * count(output_tokens))) AS BIGINT)) AS "c6_P95Output", count(*) AS "c7_count", max(ts) AS __ots, max(seq) AS __oseq FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1) AS s1) AS s2
ORDER BY __ots DESC, __oseq DESC, "c1_App" ASC NULLS LAST
LIMIT 10001
