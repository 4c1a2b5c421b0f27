import { useEffect, useRef } from 'react';
import { EditorState, Prec } from '@codemirror/state';
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  placeholder as cmPlaceholder,
  drawSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { StreamLanguage, HighlightStyle, syntaxHighlighting, bracketMatching } from '@codemirror/language';
import {
  autocompletion,
  closeBrackets,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
  type Completion,
} from '@codemirror/autocomplete';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { tags as t } from '@lezer/highlight';
import { api, ApiError, type LanguageCatalog } from '../api';

interface TokState {
  /** At the start of a pipeline segment: the next word is a command. */
  expectCommand: boolean;
  /** The last significant token was `like` / `=~` or a parse command: a `/` opens a regex. */
  regexOk: boolean;
}

/** Logs Insights highlighting: commands, functions, @fields, strings, regexes, numbers, comments. */
const logsInsights = StreamLanguage.define<TokState>({
  name: 'logs-insights',
  startState: () => ({ expectCommand: true, regexOk: false }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    const ch = stream.peek();
    if (ch === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (ch === '|') {
      stream.next();
      state.expectCommand = true;
      state.regexOk = false;
      return 'separator';
    }
    if (ch === '"' || ch === "'") {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === ch && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      state.regexOk = false;
      return 'string';
    }
    if (ch === '`') {
      stream.next();
      stream.skipTo('`');
      stream.next();
      return 'variableName';
    }
    if (ch === '/' && state.regexOk) {
      stream.next();
      let escaped = false;
      for (let c = stream.next(); c !== undefined; c = stream.next()) {
        if (c === '/' && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      stream.match(/^[a-z]*/);
      state.regexOk = false;
      return 'regexp';
    }
    if (stream.match(/^\d+(\.\d+)?(ms|s|m|h|d|w|mo|q|y)?\b/)) {
      state.regexOk = false;
      return 'number';
    }
    if (stream.match(/^@[\w.]+/)) {
      state.expectCommand = false;
      state.regexOk = false;
      return 'variableName.special';
    }
    const word = stream.match(/^[A-Za-z_][\w.]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      const lw = w.toLowerCase();
      if (state.expectCommand) {
        state.expectCommand = lw === 'source';
        state.regexOk = lw === 'parse';
        return 'keyword';
      }
      state.regexOk = lw === 'like' || lw === 'parse';
      if (/^(and|or|not|in|like|as|by|asc|desc|any|multi)$/.test(lw)) return 'operatorKeyword';
      if (stream.peek() === '(') return 'variableName.function';
      return 'propertyName';
    }
    if (stream.match(/^=~/)) {
      state.regexOk = true;
      return 'operator';
    }
    stream.next();
    state.regexOk = ch === '(' || ch === ',' || ch === '=';
    return /[=<>!+\-*/%^]/.test(ch ?? '') ? 'operator' : 'punctuation';
  },
  languageData: { commentTokens: { line: '#' } },
});

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--syn-keyword)', fontWeight: '600' },
  { tag: t.operatorKeyword, color: 'var(--syn-keyword)' },
  { tag: t.function(t.variableName), color: 'var(--syn-function)' },
  { tag: t.function(t.propertyName), color: 'var(--syn-function)' },
  { tag: t.propertyName, color: 'var(--syn-field)' },
  { tag: t.special(t.variableName), color: 'var(--syn-system)' },
  { tag: t.string, color: 'var(--syn-string)' },
  { tag: t.regexp, color: 'var(--syn-regexp)' },
  { tag: t.number, color: 'var(--syn-number)' },
  { tag: t.comment, color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: t.separator, color: 'var(--syn-keyword)', fontWeight: '700' },
  { tag: t.operator, color: 'var(--syn-operator)' },
]);

export interface EditorProps {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  language: LanguageCatalog | null;
  fields: string[];
  logGroups: string[];
  /** The engine the query runs on (its catalog decides unknown-field warnings). */
  engine?: string;
}

function completionSource(getLang: () => LanguageCatalog | null, getFields: () => string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[@\w.]*/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    const lang = getLang();
    const before = ctx.state.sliceDoc(Math.max(0, word.from - 200), word.from);
    const atCommand =
      /(^|\|)\s*$/.test(before) ||
      (ctx.state.doc.lineAt(word.from).from === word.from && /(^|\|)\s*$/.test(before.replace(/\n\s*$/, '')));
    const options: Completion[] = [];
    if (atCommand && lang) {
      for (const c of lang.commands)
        options.push({
          label: c.name,
          type: 'keyword',
          detail: c.syntax,
          boost: c.tier === 1 ? 2 : c.tier === 2 ? 1 : 0,
        });
    } else {
      for (const f of getFields()) options.push({ label: f, type: 'property', boost: 3 });
      for (const s of ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime', '@ptr'])
        options.push({ label: s, type: 'variable', boost: 2 });
      if (lang) {
        for (const f of lang.functions)
          options.push({
            label: f.name,
            type: 'function',
            detail: f.kind === 'aggregate' ? 'aggregate' : 'function',
            apply: `${f.name}(`,
          });
        for (const k of lang.keywords) options.push({ label: k, type: 'keyword' });
      }
    }
    return { from: word.from, options, validFor: /^[@\w.]*$/ };
  };
}

/** The editor's look, in the console's colour variables (light and dark). */
const EDITOR_THEME = EditorView.theme({
  '&': {
    fontSize: '13px',
    border: '1px solid var(--input-border)',
    borderRadius: '6px',
    background: 'var(--panel)',
    color: 'var(--text)',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-1px' },
  '.cm-content': {
    fontFamily: '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
    minHeight: '120px',
    padding: '8px 0',
  },
  '.cm-gutters': {
    background: 'var(--subtle)',
    borderRight: '1px solid var(--border-soft)',
    color: 'var(--muted-2)',
    borderTopLeftRadius: '6px',
    borderBottomLeftRadius: '6px',
  },
  '.cm-scroller': { maxHeight: '320px', overflow: 'auto' },
  '.cm-activeLine': { background: 'var(--hover)' },
  '.cm-activeLineGutter': { background: 'var(--hover)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-tooltip': {
    border: '1px solid var(--border)',
    borderRadius: '6px',
    boxShadow: '0 6px 18px rgba(20,30,45,.12)',
    background: 'var(--panel)',
    color: 'var(--text)',
    overflow: 'hidden',
  },
  '.cm-tooltip-autocomplete > ul': {
    fontFamily: '"SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace',
    fontSize: '12px',
    maxHeight: '240px',
  },
  '.cm-tooltip-autocomplete > ul > li': { padding: '3px 10px !important' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: 'var(--accent)', color: '#fff' },
  '.cm-completionDetail': {
    marginLeft: '12px',
    fontStyle: 'normal',
    color: 'var(--muted-2)',
    fontFamily: 'system-ui, sans-serif',
  },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '700' },
  '.cm-tooltip-lint': { padding: '2px 0' },
  '.cm-diagnostic': { padding: '6px 10px', fontFamily: 'system-ui, sans-serif', fontSize: '12.5px' },
});

/** Live diagnostics from POST /api/check (the server's analyzer), 400 ms after typing stops. */
function serverLinter(target: () => { logGroups: string[]; engine?: string }) {
  return linter(
    async (v): Promise<CmDiagnostic[]> => {
      const text = v.state.doc.toString();
      if (!text.trim()) return [];
      try {
        const { logGroups, engine } = target();
        const diags = await api.check(text, logGroups, undefined, engine);
        const len = v.state.doc.length;
        return diags.map((d) => {
          let from = Math.min(Math.max(0, d.span.start), len);
          let to = Math.min(Math.max(from, d.span.end), len);
          // A zero-width span (e.g. "unexpected end") marks the character before it, so it is visible.
          if (to === from) {
            if (from < len && !/\s/.test(v.state.sliceDoc(from, from + 1))) to = from + 1;
            else {
              while (from > 0 && /\s/.test(v.state.sliceDoc(from - 1, from))) from--;
              to = from;
              from = Math.max(0, from - 1);
            }
          }
          return {
            from,
            to,
            severity: d.severity === 'info' ? 'info' : d.severity,
            message: `${d.message}${d.suggestion ? ` (did you mean ${d.suggestion}?)` : ''}`,
            source: d.code,
          };
        });
      } catch (e) {
        // The engine unavailable (503) or a transient error: no marks rather than false ones.
        if (e instanceof ApiError) return [];
        return [];
      }
    },
    { delay: 400 },
  );
}

/** The query editor: highlighting, completion, live diagnostics from /api/check, Ctrl/Cmd-Enter runs. */
export function Editor(props: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // CodeMirror's extensions are made once; they read the latest props through this ref.
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const initial = useRef(props.value);

  useEffect(() => {
    const checkLinter = serverLinter(() => ({ logGroups: latest.current.logGroups, engine: latest.current.engine }));

    const state = EditorState.create({
      doc: initial.current,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        logsInsights,
        syntaxHighlighting(highlight),
        autocompletion({
          override: [
            completionSource(
              () => latest.current.language,
              () => latest.current.fields,
            ),
          ],
          activateOnTyping: true,
          icons: false,
        }),
        lintGutter(),
        checkLinter,
        cmPlaceholder('fields @timestamp, @message | sort @timestamp desc | limit 20'),
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                latest.current.onRun();
                return true;
              },
            },
          ]),
        ),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
        }),
        EDITOR_THEME,
      ],
    });
    const parent = host.current;
    if (!parent) return;
    const v = new EditorView({ state, parent });
    view.current = v;
    return () => v.destroy();
  }, []);

  // Outside changes (history, saved query, URL) replace the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div className="editor" data-testid="query-editor" ref={host} />;
}
