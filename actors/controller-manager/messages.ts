/** The controller-manager actor's protocol. */
import type { ControllerStats } from './controller.js';
import type { ControllerName } from './manager.js';

export const CONTROLLER_MANAGER_ADDRESS = 'controller-manager';

export interface ControllerManagerArgs {
  /** The api-server's address; default 'api-server'. */
  readonly apiServer?: string;
  /** Default all. */
  readonly controllers?: readonly ControllerName[];
  readonly workers?: Partial<Record<ControllerName, number>>;
}

export type ControllerManagerMessage = { type: 'cm.stats' } | { type: 'cm.ready' };

export interface ControllerManagerStats {
  readonly synced: boolean;
  readonly controllers: Record<string, ControllerStats>;
}
