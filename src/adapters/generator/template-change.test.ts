import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { templateChange } from './template-change.ts';
import { loadTemplate } from './template-manifest.ts';
import { TemplateGenerator } from './template-generator.ts';

const templatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));
const generator = new TemplateGenerator({ templatesDir });
const APP = { name: 'focus', description: 'a pomodoro timer' };

describe('templateChange', () => {
  it('sets a quoted title (and the heading with it), keeping "and" inside the quotes', async () => {
    const timer = await loadTemplate(templatesDir, 'timer');
    expect(templateChange('set the title to "Focus and Rest"', timer, {})).toEqual({ title: 'Focus and Rest', heading: 'Focus and Rest' });
    expect(templateChange('change the heading to Time to work', timer, {})).toEqual({ heading: 'Time to work' });
    expect(templateChange('tagline: "Breathe in, breathe out"', timer, {})).toEqual({ description: 'Breathe in, breathe out' });
    // Unquoted, a comma ends the value, and what follows must be understood on its own.
    expect(() => templateChange('tagline: Breathe in, breathe out', timer, {})).toThrow('cannot make "breathe out" happen');
  });

  it('turns a timer into another of its family, with a countdown\'s date; a title of its own stays', async () => {
    const timer = await loadTemplate(templatesDir, 'timer');
    const stopwatch = { mode: 'stopwatch', title: 'Stopwatch', heading: 'Stopwatch' };
    expect(templateChange('turn it into a countdown to 12 June 2027', timer, stopwatch)).toEqual({ mode: 'countdown', countdownTo: '2027-06-12', title: 'Countdown', heading: 'Countdown' });
    expect(templateChange('make it a clock and make it dark', timer, { mode: 'pomodoro', title: 'Deep Work' })).toMatchObject({ mode: 'clock', theme: 'dark' });
    expect(templateChange('make it a clock', timer, { mode: 'pomodoro', title: 'Deep Work' })).toEqual({ mode: 'clock' });
    expect(templateChange('switch to a pomodoro timer', timer, stopwatch)).toMatchObject({ mode: 'pomodoro', title: 'Pomodoro Timer' });
    // A template without modes has no clock to become.
    const form = await loadTemplate(templatesDir, 'form');
    expect(() => templateChange('make it a clock', form, {})).toThrow('cannot make "make it a clock" happen');
  });

  it('builds the colour set from a theme and an accent, each alone keeping the other as it was', async () => {
    const timer = await loadTemplate(templatesDir, 'timer');
    const dark = templateChange('make it dark with teal accents', timer, {});
    expect(dark).toMatchObject({ theme: 'dark', accentColor: '#2dd4bf' });
    expect(dark['backgroundColor']).toMatch(/^#[0-9a-f]{6}$/);
    expect(templateChange('use #ff8800', timer, { theme: 'dark' })).toMatchObject({ theme: 'dark', accentColor: '#ff8800' });
    expect(templateChange('switch to light mode', timer, { theme: 'dark', accentColor: '#2dd4bf' })).toMatchObject({ theme: 'light', accentColor: '#2dd4bf' });
  });

  it('refuses a request with any part it cannot place, naming that part and saying a model is needed', async () => {
    const timer = await loadTemplate(templatesDir, 'timer');
    const error = (() => {
      try {
        templateChange('make it dark and add a reset button', timer, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('the offline templates cannot make "add a reset button" happen: they change an app\'s title, heading, description, theme and colours (and a timer\'s mode) only, so this change needs a model');
    expect((error as InputError).hint).toContain('OPENAI_API_KEY');
    expect(() => templateChange('rename it', timer, {})).toThrow(InputError);
    expect(() => templateChange(`set the title to ${'x'.repeat(600)}`, timer, {})).toThrow('a request of 617 characters');
  });
});

describe('TemplateGenerator.change', () => {
  it('re-renders the template with the new parameters laid over the app\'s own, and returns the plan that says so', async () => {
    const plan = await generator.plan({ description: 'a pomodoro timer called "Tomato"' });
    const before = await generator.generate(plan, APP);
    const after = await generator.change(plan, APP, before, 'make it dark with teal accents');
    expect(after.plan.template.params).toMatchObject({ title: 'Tomato', theme: 'dark', accentColor: '#2dd4bf' });
    const page = (app: { files: { path: string; content: string }[] }) => app.files.find((f) => f.path === 'public/index.html')!.content;
    expect(page(after)).toContain('<title>Tomato</title>');
    expect(after.files.find((f) => f.path === 'public/styles.css')!.content).toContain('#2dd4bf');
    const renamed = await generator.change(after.plan, APP, after, 'set the title to "Deep Focus"');
    expect(page(renamed)).toContain('<title>Deep Focus</title>');
    expect(renamed.plan.title).toBe('Deep Focus');
    expect(renamed.plan.template.params['accentColor']).toBe('#2dd4bf');
  });

  it('turns a stopwatch app into a countdown to the date asked for', async () => {
    const app = { name: 'laps', description: 'a stopwatch' };
    const plan = await generator.plan(app);
    const before = await generator.generate(plan, app);
    const after = await generator.change(plan, app, before, 'turn it into a countdown to 2027-06-12');
    const page = after.files.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('<body data-timer="countdown"');
    expect(page).toContain('data-default="2027-06-12"');
    expect(after.plan).toMatchObject({ title: 'Countdown', template: { params: { mode: 'countdown', countdownTo: '2027-06-12' } } });
  });

  it('refuses to re-render an app a model wrote: the model\'s work would be lost', async () => {
    const plan = await generator.plan({ description: 'a pomodoro timer' });
    const modelPlan = { ...plan, generator: { kind: 'model' as const, model: 'gpt-4.1', prompts: {} } };
    await expect(generator.change(modelPlan, APP, { spec: (await generator.generate(plan, APP)).spec, files: [] }, 'make it dark')).rejects.toThrow('focus was written by a model, so the offline templates cannot change it; this change needs a model');
  });
});
