export { applyEdits, unifiedDiff, type EditedFile } from './edits.js';
