import { join } from 'node:path';

/** The captured Junos replies the tests read, kept in the repo (test/fixtures/junos/SOURCES.md says where each came from). */
export const JUNOS_FIXTURES = join(import.meta.dirname, '../fixtures/junos');
