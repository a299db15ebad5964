/**
 * Colours for generated apps: named accent colours (one shade for light pages, a lighter one for
 * dark pages) and neutral surfaces tinted slightly toward the accent so the page feels of a piece.
 */

export type Theme = 'light' | 'dark';

export interface ColourSet {
  theme: Theme;
  accentColor: string;
  backgroundColor: string;
  surfaceColor: string;
  textColor: string;
  mutedColor: string;
}

/** Accent colours by name: a shade readable on white, and one readable on near-black. */
export const ACCENTS: Readonly<Record<string, { light: string; dark: string }>> = {
  red: { light: '#dc2626', dark: '#f87171' },
  orange: { light: '#ea580c', dark: '#fb923c' },
  amber: { light: '#d97706', dark: '#fbbf24' },
  yellow: { light: '#ca8a04', dark: '#facc15' },
  lime: { light: '#65a30d', dark: '#a3e635' },
  green: { light: '#16a34a', dark: '#4ade80' },
  emerald: { light: '#059669', dark: '#34d399' },
  teal: { light: '#0d9488', dark: '#2dd4bf' },
  cyan: { light: '#0891b2', dark: '#22d3ee' },
  blue: { light: '#2563eb', dark: '#60a5fa' },
  indigo: { light: '#4f46e5', dark: '#818cf8' },
  violet: { light: '#7c3aed', dark: '#a78bfa' },
  purple: { light: '#9333ea', dark: '#c084fc' },
  fuchsia: { light: '#c026d3', dark: '#e879f9' },
  pink: { light: '#db2777', dark: '#f472b6' },
  rose: { light: '#e11d48', dark: '#fb7185' },
  brown: { light: '#92400e', dark: '#d6a77a' },
  gray: { light: '#4b5563', dark: '#9ca3af' },
};

/** Other names people use for the same colours. */
export const ACCENT_ALIASES: Readonly<Record<string, string>> = {
  grey: 'gray', gold: 'amber', golden: 'amber', magenta: 'fuchsia', turquoise: 'teal', navy: 'blue',
  lavender: 'violet', crimson: 'red', scarlet: 'red', coral: 'orange', mint: 'emerald', olive: 'lime',
};

/** Words that ask for a dark or a light page. */
export const THEME_WORDS: Readonly<Record<string, Theme>> = {
  dark: 'dark', night: 'dark', midnight: 'dark', black: 'dark', dim: 'dark',
  light: 'light', white: 'light', bright: 'light',
};

const BASE = {
  light: { background: '#ffffff', surface: '#ffffff', text: '#111827', muted: '#6b7280' },
  dark: { background: '#0f1115', surface: '#1a1d24', text: '#e5e7eb', muted: '#9ca3af' },
} as const;

/**
 * Mixes two `#rrggbb` colours; `amount` is the share of `b`.
 * @example mix('#000000', '#ffffff', 0.5) // '#808080'
 */
export function mix(a: string, b: string, amount: number): string {
  const channel = (hex: string, i: number) => Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
  let out = '#';
  for (let i = 0; i < 3; i++) {
    const value = Math.round(channel(a, i) * (1 - amount) + channel(b, i) * amount);
    out += value.toString(16).padStart(2, '0');
  }
  return out;
}

/**
 * The full set of colours for a theme and an accent (a palette name or `#rrggbb`).
 * @example colourSet('dark', 'blue').backgroundColor // a near-black with a hint of blue
 */
export function colourSet(theme: Theme, accent: string): ColourSet {
  const named = ACCENTS[ACCENT_ALIASES[accent] ?? accent];
  const accentColor = named ? named[theme] : accent;
  const base = BASE[theme];
  return {
    theme,
    accentColor,
    backgroundColor: mix(base.background, accentColor, theme === 'dark' ? 0.06 : 0.05),
    surfaceColor: theme === 'dark' ? mix(base.surface, accentColor, 0.05) : base.surface,
    textColor: base.text,
    mutedColor: base.muted,
  };
}
