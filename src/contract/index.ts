export * from './agent.js';
export * from './status.js';
export * from './manager.js';
export * from './dashboard.js';
export * from './fleet.js';
export * from './harden.js';
