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
              <div className="folder-head">
                <button
                  type="button"
                  className="folder-toggle"
                  onClick={() =>
                    setCollapsed((s) => {
                      const x = new Set(s);
                      if (x.has(folder)) x.delete(folder);
                      else x.add(folder);
                      return x;
                    })
                  }
                >
                  <span className="caret">{collapsed.has(folder) ? '▸' : '▾'}</span>
                  <span className="folder-name">{folder}</span>
                  <span className="count">{qs.length}</span>
                </button>
                {folder !== '(no folder)' && (
                  <span className="item-actions">
                    <button
                      type="button"
                      className="icon-btn"
                      title="Rename folder"
                      onClick={() => setPrompt({ kind: 'renameFolder', folder })}
                    >
                      ✎
                    </button>
                    <button
                      type="button"
                      className="icon-btn"
                      title="Delete folder and its queries"
                      onClick={() => {
                        if (window.confirm(`Delete the folder "${folder}" and its ${qs.length} queries?`))
                          void act(() => api.deleteFolder(folder));
                      }}
                    >
                      🗑
                    </button>
                  </span>
                )}
              </div>
              {!collapsed.has(folder) && qs.some((q) => q.builtin && /^Query \d+:/.test(q.name)) && (
                <div className="folder-note muted small" data-testid="numbering-note">
                  The guide&apos;s queries, numbered as in the guide (it has no Query 12).
                </div>
              )}
              {!collapsed.has(folder) && (
                <ul>
                  {qs.map((q) => (
                    <li key={q.id} className={props.activeSavedId === q.id ? 'active' : ''}>
                      <button
                        type="button"
                        className="saved-item"
                        onClick={() => props.onOpenSaved(q)}
                        title={q.description || q.queryString}
                      >
                        <span className="saved-name">{q.name}</span>
                        {q.description && <span className="saved-desc">{q.description}</span>}
                      </button>
                      <span className="item-actions">
                        <button
                          type="button"
                          className="icon-btn"
                          title="Rename"
                          onClick={() => setPrompt({ kind: 'renameQuery', q })}
                        >
                          ✎
                        </button>
                        <button
                          type="button"
                          className="icon-btn"
                          title="Delete"
                          onClick={() => {
                            if (window.confirm(`Delete the saved query "${q.name}"?`))
                              void act(() => api.deleteQuery(q.id));
                          }}
                        >
                          🗑
                        </button>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      )}
      {tab === 'history' && (
        <div className="history-list" data-testid="history-list">
          {props.history.length === 0 && <div className="muted pad">Queries you run appear here.</div>}
          <ul>
            {props.history.map((h) => (
              <li key={h.id}>
                <button
                  type="button"
                  className="history-item"
                  onClick={() => props.onOpenHistory(h)}
                  title={h.queryString}
                >
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
            <button type="button" className="link pad" onClick={() => void act(() => api.clearHistory())}>
              Clear history
            </button>
          )}
        </div>
      )}
      {prompt?.kind === 'renameQuery' && (
        <PromptModal
          title="Rename saved query"
          label="Name"
          initial={prompt.q.name}
          confirm="Rename"
          onClose={() => setPrompt(null)}
          onSubmit={async (v) => {
            setPrompt(null);
            await act(() => api.updateQuery(prompt.q.id, { name: v }));
          }}
        />
      )}
      {prompt?.kind === 'renameFolder' && (
        <PromptModal
          title="Rename folder"
          label="Folder name"
          initial={prompt.folder}
          confirm="Rename"
          onClose={() => setPrompt(null)}
          onSubmit={async (v) => {
            setPrompt(null);
            await act(() => api.renameFolder(prompt.folder, v));
          }}
        />
      )}
    </aside>
  );
}
