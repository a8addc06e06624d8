import { defineApiTests } from './api-suite.js';

defineApiTests('postgres');
