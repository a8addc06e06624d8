export { CIS_BENCHMARK, CIS_RECOMMENDATIONS, cisTitle, compareCis, isCisId, type CisId } from './catalogue.js';
