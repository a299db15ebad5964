/** A problem the server answered, with what to do about it. */
import { Problem } from './api.ts';
import { errorText } from './format.ts';

export function ProblemView({ error }: { error: unknown }) {
  return (
    <div class="problem" role="alert">
      <p>{errorText(error)}</p>
      {error instanceof Problem && error.hint ? <p class="hint">{error.hint}</p> : null}
    </div>
  );
}
