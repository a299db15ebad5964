import { describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../domain/index.ts';
import { commandLines } from './command-lines.ts';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('commandLines', () => {
  it("gives a program's stdout and stderr lines until it exits", async () => {
    const program = "console.log('out 1'); console.error('err 1'); setTimeout(() => console.log('out 2'), 50);";
    const lines: string[] = [];
    for await (const line of commandLines(process.execPath, ['-e', program], { env })) lines.push(line);
    expect(lines.sort()).toEqual(['err 1', 'out 1', 'out 2']);
  });

  it('kills a program that keeps writing once the signal aborts', async () => {
    const program = 'console.log(`pid ${process.pid}`); let n = 0; setInterval(() => console.log(`tick ${n++}`), 20);';
    const stop = new AbortController();
    const lines: string[] = [];
    for await (const line of commandLines(process.execPath, ['-e', program], { env, signal: stop.signal })) {
      lines.push(line);
      if (lines.length === 3) stop.abort();
    }
    expect(lines.slice(1, 3)).toEqual(['tick 0', 'tick 1']);
    expect(lines.length).toBeLessThan(10);
    // The program itself is gone, not just no longer read.
    const pid = Number(lines[0]!.split(' ')[1]);
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it('says when the program cannot be run', async () => {
    const run = async () => {
      for await (const _line of commandLines('/nonexistent/podman', ['logs'], { env })) void _line;
    };
    await expect(run()).rejects.toBeInstanceOf(ExternalServiceError);
  });
});
