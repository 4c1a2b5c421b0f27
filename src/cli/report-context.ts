import { reportContext, type ReportContext } from '../reports/context.js';
import { withStore, type StoreFlags } from './store.js';

/**
 * The report commands' store and engine (chargeback, reconcile, report, daily, monthly): the store
 * opened the one way (`withStore`: it must exist; read-write, because what ingest left unpriced is
 * priced first), the engine closed whatever happens.
 */
export async function withReportContext<T>(flags: StoreFlags, fn: (ctx: ReportContext) => Promise<T>): Promise<T> {
  return withStore(flags, 'write', async (store) => {
    const ctx = await reportContext(store);
    try {
      return await fn(ctx);
    } finally {
      await ctx.close();
    }
  });
}
