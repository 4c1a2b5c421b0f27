import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { RangeSpec } from '../../../src/contracts/range';
import {
  api,
  type HistoryEntry,
  type LanguageCatalog,
  type LogGroupInfo,
  type QueryEdit,
  type SavedQuery,
} from '../api';
import { EngineSelect } from '../components/EngineSelect';
import { LogGroupPicker } from '../components/LogGroupPicker';
import { TimeRangePicker } from '../components/TimeRangePicker';
import type { ChartView } from '../chart';
import { AddToDashboardModal } from './AddToDashboardModal';
import { Editor } from './Editor';
import { ResultsPanel, useChartChoice } from './ResultsPanel';
import { RunBar } from './RunBar';
import { SaveModal } from './SaveModal';
import { Sidebar } from './Sidebar';
import { defaultRange, useDataExtent } from './useDataExtent';
import { useCatalogFields, useFieldCoverage, useHistogram } from './usePanels';
import { diagnosticText, useQueryRun } from './useQueryRun';
import { useSidebarData } from './useSidebarData';
import { REFRESH, useUrlState } from './useUrlState';

export { DEFAULT_QUERY } from './useUrlState';

/** Runs `fn` every `ms` (0: never), always the latest `fn`. */
function useInterval(ms: number, fn: () => void): void {
  const tick = useEffectEvent(fn);
  useEffect(() => {
    if (!ms) return;
    const t = setInterval(() => tick(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

/**
 * The editor's text: the URL's query until the user types, then the typed text, which goes to the
 * URL after a pause (so a link reproduces it). A new query in the URL (a saved query opened, the
 * history, the back button) replaces the typed text.
 */
function useDraft(urlText: string, save: (text: string) => void): [string, (t: string) => void] {
  const [edit, setEdit] = useState({ base: urlText, text: urlText });
  const draft = edit.base === urlText ? edit.text : urlText;
  const onChange = useCallback((text: string) => setEdit({ base: urlText, text }), [urlText]);
  useEffect(() => {
    if (draft === urlText) return;
    const t = setTimeout(() => save(draft), 400);
    return () => clearTimeout(t);
  }, [draft, urlText, save]);
  return [draft, onChange];
}

/** The page's state and actions: the URL's view state, the run, the panels, the first screen. */
function useQueryPage() {
  const { state: s, update } = useUrlState();
  const side = useSidebarData();
  const q = useQueryRun(side.reloadHistory);
  const [runs, setRuns] = useState(0);
  const saveText = useCallback((text: string) => update({ queryText: text }), [update]);
  const [draft, setDraft] = useDraft(s.queryText, saveText);
  const extent = useDataExtent(s.logGroups, runs);

  // Run once a range is known: on the first screen (no query in the URL), and when Run is pressed
  // before the data's extent has given the first range.
  const autoRun = useRef(!s.hasQuery);
  const { run: runQuery } = q;
  const run = useCallback(
    (over: { text?: string; range?: RangeSpec } = {}) => {
      const text = over.text ?? draft;
      const range = over.range ?? s.range;
      if (!range) {
        autoRun.current = true;
        return;
      }
      if (text !== s.queryText) update({ queryText: text });
      setRuns((n) => n + 1);
      void runQuery({ queryString: text, logGroups: s.logGroups, range, engine: s.engine });
    },
    [draft, s.range, s.queryText, s.logGroups, s.engine, update, runQuery],
  );

  // A first visit (no range in the URL) opens on a range that has data (useDataExtent.defaultRange),
  // written to the URL; then the pending run (above) starts.
  useEffect(() => {
    if (s.range || extent === undefined) return;
    update({ range: defaultRange(extent, Date.now()) });
  }, [s.range, extent, update]);
  const firstRun = useEffectEvent(() => run());
  useEffect(() => {
    if (!autoRun.current || !s.range) return;
    autoRun.current = false;
    firstRun();
  }, [s.range]);

  useInterval(REFRESH[s.refresh] ?? 0, () => run());

  const onEdit = useCallback(
    (e: QueryEdit) => {
      api.editQuery(draft, e).then(
        (text) => run({ text }),
        (err: unknown) => q.setError(diagnosticText(err)),
      );
    },
    [draft, run, q],
  );
  const onRange = useCallback(
    (r: RangeSpec) => {
      update({ range: r }, true);
      run({ range: r });
    },
    [update, run],
  );
  const openSaved = (sq: SavedQuery): void => {
    update(
      {
        queryText: sq.queryString,
        logGroups: sq.logGroups,
        savedId: sq.id,
        viz: null,
        metric: null,
        sort: null,
        engine: sq.engine || null,
      },
      true,
    );
    q.clear();
  };
  const openHistory = (h: HistoryEntry): void => {
    update({ queryText: h.queryString, logGroups: h.logGroups, range: h.range, savedId: null, sort: null }, true);
    q.clear();
  };
  return { s, update, side, q, draft, setDraft, extent, run, onEdit, onRange, openSaved, openHistory };
}

type Modal = 'save' | 'dashboard' | null;

/** The save and add-to-dashboard dialogs, and the toast a save leaves. */
function QueryModals(props: {
  modal: Modal;
  setModal: (m: Modal) => void;
  page: ReturnType<typeof useQueryPage>;
  view: ChartView | undefined;
}) {
  const { s, update, side, q, draft } = props.page;
  const [toast, setToast] = useState('');
  const folders = [...new Set(side.saved.map((x) => x.folder).filter(Boolean))];
  const close = (): void => props.setModal(null);
  return (
    <>
      {props.modal === 'save' && (
        <SaveModal
          folders={folders}
          initialFolder={side.saved.find((x) => x.id === s.savedId)?.folder ?? ''}
          onClose={close}
          onSave={async (name, folder, description) => {
            const sq = await api.saveQuery({
              name,
              folder,
              description,
              queryString: draft,
              logGroups: s.logGroups,
              ...(s.engine ? { engine: s.engine } : {}),
            });
            close();
            update({ savedId: sq.id });
            setToast(`Saved "${sq.name}"${sq.folder ? ` in ${sq.folder}` : ''}.`);
            setTimeout(() => setToast(''), 3000);
            side.reload();
          }}
        />
      )}
      {props.modal === 'dashboard' && q.result && (
        <AddToDashboardModal
          queryString={s.queryText}
          logGroups={s.logGroups}
          engine={s.engine}
          suggested={props.view ?? 'table'}
          onClose={close}
        />
      )}
      {toast && (
        <div className="toast" role="status">
          {toast}
        </div>
      )}
    </>
  );
}

/** The Logs Insights page: editor, log groups, range, results with histogram and discovered fields. */
export function QueryPage(props: { language: LanguageCatalog | null; groups: LogGroupInfo[]; groupsError?: string }) {
  const page = useQueryPage();
  const { s, update, side, q, draft, setDraft, extent, run } = page;
  const catalog = useCatalogFields(s.logGroups);
  const histogram = useHistogram(q.ran);
  const coverage = useFieldCoverage(q.ran, s.fieldsPanel && s.tab === 'logs');
  const [modal, setModal] = useState<Modal>(null);
  const { view } = useChartChoice(q.result, s.queryText, s.viz, s.metric);
  const error = q.error || side.error;
  return (
    <div className="query-page">
      <Sidebar
        saved={side.saved}
        history={side.history}
        tab={s.side}
        onTab={(t) => update({ side: t })}
        onOpenSaved={page.openSaved}
        onOpenHistory={page.openHistory}
        onChanged={side.reload}
        onError={q.setError}
        utc={s.utc}
        activeSavedId={s.savedId ?? undefined}
      />
      <section className="query-main">
        <div className="toolbar">
          <LogGroupPicker
            groups={props.groups}
            value={s.logGroups}
            onChange={(g) => update({ logGroups: g })}
            error={props.groupsError}
          />
          {s.range && (
            <TimeRangePicker
              value={s.range}
              onChange={(r) => update({ range: r })}
              utc={s.utc}
              onUtcChange={(u) => update({ utc: u })}
            />
          )}
          <EngineSelect value={s.engine} onChange={(e) => update({ engine: e || null })} />
        </div>
        <Editor
          value={draft}
          onChange={setDraft}
          onRun={() => run()}
          language={props.language}
          fields={catalog}
          logGroups={s.logGroups}
          engine={s.engine}
        />
        <RunBar
          running={q.running}
          elapsed={q.elapsed}
          result={q.result}
          ran={q.ran}
          refresh={s.refresh}
          onRun={() => run()}
          onCancel={() => void q.cancel()}
          onRefresh={(r) => update({ refresh: r })}
          onSave={() => setModal('save')}
          onAddToDashboard={() => setModal('dashboard')}
        />
        {error && (
          <div className="alert error" role="alert" data-testid="query-error">
            {error}
          </div>
        )}
        {q.result?.warnings.map((w, i) => (
          <div key={i} className="alert warning">
            {w.message}
          </div>
        ))}
        <ResultsPanel
          tab={s.tab}
          result={q.result}
          ran={q.ran}
          running={q.running !== null}
          queryText={s.queryText}
          utc={s.utc}
          viz={s.viz}
          metric={s.metric}
          sort={s.sort}
          fieldsPanel={s.fieldsPanel}
          histogram={histogram}
          coverage={coverage}
          catalog={catalog}
          extent={extent}
          update={update}
          onEdit={page.onEdit}
          onRange={page.onRange}
        />
      </section>
      <QueryModals modal={modal} setModal={setModal} page={page} view={view} />
    </div>
  );
}
