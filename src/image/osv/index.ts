export { parseAdvisory, AdvisoryError, type Advisory, type AffectedPackage, type RangeEvent, type VersionRange } from './advisory.js';
export { cvss3BaseScore, cvssRating, type CvssRating } from './cvss.js';
export { AdvisoryIndex, affects, type AdvisoryMatch, type InstalledPackage } from './match.js';
