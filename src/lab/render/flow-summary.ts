import type { DeviceState } from '../device-state.ts';
import type { FlowFilter } from '../flow-filter.ts';
import { versionAtLeast, type SpuBlock } from '../platform.ts';
import { flowNamespace } from './flow-sessions.ts';
import { perNode } from './multi-re.ts';
import { esc, ind } from './xml.ts';

/**
 * `get-flow-session-information` with `<summary/>`, in the shape of the device's release:
 *
 * - before 20.3, unfiltered: per SPU a `<flow-session-information>` holding only the
 *   label, the `<flow-session-summary-information>` counters, then an empty
 *   `<flow-session-information>` (flow-session-summary-cluster-multi-spu.xml,
 *   flow-session-summary-single-spu.xml);
 * - with a filter: per SPU `<displayed-session-valid/-pending/-invalidated/-other/-count>`
 *   (flow-session-summary-filtered-*-20.2.xml);
 * - 20.3 and later: one `<flow-session-information>` with a `<flow-session-per-pic>` per SPU
 *   (flow-session-summary-multi-spu-per-pic-20.3.xml, ...-filtered-per-pic-dcp-20.3.xml).
 *
 * The lab's sessions are all valid: pending, invalidated and other counts are 0.
 */
export function* renderFlowSummary(dev: DeviceState, filter: FlowFilter, filtered: boolean, nodes: readonly number[]): Generator<string> {
  const perPic = versionAtLeast(dev.spec.junosVersion, 20, 3);
  yield* perNode(dev.spec.cluster, nodes, (node, level) => {
    const blocks = dev.blocksOfNode(node).map((b) => ({ block: b, count: dev.countMatching(filter, b.ordinal) }));
    if (perPic) return perPicShape(dev, blocks, filtered, level);
    return filtered ? displayedShape(dev, blocks, level) : classicShape(dev, blocks, level);
  });
}

interface BlockCount {
  readonly block: SpuBlock;
  readonly count: number;
}

function counters(dev: DeviceState, count: number, level: number): string {
  const i = ind(level);
  return (
    `${i}<active-unicast-sessions>${count}</active-unicast-sessions>\n` +
    `${i}<active-multicast-sessions>0</active-multicast-sessions>\n` +
    (dev.platform.highEnd ? `${i}<active-services-offload-sessions>0</active-services-offload-sessions>\n` : '') +
    `${i}<failed-sessions>0</failed-sessions>\n` +
    `${i}<active-sessions>${count}</active-sessions>\n` +
    `${i}<active-session-valid>${count}</active-session-valid>\n` +
    `${i}<active-session-pending>0</active-session-pending>\n` +
    `${i}<active-session-invalidated>0</active-session-invalidated>\n` +
    `${i}<active-session-other>0</active-session-other>\n` +
    `${i}<max-sessions>${dev.platform.maxSessionsPerSpu}</max-sessions>\n`
  );
}

function displayed(prefix: '' | 'dcp-', count: number, level: number): string {
  const i = ind(level);
  return (
    `${i}<${prefix}displayed-session-valid>${count}</${prefix}displayed-session-valid>\n` +
    `${i}<${prefix}displayed-session-pending>0</${prefix}displayed-session-pending>\n` +
    `${i}<${prefix}displayed-session-invalidated>0</${prefix}displayed-session-invalidated>\n` +
    `${i}<${prefix}displayed-session-other>0</${prefix}displayed-session-other>\n` +
    `${i}<${prefix}displayed-session-count>${count}</${prefix}displayed-session-count>\n`
  );
}

function* classicShape(dev: DeviceState, blocks: readonly BlockCount[], level: number): Generator<string> {
  const ns = flowNamespace(dev);
  const [i0, i1] = [ind(level), ind(level + 1)];
  for (const { block, count } of blocks) {
    if (block.label === undefined) {
      yield `${i0}<flow-session-information xmlns="${ns}">\n${i0}</flow-session-information>\n`;
    } else {
      yield `${i0}<flow-session-information xmlns="${ns}">\n${i1}<flow-fpc-pic-id>${esc(block.label)}</flow-fpc-pic-id>\n${i0}</flow-session-information>\n`;
    }
    yield `${i0}<flow-session-summary-information xmlns="${ns}">\n${counters(dev, count, level + 1)}${i0}</flow-session-summary-information>\n`;
    yield block.label === undefined
      ? `${i0}<flow-session-information xmlns="${ns}">\n${i0}</flow-session-information>\n`
      : `${i0}<flow-session-information xmlns="${ns}"></flow-session-information>\n`;
  }
}

function* displayedShape(dev: DeviceState, blocks: readonly BlockCount[], level: number): Generator<string> {
  const ns = flowNamespace(dev);
  const [i0, i1] = [ind(level), ind(level + 1)];
  for (const { block, count } of blocks) {
    yield `${i0}<flow-session-information xmlns="${ns}">\n`;
    if (block.label !== undefined) yield `${i1}<flow-fpc-pic-id>${esc(block.label)}</flow-fpc-pic-id>\n`;
    yield displayed('', count, level + 1);
    yield `${i0}</flow-session-information>\n`;
  }
}

function* perPicShape(dev: DeviceState, blocks: readonly BlockCount[], filtered: boolean, level: number): Generator<string> {
  const labelled = blocks.some((b) => b.block.label !== undefined);
  // A filtered summary on a single-SPU device has no per-PIC form to take: it keeps the displayed-* shape.
  if (filtered && !labelled) {
    yield* displayedShape(dev, blocks, level);
    return;
  }
  const ns = flowNamespace(dev);
  const [i0, i1, i2] = [ind(level), ind(level + 1), ind(level + 2)];
  yield `${i0}<flow-session-information xmlns="${ns}">\n`;
  for (const { block, count } of blocks) {
    yield `${i1}<flow-session-per-pic xmlns="${ns}">\n`;
    if (block.label !== undefined) yield `${i2}<flow-fpc-id>${block.fpc}</flow-fpc-id>\n${i2}<flow-pic-id>${block.pic}</flow-pic-id>\n`;
    yield filtered
      ? `${i2}<dcp-flow-session-summary-information xmlns="${ns}">\n${displayed('dcp-', count, level + 3)}${i2}</dcp-flow-session-summary-information>\n`
      : `${i2}<flow-session-summary-information xmlns="${ns}">\n${counters(dev, count, level + 3)}${i2}</flow-session-summary-information>\n`;
    yield `${i1}</flow-session-per-pic>\n`;
  }
  yield `${i0}</flow-session-information>\n`;
}
