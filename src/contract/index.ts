export * from './agent.js';
export * from './manager.js';
export * from './fleet.js';
