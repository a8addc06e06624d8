export * from './agent.js';
export * from './manager.js';
