SELECT ts AS "o1",
       "md_application_name" AS "o2",
       request_metadata['user_id'] AS "o3",
       input_tokens AS "o4",
       output_tokens AS "o5",
       log_group AS __lg,
       seq AS __seq
FROM events
WHERE ts >= 1767225600000
  AND ts <= 1767311999999
  AND ((input_tokens > 5000) OR (output_tokens > 5000))
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 10001
