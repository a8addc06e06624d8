export * from './keys.js';
export * from './passwords.js';
