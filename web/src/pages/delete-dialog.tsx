/** Delete, confirmed by typing the app's name in a modal dialog. */
import { useRef, useState } from 'preact/hooks';
import { ProblemView } from '../problem-view.tsx';

export function DeleteDialog({ app, onConfirm }: { app: string; onConfirm: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function confirm(event: Event) {
    event.preventDefault();
    if (typed !== app) return;
    setBusy(true);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" class="danger" onClick={() => { setTyped(''); setError(undefined); dialog.current?.showModal(); }}>Delete {app}…</button>
      <dialog ref={dialog} aria-labelledby="delete-title">
        <form onSubmit={confirm} class="stack">
          <h2 id="delete-title">Delete {app}?</h2>
          <p>This stops <strong>{app}</strong> and removes it from the source and GitOps repos.</p>
          <div class="field">
            <label for="confirm-name">Type <strong>{app}</strong> to confirm</label>
            <input id="confirm-name" autocomplete="off" spellcheck={false} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
          </div>
          {error ? <ProblemView error={error} /> : null}
          <div class="actions">
            <button type="button" onClick={() => dialog.current?.close()}>Cancel</button>
            <button type="submit" class="danger" disabled={typed !== app || busy}>Delete</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
