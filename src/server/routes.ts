/** Extra HTTP routes beside /graphql (CSV export, ...). Add a domain's route handler here. */
import type { RouteHandler } from "./http.js";
import { exportRoute } from "./export.js";

export const routes: RouteHandler[] = [exportRoute];
