import { useState } from 'react';
import { api, type HistoryEntry, type SavedQuery } from '../api';
import { describeRange } from '../components/TimeRangePicker';
import { PromptModal } from '../components/Modal';
import { formatTime } from '../format';

export interface SidebarProps {
  saved: SavedQuery[];
  history: HistoryEntry[];
  onOpenSaved: (q: SavedQuery) => void;
  onOpenHistory: (h: HistoryEntry) => void;
  onChanged: () => void;
  onError: (msg: string) => void;
  utc: boolean;
  activeSavedId?: string;
  /** Which list is shown (kept in the URL by the page). */
  tab: 'saved' | 'history';
  onTab: (t: 'saved' | 'history') => void;
}

type Prompt = { kind: 'renameQuery'; q: SavedQuery } | { kind: 'renameFolder'; folder: string };

type Act = (fn: () => Promise<unknown>) => Promise<void>;

/** One saved query: open it, rename it, delete it. */
function SavedItem(props: {
  q: SavedQuery;
  active: boolean;
  onOpen: (q: SavedQuery) => void;
  onRename: () => void;
  act: Act;
}) {
  const { q } = props;
  return (
    <li className={props.active ? 'active' : ''}>
      <button
        type="button"
        className="saved-item"
        onClick={() => props.onOpen(q)}
        title={q.description || q.queryString}
      >
        <span className="saved-name">{q.name}</span>
        {q.description && <span className="saved-desc">{q.description}</span>}
      </button>
      <span className="item-actions">
        <button type="button" className="icon-btn" title="Rename" onClick={props.onRename}>
          ✎
        </button>
        <button
          type="button"
          className="icon-btn"
          title="Delete"
          onClick={() => {
            if (window.confirm(`Delete the saved query "${q.name}"?`)) void props.act(() => api.deleteQuery(q.id));
          }}
        >
          🗑
        </button>
      </span>
    </li>
  );
}

/** The recent runs, newest first; clicking one puts its query, log groups and range back. */
function HistoryList(props: { history: HistoryEntry[]; utc: boolean; onOpen: (h: HistoryEntry) => void; act: Act }) {
  return (
    <div className="history-list" data-testid="history-list">
      {props.history.length === 0 && <div className="muted pad">Queries you run appear here.</div>}
      <ul>
        {props.history.map((h) => (
          <li key={h.id}>
            <button type="button" className="history-item" onClick={() => props.onOpen(h)} title={h.queryString}>
              <code>{h.queryString.replace(/\s+/g, ' ').slice(0, 90)}</code>
              <span className="muted">
                {formatTime(h.runTime, props.utc).slice(5, 16)} · {describeRange(h.range, props.utc)} ·{' '}
                <span className={`status-${h.status.toLowerCase()}`}>{h.status}</span>
                {h.rowCount !== null ? ` · ${h.rowCount} rows` : ''}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {props.history.length > 0 && (
        <button type="button" className="link pad" onClick={() => void props.act(() => api.clearHistory())}>
          Clear history
        </button>
      )}
    </div>
  );
}

/** A folder's line: collapse, rename, delete with its queries. */
function FolderHead(props: {
  folder: string;
  count: number;
  collapsed: boolean;
  onToggle: () => void;
  onRename: () => void;
  act: Act;
}) {
  const { folder } = props;
  return (
    <div className="folder-head">
      <button type="button" className="folder-toggle" onClick={props.onToggle}>
        <span className="caret">{props.collapsed ? '▸' : '▾'}</span>
        <span className="folder-name">{folder}</span>
        <span className="count">{props.count}</span>
      </button>
      {folder !== '(no folder)' && (
        <span className="item-actions">
          <button type="button" className="icon-btn" title="Rename folder" onClick={props.onRename}>
            ✎
          </button>
          <button
            type="button"
            className="icon-btn"
            title="Delete folder and its queries"
            onClick={() => {
              if (window.confirm(`Delete the folder "${folder}" and its ${props.count} queries?`))
                void props.act(() => api.deleteFolder(folder));
            }}
          >
            🗑
          </button>
        </span>
      )}
    </div>
  );
}

/** The rename dialog of a saved query or a folder. */
function RenamePrompt(props: { prompt: Prompt; onClose: () => void; act: Act }) {
  const p = props.prompt;
  const query = p.kind === 'renameQuery';
  return (
    <PromptModal
      title={query ? 'Rename saved query' : 'Rename folder'}
      label={query ? 'Name' : 'Folder name'}
      initial={query ? p.q.name : p.folder}
      confirm="Rename"
      onClose={props.onClose}
      onSubmit={async (v) => {
        props.onClose();
        await props.act(() => (query ? api.updateQuery(p.q.id, { name: v }) : api.renameFolder(p.folder, v)));
      }}
    />
  );
}

/** Saved queries in folders (server-side) and the recent query history. */
export function Sidebar(props: SidebarProps) {
  const { tab, onTab: setTab } = props;
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const folders = new Map<string, SavedQuery[]>();
  for (const q of props.saved) {
    const f = q.folder || '(no folder)';
    const list = folders.get(f) ?? [];
    list.push(q);
    folders.set(f, list);
  }
  const act = async (fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
      props.onChanged();
    } catch (e) {
      props.onError((e as Error).message);
    }
  };
  return (
    <aside className="sidebar" data-testid="sidebar">
      <div className="tabs small">
        <button type="button" className={tab === 'saved' ? 'on' : ''} onClick={() => setTab('saved')}>
          Saved queries
        </button>
        <button
          type="button"
          className={tab === 'history' ? 'on' : ''}
          onClick={() => setTab('history')}
          data-testid="history-tab"
        >
          History
        </button>
      </div>
      {tab === 'saved' && (
        <div className="saved-list" data-testid="saved-list">
          {folders.size === 0 && <div className="muted pad">No saved queries yet. Write one and press Save.</div>}
          {[...folders.entries()].map(([folder, qs]) => (
            <div className="folder" key={folder}>
              <FolderHead
                folder={folder}
                count={qs.length}
                collapsed={collapsed.has(folder)}
                onToggle={() =>
                  setCollapsed((s) => {
                    const x = new Set(s);
                    if (x.has(folder)) x.delete(folder);
                    else x.add(folder);
                    return x;
                  })
                }
                onRename={() => setPrompt({ kind: 'renameFolder', folder })}
                act={act}
              />
              {!collapsed.has(folder) && qs.some((q) => q.builtin && /^Query \d+:/.test(q.name)) && (
                <div className="folder-note muted small" data-testid="numbering-note">
                  The guide&apos;s queries, numbered as in the guide (it has no Query 12).
                </div>
              )}
              {!collapsed.has(folder) && (
                <ul>
                  {qs.map((q) => (
                    <SavedItem
                      key={q.id}
                      q={q}
                      active={props.activeSavedId === q.id}
                      onOpen={props.onOpenSaved}
                      onRename={() => setPrompt({ kind: 'renameQuery', q })}
                      act={act}
                    />
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      )}
      {tab === 'history' && (
        <HistoryList history={props.history} utc={props.utc} onOpen={props.onOpenHistory} act={act} />
      )}
      {prompt && <RenamePrompt prompt={prompt} onClose={() => setPrompt(null)} act={act} />}
    </aside>
  );
}
