SELECT ts AS "o1",
       "md_application_name" AS "o2",
       request_metadata['application_id'] AS "o3",
       "md_environment" AS "o4",
       model_id AS "o5",
       input_tokens AS "o6",
       output_tokens AS "o7",
       log_group AS __lg,
       seq AS __seq
FROM events
WHERE ts >= 1767225600000
  AND ts <= 1767311999999
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 100
