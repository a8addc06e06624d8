export * from './keys.js';
export * from './login-backoff.js';
export * from './passwords.js';
export * from './peer-certificate.js';
