/** Ask for an app: a description, an optional name and template; the run page follows at once. */
import { useEffect, useState } from 'preact/hooks';
import { appNameProblem } from '../../../src/domain/app-name.ts';
import { api } from '../api.ts';
import { ProblemView } from '../problem-view.tsx';
import { navigate } from '../router.ts';

interface Template { id: string; title: string; description: string }
interface Generator { kind: 'templates' | 'model'; description: string }

const EXAMPLES = [
  'a pomodoro timer with a dark theme',
  'a contact form for my band',
  'notes with a small JSON API',
  'a landing page for my bakery in blue',
];

export function AskPage() {
  const [description, setDescription] = useState('');
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [templates, setTemplates] = useState<Template[]>([]);
  const [generator, setGenerator] = useState<Generator>();
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);

  useEffect(() => {
    api<{ templates: Template[] }>('/v1/templates').then((a) => setTemplates(a.templates), setError);
    api<Generator>('/v1/generator').then(setGenerator, setError);
  }, []);

  // The same rule the server applies, so a refused name is explained before anything is sent.
  const nameProblem = name ? appNameProblem(name) : undefined;
  const chosen = templates.find((t) => t.id === template);

  async function submit(event: Event) {
    event.preventDefault();
    if (nameProblem || (!description.trim() && !template)) return;
    setSending(true);
    setError(undefined);
    try {
      const run = await api<{ runId: string }>('/v1/apps', {
        method: 'POST',
        body: { ...(description.trim() ? { description: description.trim() } : {}), ...(name ? { name } : {}), ...(template ? { template } : {}) },
      });
      navigate(`/runs/${encodeURIComponent(run.runId)}`);
    } catch (caught) {
      setError(caught);
      setSending(false);
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Ask for an app</h1>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="description">What should the app do?</label>
          <textarea id="description" name="description" rows={3} value={description} aria-describedby="examples"
            onInput={(e) => setDescription(e.currentTarget.value)} />
          <div id="examples" class="examples">
            <span>For example:</span>
            {EXAMPLES.map((text) => (
              <button type="button" class="chip" key={text} onClick={() => setDescription(text)}>{text}</button>
            ))}
          </div>
        </div>
        <div class="field">
          <label for="name">Name <span class="muted">(optional; derived from the description)</span></label>
          <input id="name" name="name" autocomplete="off" spellcheck={false} value={name}
            aria-invalid={nameProblem ? 'true' : undefined} aria-describedby="name-note"
            onInput={(e) => setName(e.currentTarget.value)} />
          <p id="name-note" class={nameProblem ? 'note bad' : 'note'} aria-live="polite">
            {nameProblem ?? (name ? `“${name}” is a valid name.` : 'Lowercase letters, digits and -, starting with a letter.')}
          </p>
        </div>
        <div class="field">
          <label for="template">Template <span class="muted">(optional)</span></label>
          <select id="template" name="template" value={template} aria-describedby="template-note" onChange={(e) => setTemplate(e.currentTarget.value)}>
            <option value="">Chosen by the generator</option>
            {templates.map((t) => <option key={t.id} value={t.id}>{t.title} ({t.id})</option>)}
          </select>
          <p id="template-note" class="note">{chosen ? chosen.description : 'The generator picks the template that fits the description.'}</p>
        </div>
        <p class="note" id="generator">
          Generator: {generator ? <strong>{generator.kind === 'model' ? 'model' : 'offline templates'}</strong> : '…'}
          {generator ? ` — ${generator.description}` : ''}
        </p>
        <div>
          <button type="submit" class="primary" disabled={sending || Boolean(nameProblem) || (!description.trim() && !template)}>
            {sending ? 'Starting…' : 'Create the app'}
          </button>
        </div>
        {error ? <ProblemView error={error} /> : null}
      </form>
      {templates.length > 0 ? (
        <section aria-labelledby="templates-heading">
          <h2 id="templates-heading">Templates</h2>
          <dl class="templates">
            {templates.map((t) => (
              <div key={t.id}><dt>{t.title} <code>{t.id}</code></dt><dd>{t.description}</dd></div>
            ))}
          </dl>
        </section>
      ) : null}
    </>
  );
}
