import { formatIssue, type EngineIssue } from './supported.js';

/** A failure of `up`, `down`, `restart`…, with a message for people. */
export class EngineError extends Error {
  constructor(
    message: string,
    /** The service the failure is about, when there is one. */
    readonly service?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The model asks for something the engine does not do; nothing was created. */
export class UnsupportedConfigError extends EngineError {
  constructor(readonly issues: EngineIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** A dependency did not become healthy or did not complete successfully. */
export class ServiceWaitError extends EngineError {
  constructor(
    service: string,
    readonly reason: 'timeout' | 'unhealthy' | 'exited' | 'failed',
    message: string,
    /** The last health check output or the last lines of output, when known. */
    readonly lastOutput?: string,
  ) {
    super(message, service);
  }
}
