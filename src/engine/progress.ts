/** What the engine reports while it works, one event per step of one resource. */
export interface ProgressEvent {
  kind: 'container' | 'network' | 'volume' | 'image';
  /** Name on the engine: `demo-web-1`, `demo_default`, `demo-api`. */
  name: string;
  /** The service the resource belongs to, for containers and images. */
  service?: string;
  action: ProgressAction;
  status: 'working' | 'done' | 'error' | 'warning';
  /** Extra words: the recreate reason, a build line, an error. */
  detail?: string;
}

export type ProgressAction =
  | 'create'
  | 'recreate'
  | 'start'
  | 'keep'
  | 'adopt'
  | 'wait-healthy'
  | 'wait-completed'
  | 'stop'
  | 'remove'
  | 'restart'
  | 'build'
  | 'pull'
  | 'rollback'
  | 'orphan'
  | 'kill'
  | 'pause'
  | 'unpause';

export type ProgressListener = (event: ProgressEvent) => void;

export const ignoreProgress: ProgressListener = () => {};
