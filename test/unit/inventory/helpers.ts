import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { InventoryError } from '../../../src/inventory/errors.ts';
import { loadInventory } from '../../../src/inventory/load.ts';
import type { Inventory, InventoryHost, InventoryIssue } from '../../../src/inventory/types.ts';

/** A path under test/fixtures/inventory/. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/inventory/${name}`, import.meta.url));
}

/** A path from the repository root (the shipped inventories). */
export function repoFile(name: string): string {
  return fileURLToPath(new URL(`../../../${name}`, import.meta.url));
}

export function load(...names: string[]): Promise<Inventory> {
  return loadInventory(names.map(fixture));
}

export function host(inv: Inventory, name: string): InventoryHost {
  const h = inv.hosts.find((x) => x.name === name);
  assert.ok(h, `no host ${name} in ${inv.hosts.map((x) => x.name).join(', ')}`);
  return h;
}

/** The issues of the InventoryError loading these fixtures throws, as [line, column, message]. */
export async function issuesOf(...names: string[]): Promise<InventoryIssue[]> {
  try {
    await load(...names);
  } catch (err) {
    assert.ok(err instanceof InventoryError, `expected an InventoryError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail(`loading ${names.join(', ')} should have failed`);
}

/** [line, column, message] of each issue, for compact deepEqual. */
export function located(issues: readonly InventoryIssue[]): [number, number, string][] {
  return issues.map((i) => [i.line, i.column, i.message]);
}
