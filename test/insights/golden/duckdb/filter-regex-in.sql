SELECT ts AS "o1",
       model_id AS "o2",
       log_group AS __lg,
       seq AS __seq
FROM events
WHERE ts >= 1767225600000
  AND ts <= 1767311999999
  AND ((regexp_matches(model_id, '(?i)claude') AND (operation IN ('Converse', 'ConverseStream'))) AND (NOT coalesce(contains((CASE json_type(json_extract(message, '/status')) WHEN 'VARCHAR' THEN json_extract_string(json_extract(message, '/status'), '$') WHEN 'BOOLEAN' THEN (CASE WHEN CAST(json_extract(message, '/status') AS VARCHAR) = 'true' THEN '1' ELSE '0' END) WHEN 'NULL' THEN NULL WHEN 'OBJECT' THEN NULL WHEN 'ARRAY' THEN NULL ELSE CAST(json_extract(message, '/status') AS VARCHAR) END), '2'), FALSE)))
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 10001
