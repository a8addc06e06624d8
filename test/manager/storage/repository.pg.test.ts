import { defineRepositoryTests } from './repository-suite.js';

defineRepositoryTests('postgres');
