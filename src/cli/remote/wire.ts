import { z } from 'zod';
import { apiJson } from '../../server/api-json.ts';

/**
 * The JSON the server answers with, read with the API's own declaration (src/server/api-json.ts):
 * missing or mistyped fields are refused with a clear error instead of surfacing later as `undefined`.
 */
const shapes = apiJson(z);

export const AcceptedRunJson = shapes.RunAccepted;
export const RunSummaryJson = shapes.RunSummary;
export type RunSummaryJson = z.infer<typeof RunSummaryJson>;
export const RunJson = shapes.Run;
export type RunJson = z.infer<typeof RunJson>;
export const RunListJson = shapes.RunList;
export const AppJson = shapes.App;
export type AppJson = z.infer<typeof AppJson>;
export const AppListJson = shapes.AppList;
export const AppStatusJson = shapes.AppDetail;
export const AppVersionListJson = shapes.AppVersionList;
