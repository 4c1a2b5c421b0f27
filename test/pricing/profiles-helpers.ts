import { createServer } from 'node:http';

export type Answer = { status: number; body: unknown; errorType?: string };

/**
 * Bedrock's control plane for GET /inference-profiles/{identifier} (REST-JSON), answering by the
 * decoded identifier; it records the SigV4 scope of each call to check region and service.
 */
export async function fakeBedrock(answers: Map<string, Answer>) {
  const seen: { method: string; id: string; region: string; service: string }[] = [];
  const server = createServer((req, res) => {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const m = /^\/inference-profiles\/([^/?]+)$/.exec(req.url ?? '');
    const id = m ? decodeURIComponent(m[1]) : '';
    seen.push({ method: req.method ?? '', id, region: scope?.[1] ?? '', service: scope?.[2] ?? '' });
    const a = req.method === 'GET' ? answers.get(id) : undefined;
    if (!a) {
      res
        .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        .end(JSON.stringify({ message: `Inference profile ${id} not found` }));
      return;
    }
    res
      .writeHead(a.status, {
        'content-type': 'application/json',
        ...(a.errorType ? { 'x-amzn-errortype': a.errorType } : {}),
      })
      .end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function profile(arn: string, name: string, modelArns: string[]): Answer {
  return {
    status: 200,
    body: {
      inferenceProfileName: name,
      inferenceProfileArn: arn,
      inferenceProfileId: arn.split('/')[1],
      description: 'test',
      createdAt: '2026-10-01T00:00:00Z',
      updatedAt: '2026-10-01T00:00:00Z',
      status: 'ACTIVE',
      type: 'APPLICATION',
      models: modelArns.map((modelArn) => ({ modelArn })),
    },
  };
}
