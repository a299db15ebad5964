import { z } from 'zod';

/** The runtimes an app may use. `static` apps are served by a tiny Node file server. */
export const Runtime = z.enum(['node', 'static']);
export type Runtime = z.infer<typeof Runtime>;

/** A setting or secret an app reads from its environment, as the plan names it. */
const NeededSetting = z.object({ name: z.string(), description: z.string(), default: z.string().optional() });
const NeededSecret = z.object({ name: z.string(), description: z.string() });

/** What the plan says an app needs besides its code: settings, secrets, a database, services outside the cluster. */
export const AppNeeds = z.object({
  settings: z.array(NeededSetting).optional(),
  secrets: z.array(NeededSecret).optional(),
  database: z.literal('postgres').optional(),
  externals: z.array(z.string()).optional(),
});
export type AppNeeds = z.infer<typeof AppNeeds>;

/** What Slipway knows about an app once it is planned: enough to generate, render and run it. */
export const AppSpec = z.object({
  name: z.string(),
  description: z.string(),
  /** Template id (offline generator) that produced the app. */
  template: z.string(),
  templateVersion: z.string(),
  runtime: Runtime,
  /** Port the app listens on inside its container; the local runtime passes $PORT instead. */
  port: z.number().int().min(1).max(65535),
  /** Whether the app keeps data that must survive restarts (under $DATA_DIR). */
  persistent: z.boolean(),
  /** Command that starts the app, relative to the app directory. */
  command: z.array(z.string()).min(1),
  /** Where the app serves Prometheus metrics, as verification found it; absent when it serves none. */
  metrics: z.object({ path: z.string().regex(/^\/[^\s]*$/) }).optional(),
  /** What the app needs to be configured with: it reads each from its environment, with a safe default for settings. */
  needs: AppNeeds.optional(),
});
export type AppSpec = z.infer<typeof AppSpec>;

/** One generated file: a relative POSIX path inside the app directory, and its text. */
export const GeneratedFile = z.object({ path: z.string(), content: z.string() });
export type GeneratedFile = z.infer<typeof GeneratedFile>;
