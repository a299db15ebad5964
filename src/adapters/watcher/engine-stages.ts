// The types an engine's watch stages are written against live in the ports, beside GitOpsEngine.
export type { EngineStages, EngineWatchTarget, KubeReader, WatchStages } from '../../ports/watch-stages.ts';
