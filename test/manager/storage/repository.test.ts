import { defineRepositoryTests } from './repository-suite.js';

defineRepositoryTests('sqlite');
