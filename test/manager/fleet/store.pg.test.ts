import { defineFleetStoreTests } from './store-suite.js';

defineFleetStoreTests('postgres');
