import { useEffect, type ReactNode } from 'react';
import { formText } from '../format';

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
}) {
  useEffect(() => {
    const k = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') props.onClose();
    };
    window.addEventListener('keydown', k);
    return () => window.removeEventListener('keydown', k);
  }, [props.onClose]);
  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) props.onClose();
      }}
    >
      <div className="modal" role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <div className="modal-head">
          <h2>{props.title}</h2>
          <button type="button" className="icon-btn" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        <div className="modal-body">{props.children}</div>
        {props.footer && <div className="modal-foot">{props.footer}</div>}
      </div>
    </div>
  );
}

/** A one-field form in a modal (rename, new folder…). */
export function PromptModal(props: {
  title: string;
  label: string;
  initial: string;
  confirm: string;
  onSubmit: (v: string) => Promise<void> | void;
  onClose: () => void;
}) {
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const v = formText(new FormData(e.currentTarget), 'v').trim();
          if (v) await props.onSubmit(v);
        }}
      >
        <label className="field">
          {props.label}
          <input name="v" defaultValue={props.initial} autoFocus />
        </label>
        <div className="row end">
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary">
            {props.confirm}
          </button>
        </div>
      </form>
    </Modal>
  );
}
