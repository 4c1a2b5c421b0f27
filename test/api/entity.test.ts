import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENTITY_DIMENSIONS,
  entityBin,
  entityColumns,
  entityFilter,
  entityPanels,
  entityPath,
  linkableValue,
} from '../../src/contracts/entity.js';
import { matchConsoleRoute } from '../../src/contracts/console-routes.js';
import { parseQuery } from '../../src/insights/parser.js';

test('a result column is a dimension when it is the field or the query aliases the field to it', () => {
  const q =
    'fields requestMetadata.application_name as Application, requestMetadata.team as `Team name`\n| stats count(*) as n by Application, `Team name`, modelId, requestMetadata.tenant_id, requestMetadata.environment';
  const m = entityColumns(
    ['Application', 'Team name', 'modelId', 'requestMetadata.tenant_id', 'requestMetadata.environment', 'n'],
    q,
  );
  assert.deepEqual(Object.fromEntries(m), {
    Application: 'application',
    'Team name': 'team',
    modelId: 'model',
    'requestMetadata.tenant_id': 'tenant',
  });
  // An alias that only starts like the column, or a field that only ends like the dimension's, is not one.
  assert.equal(entityColumns(['App'], 'fields requestMetadata.application_name as Application').size, 0);
  assert.equal(entityColumns(['User'], 'fields xrequestMetadata.user_id as User').size, 0);
  assert.equal(entityColumns(['Application'], 'fields requestMetadata.application_name_v2 as Application').size, 0);
});

test('an entity name is data in every panel query, whatever characters it has; untagged and empty values have no page', () => {
  const hostile = 'o"b\\r | stats count(*) as x\n| filter 1=1';
  for (const dim of ENTITY_DIMENSIONS) {
    for (const p of entityPanels(dim, hostile, 7 * 86_400_000)) {
      const parsed = parseQuery(p.queryString);
      assert.deepEqual(parsed.diagnostics, [], p.queryString);
      // The filter compares the dimension's field with the whole name, as one string literal.
      const first = parsed.query!.commands[0];
      assert.equal(first.kind, 'filter', p.queryString);
      if (first.kind === 'filter') {
        assert.equal(first.condition.kind, 'binary');
        if (first.condition.kind === 'binary')
          assert.deepEqual(first.condition.right.kind === 'string' && first.condition.right.value, hostile);
      }
    }
    assert.ok(entityFilter(dim, hostile).startsWith('filter '));
  }
  assert.equal(entityFilter('team', 'a"b'), 'filter requestMetadata.team = "a\\"b"');
  assert.equal(
    entityPath('model', 'arn:aws:bedrock:us-east-1:1:inference-profile/x y'),
    '/entity/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx%20y',
  );
  // The route gives the name back whole (slashes in an ARN included).
  assert.deepEqual(matchConsoleRoute(entityPath('model', 'a/b:c'))?.params, { dim: 'model', name: 'a/b:c' });
  for (const v of [undefined, '', '(untagged)', 'null']) assert.equal(linkableValue(v), false);
  assert.equal(linkableValue('tenant-acme'), true);
  assert.equal(entityBin(2 * 86_400_000), '1h');
  assert.equal(entityBin(2 * 86_400_000 + 1), '1d');
});
