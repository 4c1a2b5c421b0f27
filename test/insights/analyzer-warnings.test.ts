/**
 * Warnings of the analyzer that say what a query really does: bodies not kept (from what the
 * catalog knows of each log group), periods capped, fields referenced after stats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, type CatalogInfo } from '../../src/insights/compile.js';

const BEDROCK = ['modelId', 'schemaType', 'operation', 'input.inputTokenCount', 'requestId'];

function catalog(groups: Record<string, string[]>): CatalogInfo {
  return {
    logGroups: Object.keys(groups).map((name) => ({ name, genericEvents: 0 })),
    fieldsByGroup: new Map(Object.entries(groups).map(([g, f]) => [g, new Set(f)])),
  };
}

function codes(q: string, cat: CatalogInfo, logGroups?: string[]): string[] {
  const c = compileQuery(q, { catalog: cat, ...(logGroups ? { request: { logGroups } } : {}) });
  return c.diagnostics.map((d) => d.code);
}

test('BODIES_NOT_KEPT: only over Bedrock groups whose records have no body text, once per query', () => {
  // The default ingest keeps a body's role, usage, metrics and stop reason (src/logs/bodies.ts):
  // those fields say nothing about whether the text was kept; a prompt's text does.
  const stripped = catalog({
    '/b': [...BEDROCK, 'input.inputBodyJson.messages.0.role', 'output.outputBodyJson.stopReason'],
  });
  const kept = catalog({ '/b': [...BEDROCK, 'input.inputBodyJson.messages.0.content.0.text'] });
  const app = catalog({ '/app': ['level', 'msg'] });
  const q = 'fields input.inputBodyJson.messages.0.content.0.text as t | filter @message like /hello/';
  assert.deepEqual(codes(q, stripped), ['BODIES_NOT_KEPT']);
  // A field the default ingest keeps (a stream chunk's metrics at a position this store never has) is
  // simply never seen: keeping bodies would not bring it.
  assert.deepEqual(
    codes('fields `output.outputBodyJson.0.amazon-bedrock-invocationMetrics.firstByteLatency` as t', stripped),
    ['FIELD_NEVER_SEEN'],
  );
  // With bodies kept, an unknown body path is an ordinary field never seen; @message matching is fine.
  assert.deepEqual(codes('fields input.inputBodyJson.messages.0.content.1.text as t', kept), ['FIELD_NEVER_SEEN']);
  assert.deepEqual(codes('filter @message like /hello/', kept), []);
  // A group without Bedrock records says nothing about bodies.
  assert.deepEqual(codes('filter @message like /hello/', app), []);
  // parse of @message warns too; a parse of another field does not.
  assert.deepEqual(codes('parse @message "x=*" as x', stripped), ['BODIES_NOT_KEPT']);
  assert.deepEqual(codes('parse modelId "x*" as x', stripped), []);
  // strcontains searches @message as like does; on another field, or with bodies kept, it says nothing.
  assert.deepEqual(codes('filter strcontains(@message, "my prompt")', stripped), ['BODIES_NOT_KEPT']);
  assert.deepEqual(codes('filter strcontains(modelId, "claude")', stripped), []);
  assert.deepEqual(codes('filter strcontains(@message, "my prompt")', kept), []);
  // Selecting only the group that kept bodies, or any group that kept them, silences it.
  const both = catalog({ '/b': BEDROCK, '/k': [...BEDROCK, 'output.outputBodyJson.output.message.content.0.text'] });
  assert.deepEqual(codes('filter @message like /hello/', both), []);
  assert.deepEqual(codes('filter @message like /hello/', both, ['/b']), ['BODIES_NOT_KEPT']);
});

test('PERIOD_CAPPED: only for amounts over the cap, with the spelling meant', () => {
  const cat = catalog({ '/b': BEDROCK });
  assert.deepEqual(codes('stats count(*) by bin(60s), bin(60m), bin(24h), bin(1000ms), bin(400d)', cat), []);
  const c = compileQuery('stats count(*) by bin(86400s)', { catalog: cat });
  assert.deepEqual(
    c.diagnostics.map((d) => [d.code, d.suggestion]),
    [['PERIOD_CAPPED', '1d']],
  );
  assert.equal(compileQuery('stats count(*) by bin(90s)', { catalog: cat }).diagnostics[0]?.suggestion, undefined);
  assert.equal(
    compileQuery('stats rate(input.inputTokenCount, 120m)', { catalog: cat }).diagnostics[0]?.suggestion,
    '2h',
  );
});

test('FIELD_AFTER_STATS: a warning (once per field) outside a second stats, an error inside it', () => {
  const cat = catalog({ '/b': BEDROCK });
  assert.deepEqual(codes('stats count(*) as n by modelId | sort @timestamp desc | filter @timestamp > 1', cat), [
    'FIELD_AFTER_STATS',
  ]);
  assert.deepEqual(codes('stats count(*) as n by modelId | stats max(requestId)', cat), ['FIELD_NOT_AVAILABLE']);
  const c = compileQuery('stats count(*) as requests by modelId | sort request desc', { catalog: cat });
  assert.equal(c.diagnostics[0]?.suggestion, 'requests');
  assert.ok(c.plan);
});

test('a catalog that does not know the log groups (check without a store) warns instead of refusing them', () => {
  const unknown: CatalogInfo = { logGroups: [], fieldsByGroup: new Map(), logGroupsKnown: false };
  const c = compileQuery("SOURCE '/aws/bedrock/modelinvocations' | stats count(*)", { catalog: unknown });
  assert.ok(c.plan);
  assert.deepEqual(
    c.diagnostics.map((d) => [d.code, d.severity]),
    [['LOG_GROUP_UNSEEN', 'warning']],
  );
  assert.deepEqual(c.plan.source.names, ['/aws/bedrock/modelinvocations']);
  const prefix = compileQuery("SOURCE logGroups(namePrefix: ['/aws/bedrock']) | fields @message", { catalog: unknown });
  assert.deepEqual(
    prefix.diagnostics.map((d) => d.code),
    ['LOG_GROUP_UNSEEN'],
  );
  // The store's catalog knows its groups: an unknown one is the error StartQuery gives.
  const known = compileQuery("SOURCE '/nosuch' | stats count(*)", { catalog: catalog({ '/b': BEDROCK }) });
  assert.equal(known.plan, undefined);
  assert.deepEqual(
    known.diagnostics.map((d) => d.code),
    ['LOG_GROUP_NOT_FOUND'],
  );
});
