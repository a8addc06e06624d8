export * from './inspect.js';
export * from './zip.js';
