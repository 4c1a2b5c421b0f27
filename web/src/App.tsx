import { Component, Suspense, lazy, useEffect, useState, type ReactNode } from 'react';
import { api, type LanguageCatalog, type LogGroupInfo } from './api';

// Each page is its own chunk: a dashboard does not load the editor, the query page loads it once.
const QueryPage = lazy(() => import('./query/QueryPage').then((m) => ({ default: m.QueryPage })));
const DashboardsPage = lazy(() => import('./dashboard/DashboardPage').then((m) => ({ default: m.DashboardsPage })));
const CostPage = lazy(() => import('./cost/CostPage').then((m) => ({ default: m.CostPage })));
const EntityPage = lazy(() => import('./entity/EntityPage').then((m) => ({ default: m.EntityPage })));
const AlarmsPage = lazy(() => import('./alarms/AlarmsPage').then((m) => ({ default: m.AlarmsPage })));
import { navigate, useLocation } from './url';
import { matchConsoleRoute, type ConsolePage } from '../../src/contracts/console-routes';

/** Never a blank page: a render error shows what happened and how to get back. */
class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="page-error" role="alert">
          <h2>Something went wrong in the console</h2>
          <p>{this.state.error.message}</p>
          <button
            type="button"
            className="btn primary"
            onClick={() => {
              this.setState({ error: null });
              navigate('/query');
            }}
          >
            Back to Logs Insights
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

function NavLink(props: { to: string; active: boolean; children: ReactNode; testId?: string }) {
  return (
    <a
      href={props.to}
      className={props.active ? 'active' : ''}
      data-testid={props.testId}
      onClick={(e) => {
        if (!e.metaKey && !e.ctrlKey) {
          e.preventDefault();
          navigate(props.to);
        }
      }}
    >
      {props.children}
    </a>
  );
}

/** An unknown path (the server answered 404 with this page). */
function NotFound({ path }: { path: string }) {
  return (
    <div className="page-error" role="alert" data-testid="not-found">
      <h2>Page not found</h2>
      <p>
        The console has no page at <code>{path}</code>.
      </p>
      <button type="button" className="btn primary" onClick={() => navigate('/query')}>
        Open Logs Insights
      </button>
    </div>
  );
}

export function App() {
  const loc = useLocation();
  const route = matchConsoleRoute(loc.path);
  const page: ConsolePage | 'notFound' = route?.page ?? 'notFound';
  const [language, setLanguage] = useState<LanguageCatalog | null>(null);
  const [groups, setGroups] = useState<LogGroupInfo[]>([]);
  const [groupsError, setGroupsError] = useState<string>();
  const [engine, setEngine] = useState<string>('');
  useEffect(() => {
    api.info().then(
      (i) => setEngine(i.engine),
      () => setEngine('unreachable'),
    );
  }, []);
  const onQuery = page === 'query';
  // The editor's catalogs load only when the query page is shown.
  useEffect(() => {
    if (!onQuery || language) return;
    api.language().then(setLanguage, () => undefined);
    api.logGroups().then(setGroups, (e: Error) => setGroupsError(e.message));
  }, [onQuery, language]);
  const onDash = page === 'dashboards' || page === 'dashboard';
  const onCost = page === 'cost';
  const onAlarms = page === 'alarms';
  return (
    <div className="app">
      <header className="topbar">
        <a
          className="brand"
          href="/query"
          onClick={(e) => {
            e.preventDefault();
            navigate('/query');
          }}
        >
          <svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="#3d8ef0" />
            <path d="M4 11V7m4 4V4m4 7V8" stroke="white" strokeWidth="2" strokeLinecap="round" />
          </svg>
          bedrock-insights
        </a>
        <nav>
          <NavLink to="/query" active={onQuery} testId="nav-query">
            Logs Insights
          </NavLink>
          <NavLink to="/dashboards" active={onDash} testId="nav-dashboards">
            Dashboards
          </NavLink>
          <NavLink to="/cost" active={onCost} testId="nav-cost">
            Cost
          </NavLink>
          <NavLink to="/alarms" active={onAlarms} testId="nav-alarms">
            Alarms
          </NavLink>
        </nav>
        <span className="spacer" />
        {engine === 'unavailable' && (
          <span className="engine-warn" title="Queries will fail until the engine is available">
            Query engine not available
          </span>
        )}
        {engine === 'unreachable' && <span className="engine-warn">Server unreachable</span>}
      </header>
      <main>
        <ErrorBoundary>
          <Suspense
            fallback={
              <div className="empty">
                <span className="spinner" /> Loading…
              </div>
            }
          >
            {page === 'alarms' ? (
              <AlarmsPage />
            ) : page === 'entity' ? (
              <EntityPage
                key={`${route?.params.dim}/${route?.params.name}`}
                dim={route?.params.dim ?? ''}
                name={route?.params.name ?? ''}
              />
            ) : page === 'cost' ? (
              <CostPage />
            ) : page === 'dashboards' || page === 'dashboard' ? (
              <DashboardsPage {...(route?.params.id !== undefined ? { id: route.params.id } : {})} />
            ) : page === 'query' ? (
              <QueryPage language={language} groups={groups} {...(groupsError ? { groupsError } : {})} />
            ) : (
              <NotFound path={loc.path} />
            )}
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
