import type { FastifyInstance } from 'fastify';

/**
 * `POST /` belongs to the CloudWatch Logs JSON 1.1 API (X-Amz-Target: Logs_20140328.<Operation>),
 * mounted through ServerOptions.cloudWatchApi by src/cloudwatch. When nothing is mounted there,
 * `POST /` answers with an AWS-shaped error, so AWS clients get a clear message rather than HTML.
 * Nothing else in the console may use `POST /`.
 */
export function registerCloudWatchFallback(app: FastifyInstance): void {
  // Encapsulated, so its catch-all body parser applies to this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
    scope.post('/', { config: { auth: 'none' } }, async (_req, reply) => {
      return reply
        .code(400)
        .header('content-type', 'application/x-amz-json-1.1')
        .send(
          JSON.stringify({
            __type: 'UnknownOperationException',
            message: 'The CloudWatch Logs API is not enabled on this server.',
          }),
        );
    });
  });
}
