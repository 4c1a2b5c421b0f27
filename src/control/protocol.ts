import { z } from 'zod';

/**
 * The control channel's messages. The client posts a command line to `POST /control/run`; the
 * answer is a stream of JSON lines: the run's id, then the command's output as it is written,
 * then its exit status. `POST /control/cancel` with the id is the client's Ctrl-C.
 */

export const RUN_PATH = '/control/run';
export const CANCEL_PATH = '/control/cancel';
/** The header that carries the control token (not Authorization: that one is the console's). */
export const TOKEN_HEADER = 'x-bedrock-insights-control';

export { THROUGH_SERVER } from './through-server.js';

export const RunRequestSchema = z.object({
  /** The command line after the program name, with every path made absolute by the client. */
  args: z.array(z.string().max(1_000_000)).min(1).max(10_000),
  tty: z.object({
    stdout: z.boolean(),
    stderr: z.boolean(),
    columns: z.number().int().min(0).max(10_000),
  }),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;

export const CancelRequestSchema = z.object({ run: z.string().min(1).max(100) });

export const FrameSchema = z.union([
  z.object({ run: z.string() }),
  z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.object({ exit: z.number().int() }),
]);
export type Frame = z.infer<typeof FrameSchema>;
