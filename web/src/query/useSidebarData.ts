// The sidebar's data: the saved queries (server-side, shared) and the recent query history.
import { useCallback, useEffect, useState } from 'react';
import { api, type HistoryEntry, type SavedQuery } from '../api';

export interface SidebarData {
  saved: SavedQuery[];
  history: HistoryEntry[];
  /** Load both again (after a save, rename, delete). */
  reload: () => void;
  /** Load the history again (after a run). */
  reloadHistory: () => void;
  error: string;
}

export function useSidebarData(): SidebarData {
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [error, setError] = useState('');
  const reloadHistory = useCallback(() => {
    api.history().then(setHistory, () => undefined);
  }, []);
  const reload = useCallback(() => {
    api.savedQueries().then(
      (s) => {
        setSaved(s);
        setError('');
      },
      (e: Error) => setError(e.message),
    );
    reloadHistory();
  }, [reloadHistory]);
  useEffect(reload, [reload]);
  return { saved, history, reload, reloadHistory, error };
}
