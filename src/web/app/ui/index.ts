export { AnalysisReport, FindingsTable, Scores, ServiceGraph, SeverityTable } from './analysis.js';
export { Age, Badge, COUNTED_SEVERITIES, ErrorNote, Meter, SeverityCounts, ViewTitle } from './bits.js';
export { LineChart, Sparkline, type Series } from './charts.js';
