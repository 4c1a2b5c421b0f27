SELECT ts AS "o1",
       "md_application_name" AS "o2",
       request_metadata['tenant_id'] AS "o3",
       request_metadata['user_id'] AS "o4",
       input_tokens AS "o5",
       output_tokens AS "o6",
       log_group AS __lg,
       seq AS __seq
FROM events
WHERE ts >= 1767225600000
  AND ts <= 1767311999999
  AND ("md_application_name" = 'CustomerServiceApp')
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 50
