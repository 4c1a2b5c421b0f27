import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  canonicalRequest,
  sha256Hex,
  signature,
  signingKey,
  stringToSign,
  verifySigV4,
  parseAmzDate,
} from '../../src/cloudwatch/sigv4.js';
import { CwApiError } from '../../src/cloudwatch/errors.js';
import { parseAccessKeyList, loadAccessKeys } from '../../src/cloudwatch/accessKeys.js';

// The published vector from the protocol reference (spec/cloudwatch-logs-api.md §1.5), produced
// with botocore's signer: these hex strings are copied from the spec, not computed here.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const BODY =
  '{"logGroupName":"/bedrock/invocations","startTime":1700000000,"endTime":1700003600,"queryString":"stats count(*) by bin(5m)"}';
const SIG = 'b439ff638ac10a7cebd35c1ae3b538eeb24ab2f93e3efad399579787fc330058';
const headers = () => ({
  'content-type': 'application/x-amz-json-1.1',
  host: '127.0.0.1:4566',
  'x-amz-date': '20240115T120000Z',
  'x-amz-target': 'Logs_20140328.StartQuery',
  authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/logs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${SIG}`,
});
const NOW = parseAmzDate('20240115T120100Z');
const keys = new Map([['AKIDEXAMPLE', SECRET]]);

test('the spec vector: payload hash, canonical request hash and signature', () => {
  const body = Buffer.from(BODY);
  assert.equal(sha256Hex(body), 'deb7413e643898e5c45f5766a06f8dcec3c562c94545a8cc66df224488161eca');
  const creq = canonicalRequest(
    { method: 'POST', path: '/', headers: headers(), rawBody: body },
    ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
    sha256Hex(body),
  );
  assert.equal(sha256Hex(creq), 'b0f7db6953ff02f426932046ff4ea963aa0c205bc5f864e9b71758a90dde1b26');
  const sts = stringToSign('20240115T120000Z', '20240115/us-east-1/logs/aws4_request', creq);
  assert.equal(signature(signingKey(SECRET, '20240115', 'us-east-1'), sts), SIG);
});

test('verifySigV4 accepts the vector and reports the caller', () => {
  const caller = verifySigV4(
    { method: 'POST', path: '/', headers: headers(), rawBody: Buffer.from(BODY) },
    { keys, now: NOW },
  );
  assert.deepEqual(caller, { accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1' });
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CwApiError);
    return e.code;
  }
  return 'no error';
}

test('a tampered body, header or signature is InvalidSignatureException', () => {
  const h = headers();
  assert.equal(
    code(() =>
      verifySigV4(
        { method: 'POST', path: '/', headers: h, rawBody: Buffer.from(BODY.replace('5m', '1m')) },
        { keys, now: NOW },
      ),
    ),
    'InvalidSignatureException',
  );
  assert.equal(
    code(() =>
      verifySigV4(
        {
          method: 'POST',
          path: '/',
          headers: { ...h, 'x-amz-target': 'Logs_20140328.DeleteLogGroup' },
          rawBody: Buffer.from(BODY),
        },
        { keys, now: NOW },
      ),
    ),
    'InvalidSignatureException',
  );
  const flipped = h.authorization.replace(/Signature=b/, 'Signature=c');
  assert.equal(
    code(() =>
      verifySigV4(
        { method: 'POST', path: '/', headers: { ...h, authorization: flipped }, rawBody: Buffer.from(BODY) },
        { keys, now: NOW },
      ),
    ),
    'InvalidSignatureException',
  );
  assert.equal(
    code(() =>
      verifySigV4(
        { method: 'POST', path: '/', headers: h, rawBody: Buffer.from(BODY) },
        { keys: new Map([['AKIDEXAMPLE', 'other']]), now: NOW },
      ),
    ),
    'InvalidSignatureException',
  );
});

test('unknown key, missing header, malformed header and clock skew get their own codes', () => {
  const h = headers();
  const req = (hh: Record<string, string>) => ({ method: 'POST', path: '/', headers: hh, rawBody: Buffer.from(BODY) });
  assert.equal(
    code(() => verifySigV4(req(h), { keys: new Map([['OTHER', SECRET]]), now: NOW })),
    'UnrecognizedClientException',
  );
  const { authorization: _a, ...noAuth } = h;
  void _a;
  assert.equal(
    code(() => verifySigV4(req(noAuth), { keys, now: NOW })),
    'MissingAuthenticationTokenException',
  );
  assert.equal(
    code(() =>
      verifySigV4(
        req({ ...h, authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240115/us-east-1/logs/aws4_request' }),
        { keys, now: NOW },
      ),
    ),
    'IncompleteSignatureException',
  );
  assert.equal(
    code(() => verifySigV4(req({ ...h, authorization: 'Bearer abc' }), { keys, now: NOW })),
    'IncompleteSignatureException',
  );
  // 6 minutes late and 6 minutes early are both outside the 5-minute window.
  let msg = '';
  try {
    verifySigV4(req(h), { keys, now: parseAmzDate('20240115T120600Z') });
  } catch (e) {
    msg = (e as Error).message;
    assert.equal((e as CwApiError).code, 'InvalidSignatureException');
  }
  assert.match(
    msg,
    /^Signature expired: 20240115T120000Z is now earlier than 20240115T120100Z \(20240115T120600Z - 5 min\.\)$/,
  );
  assert.equal(
    code(() => verifySigV4(req(h), { keys, now: parseAmzDate('20240115T115400Z') })),
    'InvalidSignatureException',
  );
});

test('a declared x-amz-content-sha256 must equal the body hash', () => {
  const h = { ...headers(), 'x-amz-content-sha256': '0'.repeat(64) };
  assert.equal(
    code(() => verifySigV4({ method: 'POST', path: '/', headers: h, rawBody: Buffer.from(BODY) }, { keys, now: NOW })),
    'InvalidSignatureException',
  );
});

test('access keys from the environment form and a config file', async () => {
  const m = parseAccessKeyList('AK1:s/e+c:ret, AK2:two');
  assert.deepEqual(
    [...m],
    [
      ['AK1', 's/e+c:ret'],
      ['AK2', 'two'],
    ],
  );
  assert.throws(() => parseAccessKeyList('AK1'), /entry 1/);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'h8-keys-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ accessKeys: [{ accessKeyId: 'CF', secretAccessKey: 'fromfile' }] }));
  const all = loadAccessKeys({ configPath: path, env: { BEDROCK_INSIGHTS_ACCESS_KEYS: 'EV:fromenv' } });
  assert.equal(all.get('CF'), 'fromfile');
  assert.equal(all.get('EV'), 'fromenv');
});
