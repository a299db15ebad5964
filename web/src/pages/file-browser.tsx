/** An app's files in one of its repos, with the chosen one shown highlighted. */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { highlight } from '../highlight.ts';
import { ProblemView } from '../problem-view.tsx';

interface FileEntry { path: string; size: number }
interface FileContent { path: string; size: number; binary: boolean; content?: string }

export function FileBrowser({ app, repo, heading }: { app: string; repo: 'source' | 'gitops'; heading: string }) {
  const [files, setFiles] = useState<FileEntry[]>();
  const [open, setOpen] = useState<FileContent>();
  const [error, setError] = useState<unknown>();
  const id = `files-${repo}`;

  async function show(path: string) {
    setError(undefined);
    try {
      const encoded = path.split('/').map(seg).join('/');
      setOpen(await api<FileContent>(`/v1/apps/${seg(app)}/files/${encoded}?repo=${repo}`));
    } catch (caught) {
      setError(caught);
    }
  }

  useEffect(() => {
    setOpen(undefined);
    api<{ files: FileEntry[] }>(`/v1/apps/${seg(app)}/files?repo=${repo}`).then((answer) => {
      setFiles(answer.files);
      // The app's code first (its server, its page), rather than a dotfile.
      const first = answer.files.find((f) => /\.(js|ts|html)$/.test(f.path)) ?? answer.files.find((f) => /\.ya?ml$/.test(f.path)) ?? answer.files[0];
      if (first) void show(first.path);
    }, setError);
  }, [app, repo]);

  const html = open?.content !== undefined ? highlight(open.path, open.content) : undefined;
  return (
    <section aria-labelledby={`${id}-heading`} class="files" data-repo={repo}>
      <h2 id={`${id}-heading`}>{heading}</h2>
      {error ? <ProblemView error={error} /> : null}
      <div class="file-view">
        <ul class="file-list" aria-label={`${heading}: files`}>
          {files?.map((file) => (
            <li key={file.path}>
              <button type="button" class="link" aria-pressed={open?.path === file.path} onClick={() => show(file.path)}>{file.path}</button>
            </li>
          ))}
        </ul>
        {open ? (
          <figure>
            <figcaption><code>{open.path}</code> <span class="muted">{open.size} bytes</span></figcaption>
            {open.content === undefined ? (
              <p class="note">{open.binary ? 'A binary file.' : 'Too large to show.'}</p>
            ) : html !== undefined ? (
              <pre class="code hljs" tabIndex={0} aria-label={open.path}><code dangerouslySetInnerHTML={{ __html: html }} /></pre>
            ) : (
              <pre class="code" tabIndex={0} aria-label={open.path}><code>{open.content}</code></pre>
            )}
          </figure>
        ) : null}
      </div>
    </section>
  );
}
