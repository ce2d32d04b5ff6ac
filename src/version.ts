// The package version, sent in the SDK identification header; a test keeps it equal to package.json's.
export const VERSION = "0.1.0";
