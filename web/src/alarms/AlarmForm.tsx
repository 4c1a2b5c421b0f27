import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../api';
import type { AlarmFieldProblem } from '../../../src/contracts/wire';
import { BacktestPanel } from './BacktestPanel';
import {
  definitionOf,
  draftOf,
  fieldOfProblem,
  fieldsOf,
  FILTER_FIELDS,
  KINDS,
  TARGET_TYPES,
  withKind,
  type AlarmKind,
  type Draft,
  type FieldSpec,
  type TargetType,
} from './draft';

const KIND_TEXT: Record<AlarmKind, string> = {
  metric: 'Metric (metric filters)',
  query: 'Query (Logs Insights)',
  budget: 'Budget (monthly cost)',
  anomaly: 'Anomaly (band from history)',
};

const TARGET_PLACEHOLDER: Record<TargetType, string> = {
  email: 'team@example.com, oncall@example.com',
  webhook: 'https://example.com/hooks/alarms',
  slack: 'https://hooks.slack.com/services/…',
  sns: 'arn:aws:sns:us-east-1:123456789012:alerts',
};

function Input(props: {
  spec: FieldSpec;
  path: string;
  value: string;
  problems: string[];
  onChange: (v: string) => void;
}) {
  const { spec, path, value } = props;
  const id = `f-${path.replace(/\./g, '-')}`;
  const common = {
    id,
    name: path,
    'data-field': path,
    'aria-invalid': props.problems.length > 0,
  };
  let input;
  if (spec.type === 'select')
    input = (
      <select {...common} value={value} onChange={(e) => props.onChange(e.target.value)}>
        {(spec.options ?? []).map((o) => {
          const [v, label] = Array.isArray(o) ? o : [o, o];
          return (
            <option key={v} value={v}>
              {label}
            </option>
          );
        })}
        {value !== '' && !(spec.options ?? []).some((o) => (Array.isArray(o) ? o[0] : o) === value) && (
          <option value={value}>{value}</option>
        )}
      </select>
    );
  else if (spec.type === 'bool')
    input = (
      <input
        {...common}
        type="checkbox"
        checked={value === 'true'}
        onChange={(e) => props.onChange(e.target.checked ? 'true' : 'false')}
      />
    );
  else if (spec.type === 'textarea' || spec.type === 'map' || spec.type === 'nummap')
    input = (
      <textarea
        {...common}
        value={value}
        rows={spec.type === 'textarea' ? 4 : 2}
        placeholder={spec.placeholder}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  else
    input = (
      <input
        {...common}
        value={value}
        placeholder={spec.placeholder}
        inputMode={spec.type === 'number' ? 'decimal' : undefined}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  return (
    <div className={`form-field${spec.wide ? ' wide' : ''}${spec.type === 'bool' ? ' check' : ''}`}>
      <label htmlFor={id}>{spec.label}</label>
      {input}
      {spec.help && !props.problems.length && <div className="form-help">{spec.help}</div>}
      {props.problems.map((p, i) => (
        <div key={i} className="form-problem" data-testid="field-problem" data-problem-for={path}>
          {p}
        </div>
      ))}
    </div>
  );
}

/**
 * Create or edit an alarm of any kind: the definition's fields, its notification targets, a
 * backtest that follows the edits, and the server's problems shown beside their fields.
 */
export function AlarmForm(props: {
  /** The definition loaded for editing (GET /api/alarms/:name, secrets redacted); null: a new alarm. */
  initial: Record<string, unknown> | null;
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const editing = props.initial !== null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.initial));
  const [problems, setProblems] = useState<AlarmFieldProblem[]>([]);
  const [saveError, setSaveError] = useState('');
  const [saving, setSaving] = useState(false);
  const definition = useMemo(() => definitionOf(draft), [draft]);
  // The backtest runs on a name even before one is typed: it is not stored.
  const backtestDefinition = useMemo(
    () => ({ ...definition, name: draft.name.trim() || 'new-alarm' }),
    [definition, draft.name],
  );

  const setText = (path: string, v: string): void => setDraft((d) => ({ ...d, text: { ...d.text, [path]: v } }));
  // A save refused earlier says nothing about the draft once it changed (the backtest re-checks it).
  useEffect(() => setSaveError(''), [definition]);
  const specs = fieldsOf(draft.kind);
  const known = [
    'name',
    'kind',
    'enabled',
    ...specs.map((s) => s.path),
    ...Array.from({ length: draft.filters }, (_, i) =>
      FILTER_FIELDS.map((f) => `metric.filters.${i}.${f.path}`),
    ).flat(),
    ...draft.notify.map((_, i) => `notify.${i}`),
    'notify',
    'metric.filters',
  ];
  const byField = new Map<string, string[]>();
  for (const p of problems) {
    const f = fieldOfProblem(p.path, known);
    byField.set(f, [...(byField.get(f) ?? []), p.message]);
  }
  const problemsOf = (path: string): string[] => byField.get(path) ?? [];
  const onBacktestProblems = useCallback((p: AlarmFieldProblem[]) => setProblems(p), []);

  const save = async (): Promise<void> => {
    setSaving(true);
    setSaveError('');
    try {
      const r = await api.alarms.save(definition);
      setProblems([]);
      props.onSaved(r.name);
    } catch (e) {
      if (e instanceof ApiError && e.fields) {
        setProblems(e.fields);
        setSaveError('The alarm was not saved: fix the fields marked below.');
        // The first marked field may be below the fold: bring it into view once it is drawn.
        requestAnimationFrame(() =>
          document.querySelector('.alarm-form [aria-invalid="true"]')?.scrollIntoView({ block: 'center' }),
        );
      } else setSaveError(errorText(e as ApiError));
    } finally {
      setSaving(false);
    }
  };

  const field = (spec: FieldSpec, path = spec.path) => (
    <Input
      key={path}
      spec={spec}
      path={path}
      value={draft.text[path] ?? ''}
      problems={problemsOf(path)}
      onChange={(v) => setText(path, v)}
    />
  );
  const general = byField.get('') ?? [];

  return (
    <form
      className="alarm-form"
      data-testid="alarm-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="alarm-head">
        <h2>{editing ? `Edit ${draft.name}` : 'New alarm'}</h2>
        <span className="spacer" />
        <button type="button" className="btn" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={saving} data-testid="alarm-save">
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Create alarm'}
        </button>
      </div>
      {saveError && (
        <div className="alarm-error" role="alert" data-testid="alarm-save-error">
          {saveError}
          {general.map((g, i) => (
            <div key={i} className="form-problem" data-testid="field-problem" data-problem-for="">
              {g}
            </div>
          ))}
        </div>
      )}
      <div className="alarm-form-body">
        <div className="alarm-form-fields">
          <section className="alarm-section">
            <h3>Alarm</h3>
            <div className="form-grid">
              <div className="form-field">
                <label htmlFor="f-name">Name</label>
                <input
                  id="f-name"
                  data-field="name"
                  value={draft.name}
                  readOnly={editing}
                  aria-invalid={problemsOf('name').length > 0}
                  onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))}
                />
                {problemsOf('name').map((p, i) => (
                  <div key={i} className="form-problem" data-testid="field-problem" data-problem-for="name">
                    {p}
                  </div>
                ))}
              </div>
              <div className="form-field">
                <label htmlFor="f-kind">Kind</label>
                <select
                  id="f-kind"
                  data-field="kind"
                  value={draft.kind}
                  disabled={editing}
                  onChange={(e) => setDraft((d) => withKind(d, e.target.value as AlarmKind))}
                >
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {KIND_TEXT[k]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="form-field check">
                <label htmlFor="f-enabled">Enabled (evaluated and notifies)</label>
                <input
                  id="f-enabled"
                  type="checkbox"
                  data-field="enabled"
                  checked={draft.enabled}
                  onChange={(e) => setDraft((d) => ({ ...d, enabled: e.target.checked }))}
                />
              </div>
              {specs.filter((s) => s.path === 'description').map((s) => field(s))}
            </div>
          </section>

          <section className="alarm-section">
            <h3>What it watches</h3>
            <div className="form-grid">{specs.filter((s) => s.path.includes('.')).map((s) => field(s))}</div>
            {draft.kind === 'metric' && (
              <div className="metric-filters">
                {Array.from({ length: draft.filters }, (_, i) => (
                  <fieldset key={i} className="metric-filter" data-testid="metric-filter">
                    <legend>Metric filter {i + 1}</legend>
                    <div className="form-grid">
                      {FILTER_FIELDS.map((f) => field(f, `metric.filters.${i}.${f.path}`))}
                    </div>
                    <button
                      type="button"
                      className="btn danger-outline"
                      onClick={() =>
                        setDraft((d) => {
                          // Later filters move up one place: their texts with them.
                          const text = { ...d.text };
                          for (let j = i; j < d.filters; j++)
                            for (const f of FILTER_FIELDS)
                              text[`metric.filters.${j}.${f.path}`] = d.text[`metric.filters.${j + 1}.${f.path}`] ?? '';
                          const filters = (
                            (d.base.metric as { filters?: unknown[] } | undefined)?.filters ?? []
                          ).filter((_, j) => j !== i);
                          return {
                            ...d,
                            text,
                            filters: d.filters - 1,
                            base: { ...d.base, metric: { ...(d.base.metric as object), filters } },
                          };
                        })
                      }
                    >
                      Remove filter
                    </button>
                  </fieldset>
                ))}
                {problemsOf('metric.filters').map((p, i) => (
                  <div key={i} className="form-problem" data-testid="field-problem" data-problem-for="metric.filters">
                    {p}
                  </div>
                ))}
                <button
                  type="button"
                  className="btn"
                  onClick={() => setDraft((d) => ({ ...d, filters: d.filters + 1 }))}
                  data-testid="add-filter"
                >
                  Add metric filter
                </button>
              </div>
            )}
          </section>

          <section className="alarm-section">
            <h3>When it fires</h3>
            <div className="form-grid">
              {specs.filter((s) => !s.path.includes('.') && s.path !== 'description').map((s) => field(s))}
            </div>
          </section>

          <section className="alarm-section">
            <h3>Notifications</h3>
            {draft.notify.length === 0 && <p className="muted">Nobody is notified.</p>}
            {draft.notify.map((t, i) => (
              <div key={i} className="target-row" data-testid="target-row">
                <select
                  aria-label={`Target ${i + 1} type`}
                  value={t.type}
                  onChange={(e) =>
                    setDraft((d) => ({
                      ...d,
                      notify: d.notify.map((x, j) =>
                        j === i ? { type: e.target.value as TargetType, address: '' } : x,
                      ),
                    }))
                  }
                >
                  {TARGET_TYPES.map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
                <input
                  aria-label={`Target ${i + 1} address`}
                  data-field={`notify.${i}`}
                  value={t.address}
                  placeholder={TARGET_PLACEHOLDER[t.type]}
                  aria-invalid={problemsOf(`notify.${i}`).length > 0}
                  onChange={(e) =>
                    setDraft((d) => ({
                      ...d,
                      notify: d.notify.map((x, j) => (j === i ? { ...x, address: e.target.value } : x)),
                    }))
                  }
                />
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Remove target ${i + 1}`}
                  onClick={() => setDraft((d) => ({ ...d, notify: d.notify.filter((_, j) => j !== i) }))}
                >
                  ×
                </button>
                {problemsOf(`notify.${i}`).map((p, k) => (
                  <div key={k} className="form-problem" data-testid="field-problem" data-problem-for={`notify.${i}`}>
                    {p}
                  </div>
                ))}
              </div>
            ))}
            <button
              type="button"
              className="btn"
              onClick={() => setDraft((d) => ({ ...d, notify: [...d.notify, { type: 'email', address: '' }] }))}
              data-testid="add-target"
            >
              Add target
            </button>
          </section>
        </div>
        <div className="alarm-form-side">
          <BacktestPanel
            definition={backtestDefinition}
            onUseThreshold={(t) => setText('threshold', String(t))}
            onProblems={onBacktestProblems}
          />
        </div>
      </div>
    </form>
  );
}
