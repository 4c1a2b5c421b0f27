// Real queries that ran on CloudWatch (../shared/research/real-cloudwatch-outputs.md, entries
// O2, O6, O7, O8 and the related exports) and official doc examples. Shared by the parser tests
// and the fuzz test's seeds.

export const REAL_QUERIES: Record<string, string> = {
  O2: 'filter @type = "REPORT" | stats max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB by bin(5m)',
  O6: String.raw`fields @message
| filter @message like /303947c8ee7a\tazul.chalice/
| filter @message not like 'not authenticate'
| parse @message 'azul.*\t*' as logger, log_message
| display logger, log_message
| sort @timestamp asc
| limit 10000`,
  O7: `fields @timestamp, @message
| filter status not like '200' or @ message like /not authorized/
# | filter @logStream like /c3d4d115ab039d325f8eaf7486eaa43f|75c76f2178c851248fb7ce1e2482b3c7/
| parse @log ":*" as stream
| sort @timestamp desc
| limit 7`,
  O8: String.raw`fields @timestamp, httpMethod as method, identity_sourceIp as sourceIp, responseLatency as latency, identity_userAgent as userAgent
| filter status like /5\d\d/
| parse path /(?<path_str>.*?)(\/[a-zA-Z0-9]+-[a-zA-Z0-9-]+)?(\/(lMQ|ksQ)[a-zA-Z0-9_=-]+)?$/ # chop off UUID & manifest hash from path
| display @timestamp, sourceIp, method, path_str, error_responseType, status, latency, userAgent, integration_requestId
# | display @timestamp, @message
| sort by @timestamp asc
| limit 1000`,
  O8b: 'stats count(*) as num by bean_id, client_ip | sort client_ip asc, num desc',
  O8c: 'fields @timestamp, status, @message | sort @timestamp asc | display @timestamp, status, @message',
  O8d: 'filter @requestId like /8e80f2fe/ | stats count(*) as num by bean_id | sort by num desc',
  grafana:
    'FIELDS strlen(@message) AS message_length | STATS sum(message_length)/1024/1024 as logs_mb BY bin(5m) | STATS max(logs_mb) AS peak_ingest_mb, min(logs_mb) AS min_ingest_mb, avg(logs_mb) AS avg_ingest_mb',
  docStats: `stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,
      max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,
      provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB`,
  docMultiStats: 'STATS sum(len) AS b, max(@timestamp) as @t BY @logStream\n| STATS avg(b) BY dateceil(@t, 5m)',
  docInvalidRef: '| STATS MAX(strlen(@message)) AS MaxMessageSize # Invalid reference to @message'.slice(2),
  docUnnest: 'fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = "internal"',
  docJoinFilter: 'filter !ispresent(payment.eventType)',
  docSession: 'STATS count_distinct(ip) AS session_ips BY session | FILTER session_ips > 1 | STATS count(*)',
};
