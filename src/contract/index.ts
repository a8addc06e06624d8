export * from './agent.js';
export * from './fleet.js';
export * from './manager.js';
