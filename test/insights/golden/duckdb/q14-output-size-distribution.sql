SELECT "c1_App" AS "o1",
       "c2_MinOutput" AS "o2",
       "c3_MaxOutput" AS "o3",
       "c4_AvgOutput" AS "o4",
       "c5_MedianOutput" AS "o5",
       "c6_P95Output" AS "o6",
       "__matched" AS __matched
FROM (SELECT *, sum("c7_count") OVER () AS __matched FROM (SELECT "md_application_name" AS "c1_App", min(output_tokens) AS "c2_MinOutput", max(output_tokens) AS "c3_MaxOutput", avg(output_tokens) AS "c4_AvgOutput", quantile_disc(output_tokens, 5e-1::DOUBLE) AS "c5_MedianOutput", quantile_disc(output_tokens, 9.5e-1::DOUBLE) AS "c6_P95Output", count(*) AS "c7_count", max(ts) AS __ots, max(seq) AS __oseq FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999 GROUP BY 1) AS s1) AS s2
ORDER BY __ots DESC, __oseq DESC, "c1_App" ASC NULLS LAST
LIMIT 10001
