SELECT ts AS "o1",
       element_at(request_metadata, 'user_id') AS "o2",
       log_group AS __lg,
       seq AS __seq
FROM (SELECT * FROM (SELECT *, element_at(request_metadata, 'user_id') AS __d0, row_number() OVER (PARTITION BY element_at(request_metadata, 'user_id') ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST) AS __rn FROM events WHERE ts >= 1767225600000 AND ts <= 1767311999999) WHERE __rn = 1 OR __d0 IS NULL) AS t1
ORDER BY ts DESC NULLS LAST, seq DESC NULLS LAST
LIMIT 20
