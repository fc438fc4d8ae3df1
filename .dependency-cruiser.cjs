/**
 * The layers of src/ (see ARCHITECTURE.md). Each folder may import only the folders
 * listed for it; `npm run deps` fails on any other import between folders, on any import
 * cycle, and on an import of the simulator (src/lab) outside the CLI's lab wiring.
 */
const MAY_IMPORT = {
  contracts: ['xml'],
  xml: [],
  schema: [],
  transport: ['contracts', 'xml'],
  junos: ['contracts', 'xml'],
  expr: ['contracts'],
  playbook: ['contracts', 'expr', 'junos', 'schema', 'xml'],
  inventory: ['contracts', 'playbook', 'schema', 'transport'],
  steps: ['contracts', 'expr', 'junos', 'playbook', 'transport', 'xml'],
  checks: ['contracts', 'expr', 'playbook'],
  engine: ['checks', 'contracts', 'expr', 'junos', 'plan', 'playbook', 'steps', 'transport', 'xml'],
  plan: ['contracts', 'playbook', 'schema'],
  report: ['contracts', 'plan'],
  lab: ['contracts', 'junos', 'transport', 'xml'],
  // The BullMQ adapter: runs host jobs (engine) on workers; the CLI gives it its ports.
  queue: ['contracts', 'engine', 'playbook'],
  cli: Object.keys({ contracts: 1, xml: 1, schema: 1, transport: 1, junos: 1, expr: 1, playbook: 1, inventory: 1, steps: 1, checks: 1, engine: 1, plan: 1, report: 1, lab: 1, queue: 1 }),
};
const FOLDERS = Object.keys(MAY_IMPORT);

/** The modules that join the CLI to the simulator. */
const LAB_WIRING = '^src/cli/(lab-wiring|lab-hosts|commands/lab)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules import each other in a circle at run time (a cycle of type-only imports inside a folder is harmless; folders cannot form one, see the layer rules).',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...FOLDERS.map((folder) => ({
      name: `layer-${folder}`,
      severity: 'error',
      comment: `src/${folder} may import only: ${MAY_IMPORT[folder].join(', ') || 'nothing outside itself'}.`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(?!(?:${[folder, ...MAY_IMPORT[folder]].join('|')})/)[^/]+/` },
    })),
    {
      name: 'lab-behind-one-seam',
      severity: 'error',
      comment: 'Only the CLI lab wiring starts or describes the simulator.',
      from: { path: '^src/(?!lab/)', pathNot: LAB_WIRING },
      to: { path: '^src/lab/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
