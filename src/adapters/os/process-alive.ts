/**
 * Whether a process with this pid exists on this machine (it may belong to another user).
 * @example processIsAlive(process.pid) // true
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
