/**
 * The console's pages and their paths, for the server (which answers 404 for any other path, and
 * index.html for these, so a reload keeps working) and the browser (which shows the page). A new
 * page (a drill-down page, the alarm editor) is one more row here and one `case` in web/src/App.tsx.
 * Pure: no imports.
 */
export type ConsolePage = 'query' | 'dashboards' | 'dashboard' | 'cost' | 'alarms' | 'entity';

export interface ConsoleRoute {
  page: ConsolePage;
  /** `/dashboards/:id`: a `:name` segment matches one non-empty path segment. */
  path: string;
}

export const CONSOLE_ROUTES: readonly ConsoleRoute[] = [
  { page: 'query', path: '/' },
  { page: 'query', path: '/query' },
  { page: 'dashboards', path: '/dashboards' },
  { page: 'dashboard', path: '/dashboards/:id' },
  { page: 'cost', path: '/cost' },
  { page: 'alarms', path: '/alarms' },
  // A drill-down page: dim is application, tenant, user, team or model (src/contracts/entity.ts).
  { page: 'entity', path: '/entity/:dim/:name' },
];

/** The page a path shows and its `:name` segments (decoded); undefined for an unknown path. */
export function matchConsoleRoute(pathname: string): { page: ConsolePage; params: Record<string, string> } | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const segs = path.split('/');
  for (const r of CONSOLE_ROUTES) {
    const want = r.path.split('/');
    if (want.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      if (want[i].startsWith(':')) {
        if (!segs[i]) ok = false;
        else {
          try {
            params[want[i].slice(1)] = decodeURIComponent(segs[i]);
          } catch {
            ok = false;
          }
        }
      } else ok = want[i] === segs[i];
    }
    if (ok) return { page: r.page, params };
  }
  return undefined;
}
