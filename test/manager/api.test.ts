import { defineApiTests } from './api-suite.js';

defineApiTests('sqlite');
