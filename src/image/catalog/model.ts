/** One package found in an image, in the terms of both SBOM formats and OSV. */
export interface Package {
  /** The purl type: what kind of package it is. */
  type: 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang' | 'maven';
  /** The OSV ecosystem its advisories are filed under: `Debian:12`, `Alpine:v3.19`, `npm`, … */
  ecosystem: string;
  name: string;
  version: string;
  /** The distribution's source package, which its advisories name. */
  source?: { name: string; version: string };
  licenses: string[];
  purl: string;
  /** Where it was found: the layer and the file that lists it. */
  locations: { layer: string; path: string }[];
}

/** The distribution an image is built on, from /etc/os-release and its kin. */
export interface OperatingSystem {
  /** os-release `ID`: `debian`, `alpine`, `ubuntu`, `rhel`, … */
  id: string;
  version: string;
  name: string;
}

/** A package as a cataloger reads it, before the image's distribution gives it an ecosystem. */
export type FoundPackage = Omit<Package, 'ecosystem' | 'purl' | 'locations'>;
