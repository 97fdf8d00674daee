/** Background workers started with the server and stopped on shutdown (webhook delivery, reconcile loop, ...). */
import type { Services } from "./context.js";

export interface Worker {
  name: string;
  start(services: Services): Promise<void> | void;
  stop(services: Services): Promise<void> | void;
}

export const workers: Worker[] = [];
