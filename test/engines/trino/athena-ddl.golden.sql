CREATE EXTERNAL TABLE IF NOT EXISTS bedrock.invocations (
  `timestamp` string,
  `accountid` string,
  `region` string,
  `requestid` string,
  `operation` string,
  `modelid` string,
  `identity` struct<arn:string>,
  `input` struct<inputcontenttype:string,inputbodyjson:string,inputbodys3path:string,inputtokencount:bigint,cachereadinputtokencount:bigint,cachewriteinputtokencount:bigint>,
  `output` struct<outputcontenttype:string,outputbodyjson:string,outputbodys3path:string,outputtokencount:bigint>,
  `inferenceregion` string,
  `errorcode` string,
  `requestmetadata` map<string,string>,
  `schematype` string,
  `schemaversion` string
)
PARTITIONED BY (
  `log_account` string,
  `log_region` string,
  `log_hour` string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://my-bedrock-logs/team-a/AWSLogs/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.log_account.type' = 'enum',
  'projection.log_account.values' = '111122223333,444455556666',
  'projection.log_region.type' = 'enum',
  'projection.log_region.values' = 'eu-central-1,us-east-1',
  'projection.log_hour.type' = 'date',
  'projection.log_hour.format' = 'yyyy/MM/dd/HH',
  'projection.log_hour.range' = '2025/01/01/00,NOW',
  'projection.log_hour.interval' = '1',
  'projection.log_hour.interval.unit' = 'HOURS',
  'storage.location.template' = 's3://my-bedrock-logs/team-a/AWSLogs/${log_account}/BedrockModelInvocationLogs/${log_region}/${log_hour}'
)
