import { InputError } from '../../domain/errors.ts';

/**
 * An error from reading the app directory, said as what to fix when the cause is the directory
 * itself (a file or folder Slipway may not read, a path too long or looping); other errors are
 * returned as they are.
 * @example throw contextReadError(error, '/srv/app/secret.key')
 */
export function contextReadError(error: unknown, fullPath: string): unknown {
  const path = shortened(fullPath);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError(`cannot read ${path} in the app directory: permission denied`, {
      hint: 'Make it readable by the user running Slipway (chmod a+rX), or move it out of the app directory.', cause: error,
    });
  }
  if (code === 'ENAMETOOLONG' || code === 'ELOOP') {
    return new InputError(`cannot read ${path} in the app directory: ${code === 'ELOOP' ? 'too many symbolic links' : 'the path is too long'}`, {
      hint: 'Shorten or remove it from the app directory.', cause: error,
    });
  }
  return error;
}

/** A path short enough for a message: a path too long to open would fill the screen. */
function shortened(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-80)}`;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A directory entry's name as text. Names that are not valid UTF-8 are refused: they cannot be
 * written into a tar header the way every tool reads it back, and Node would open another name.
 * @example entryName(Buffer.from('server.js'), '/srv/app') // 'server.js'
 */
export function entryName(raw: Buffer, dir: string): string {
  try {
    return STRICT_UTF8.decode(raw);
  } catch {
    const shown = [...raw].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    throw new InputError(`the file name "${shown}" in ${dir} is not valid UTF-8`, { hint: `Rename it to a UTF-8 name (e.g. with convmv or mv), or remove it from the app directory.` });
  }
}
