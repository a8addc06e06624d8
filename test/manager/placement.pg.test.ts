import { definePlacementTests } from './placement-suite.js';

definePlacementTests('postgres');
