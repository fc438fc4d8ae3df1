/** The parsers the parser section measures, floor first (ratios are to it). */
export const PARSERS = ['byte-scan', 'saxes', 'sax', 'xml2js', 'runbook'] as const;
export type ParserName = (typeof PARSERS)[number];
