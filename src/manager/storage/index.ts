export * from './database.js';
export * from './migrations.js';
export * from './open.js';
export * from './repository.js';
export * from './backup.js';
