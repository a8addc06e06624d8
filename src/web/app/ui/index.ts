export { AnalysisReport, FindingsTable, Scores, ServiceGraph } from './analysis.js';
export { Age, Badge, ErrorNote, Meter, ViewTitle } from './bits.js';
export { LineChart, Sparkline, type Series } from './charts.js';
