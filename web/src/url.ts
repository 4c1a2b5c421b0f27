// Every bit of page state lives in the URL, so a link reproduces it.
import { useCallback, useEffect, useState } from 'react';

export interface Location {
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, params?: Record<string, string | undefined>, replace = false): void {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== '') sp.set(k, v);
  const qs = sp.toString();
  const url = `${path}${qs ? `?${qs}` : ''}`;
  if (url === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = (): void => setLoc(current());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return loc;
}

/** Update some search params of the current path, keeping the others. */
export function useParamSetter(): (patch: Record<string, string | undefined>, replace?: boolean) => void {
  return useCallback((patch, replace = true) => {
    const sp = new URLSearchParams(window.location.search);
    const obj: Record<string, string | undefined> = Object.fromEntries(sp.entries());
    Object.assign(obj, patch);
    navigate(window.location.pathname, obj, replace);
  }, []);
}
