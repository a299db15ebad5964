/**
 * Reading the log files the log stamper (log-stamper.cjs) writes: each line starts with the time it
 * was printed, RFC 3339 in UTC, and a space. Users see the lines as the app printed them.
 */

/** The stamp log-stamper.cjs writes: `new Date().toISOString()` and a space. */
const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) /;

/** A log line split into its time (when it has a stamp) and the text the app printed. */
export function parseStamped(line: string): { at?: Date; text: string } {
  const match = STAMP.exec(line);
  if (!match) return { text: line };
  return { at: new Date(match[1]!), text: line.slice(match[0].length) };
}

/** The line as the app printed it. */
export function unstamp(line: string): string {
  return parseStamped(line).text;
}

/**
 * A filter, called with the lines in order, that keeps those printed at or after `since`. A line
 * without a stamp was written by a Slipway that did not stamp logs yet: it is left out only when a
 * stamped line before it is older than `since` (it came later than that line, but how much later is
 * unknown); with no stamped line before it its time is unknown, and it is shown rather than hidden.
 */
export function printedSince(since: Date): (line: string) => boolean {
  let previous: Date | undefined;
  return (line) => {
    const { at } = parseStamped(line);
    if (at) previous = at;
    return previous === undefined || previous.getTime() >= since.getTime();
  };
}
