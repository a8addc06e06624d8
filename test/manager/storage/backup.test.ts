import { defineBackupTests } from './backup-suite.js';

defineBackupTests('sqlite');
