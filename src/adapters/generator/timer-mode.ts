/**
 * Which member of the timer family a request asks for (a countdown, a stopwatch, a clock or a
 * pomodoro timer) and, for a countdown, the date it runs to when the request names one.
 */

export type TimerMode = 'pomodoro' | 'countdown' | 'stopwatch' | 'clock';

/** The heading a timer app gets when the request gives it no name. */
export const MODE_TITLES: Readonly<Record<TimerMode, string>> = {
  pomodoro: 'Pomodoro Timer',
  countdown: 'Countdown',
  stopwatch: 'Stopwatch',
  clock: 'Clock',
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH = `(${MONTHS.map((m) => `${m.slice(0, 3)}(?:${m.slice(3)})?`).join('|')})\\.?`;
const DAY = '(\\d{1,2})(?:st|nd|rd|th)?';
const YEAR = '(\\d{4})';

/** Words that name a day something happens on, so that "until" before them means a countdown. */
const OCCASION = /\b(?:day|days|date|birthday|wedding|christmas|new year|holiday|holidays|vacation|trip|launch|release|deadline|exam|exams|weekend|retirement|anniversary|party|graduation|summer|winter|spring|autumn)\b/;

/**
 * The words for each mode, strongest first: a request naming a pomodoro or a countdown outright is
 * that, whatever else it says ("a countdown clock" is a countdown, "a pomodoro timer with breaks" a pomodoro).
 */
const RULES: ReadonlyArray<{ mode: TimerMode; test: (text: string) => boolean }> = [
  { mode: 'pomodoro', test: (t) => /\b(?:pomodoro|tomato)\b/.test(t) },
  { mode: 'countdown', test: (t) => /\bcount ?-?downs?\b/.test(t) },
  { mode: 'stopwatch', test: (t) => /\bstop ?-?watch(?:es)?\b/.test(t) },
  { mode: 'countdown', test: (t) => /\b(?:days|hours|weeks|sleeps) (?:until|till|to go|left)\b/.test(t) || (/\b(?:until|till)\b/.test(t) && (OCCASION.test(t) || findDate(t) !== undefined || new RegExp(`\\b${MONTH}\\b`).test(t))) },
  { mode: 'stopwatch', test: (t) => /\b(?:laps?|split times?|time my|time how long)\b/.test(t) },
  { mode: 'clock', test: (t) => /\b(?:clocks?|what time|time ?zones?|world time)\b/.test(t) },
  { mode: 'pomodoro', test: (t) => /\b(?:focus|intervals?|breaks?)\b/.test(t) },
];

/**
 * The timer mode a request's words ask for, or undefined when they name none (the template's default stands).
 * @example timerMode('a countdown to our wedding day') // 'countdown'
 * @example timerMode('a stopwatch for my running laps') // 'stopwatch'
 */
export function timerMode(description: string): TimerMode | undefined {
  const text = description.toLowerCase().replace(/\s+/g, ' ');
  return RULES.find((rule) => rule.test(text))?.mode;
}

/** `YYYY-MM-DD` when the numbers make a real calendar day, else undefined. */
function calendarDay(year: number, month: number, day: number): string | undefined {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * The first date a request names, as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`: ISO (`2027-06-12`,
 * `2027-06-12T18:30`), "June 12 2027", "June 12th, 2027" or "12 June 2027". Impossible days (February 30) are no date.
 * @example findDate('a countdown to June 12 2027') // '2027-06-12'
 */
export function findDate(description: string): string | undefined {
  const text = description.toLowerCase();
  const iso = /\b(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2}))?\b/.exec(text);
  if (iso) {
    const day = calendarDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    if (!day) return undefined;
    const [hours, minutes] = [iso[4], iso[5]];
    return hours !== undefined && minutes !== undefined && Number(hours) < 24 && Number(minutes) < 60 ? `${day}T${hours}:${minutes}` : day;
  }
  const monthFirst = new RegExp(`\\b${MONTH} ${DAY},? ${YEAR}\\b`).exec(text);
  const dayFirst = new RegExp(`\\b${DAY} (?:of )?${MONTH},? ${YEAR}\\b`).exec(text);
  // Whichever the request writes first; each gives month, day and year in its own order.
  const first = [monthFirst && { at: monthFirst.index, month: monthFirst[1]!, day: monthFirst[2]!, year: monthFirst[3]! }, dayFirst && { at: dayFirst.index, month: dayFirst[2]!, day: dayFirst[1]!, year: dayFirst[3]! }]
    .filter((m) => m !== null)
    .sort((a, b) => a.at - b.at)[0];
  if (!first) return undefined;
  const month = MONTHS.findIndex((m) => m.startsWith(first.month.slice(0, 3))) + 1;
  return calendarDay(Number(first.year), month, Number(first.day));
}
