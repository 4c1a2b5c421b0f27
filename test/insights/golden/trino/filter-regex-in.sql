SELECT ts AS "o1",
       model_id AS "o2",
       log_group AS __lg,
       seq AS __seq
FROM events
WHERE ts >= 1767225600000
  AND ts <= 1767311999999
  AND ((regexp_like(model_id, '(?i)claude') AND (operation IN ('Converse', 'ConverseStream'))) AND (NOT coalesce((strpos((CASE WHEN json_format(json_extract(message, '$["status"]')) IS NULL OR json_format(json_extract(message, '$["status"]')) = 'null' THEN NULL WHEN json_format(json_extract(message, '$["status"]')) = 'true' THEN '1' WHEN json_format(json_extract(message, '$["status"]')) = 'false' THEN '0' WHEN substr(json_format(json_extract(message, '$["status"]')), 1, 1) IN ('{', '[') THEN NULL WHEN substr(json_format(json_extract(message, '$["status"]')), 1, 1) = '"' THEN json_extract_scalar(json_format(json_extract(message, '$["status"]')), '$') ELSE json_format(json_extract(message, '$["status"]')) END), '2') > 0), FALSE)))
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 10001
