import { useState } from 'react';
import { Modal } from '../components/Modal';
import { formText } from '../format';

/** Save the editor's query on the server (everyone using the server sees it). */
export function SaveModal(props: {
  folders: string[];
  initialFolder: string;
  onClose: () => void;
  onSave: (name: string, folder: string, description: string) => Promise<void>;
}) {
  const [err, setErr] = useState('');
  return (
    <Modal title="Save query" onClose={props.onClose} testId="save-modal">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const name = formText(f, 'name').trim();
          if (!name) return setErr('Give the query a name.');
          props
            .onSave(name, formText(f, 'folder').trim(), formText(f, 'description').trim())
            .catch((x: Error) => setErr(x.message));
        }}
      >
        <label className="field">
          Name
          <input name="name" autoFocus data-testid="save-name" />
        </label>
        <label className="field">
          Folder
          <input
            name="folder"
            list="folders"
            defaultValue={props.initialFolder}
            placeholder="(none)"
            data-testid="save-folder"
          />
        </label>
        <datalist id="folders">
          {props.folders.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <label className="field">
          Description
          <input name="description" placeholder="What this query is for" />
        </label>
        <p className="muted small">Saved on the server: everyone using this server sees it.</p>
        {err && <div className="error-text">{err}</div>}
        <div className="row end">
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" data-testid="save-confirm">
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
