// Links to drill-down pages: every table cell, chart item and cost row that is an application,
// tenant, user, team or model opens that entity's page, keeping the range being viewed.
import type { MouseEvent, ReactNode } from 'react';
import { entityPath, type EntityDimension } from '../../../src/contracts/entity';
import { navigate } from '../url';

/** Which result columns link to a page, and the range (URL `r`) the page opens on. */
export interface EntityLinks {
  columns: ReadonlyMap<string, EntityDimension>;
  r?: string;
}

function query(r: string | undefined): Record<string, string | undefined> {
  const utc = new URLSearchParams(window.location.search).get('utc') ?? undefined;
  return { r, utc };
}

export function entityHref(dim: EntityDimension, name: string, r?: string): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query(r))) if (v) sp.set(k, v);
  const qs = sp.toString();
  return `${entityPath(dim, name)}${qs ? `?${qs}` : ''}`;
}

export function openEntity(dim: EntityDimension, name: string, r?: string): void {
  navigate(entityPath(dim, name), query(r));
  // A new page starts at its top (the link was often far down a dashboard).
  window.scrollTo(0, 0);
}

/** An in-console link to an entity's page (a modified click opens a new tab, as any link). */
export function EntityLink(props: { dim: EntityDimension; name: string; r?: string; children: ReactNode }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>): void => {
    e.stopPropagation(); // a results row would expand as well
    if (e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    openEntity(props.dim, props.name, props.r);
  };
  return (
    <a
      className="entity-link"
      href={entityHref(props.dim, props.name, props.r)}
      onClick={onClick}
      data-testid="entity-link"
      data-dim={props.dim}
      title={`Open the page of ${props.dim} ${props.name}`}
    >
      {props.children}
    </a>
  );
}
