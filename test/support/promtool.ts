/**
 * `promtool check rules` (Debian's prometheus package) on rule groups: Prometheus' own parser
 * checks every expression, `for` duration, label and annotation template.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  ok: boolean;
  output: string;
}

/** Writes `{ groups }` as a rules file and checks it. */
export async function checkRules(groups: unknown[]): Promise<PromtoolResult> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-promtool-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, stringify({ groups }));
    return await new Promise((resolve) => {
      execFile('promtool', ['check', 'rules', file], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ ok: error === null, output: `${stdout}${stderr}` }));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each PromQL expression as a recording rule of one group: how expressions outside rules (a dashboard's) get checked. */
export function asRecordingRules(exprs: string[]): unknown[] {
  return [{ name: 'expressions', rules: exprs.map((expr, i) => ({ record: `check:expression_${i}`, expr })) }];
}
