import type { Extractor } from './extractor.ts';
import type { XmlNode } from '../xml/node.ts';
import { nonEmpty } from './values.ts';

/**
 * Which chassis-cluster node the part of a reply being read belongs to. A cluster
 * wraps each node's answer in `<multi-routing-engine-item>` whose `<re-name>` comes
 * before the node's data, so the name is known by the time the data streams by.
 */
export class NodeTracker {
  static readonly ITEMS: readonly string[] = ['re-name'];
  /** The current node, undefined on a standalone device or outside any item. */
  node: string | undefined;
  /** Every node named in the reply, in order. */
  readonly seen: string[] = [];

  open(name: string): void {
    if (name === 'multi-routing-engine-item') this.node = undefined;
  }

  close(name: string): void {
    // What follows an item (the <cli> banner) belongs to no node.
    if (name === 'multi-routing-engine-item') this.node = undefined;
  }

  /** Takes `<re-name>`; false for any other element. */
  take(el: XmlNode): boolean {
    if (el.name !== 're-name') return false;
    this.node = nonEmpty(el.text);
    if (this.node !== undefined) this.seen.push(this.node);
    return true;
  }
}

/**
 * An extractor whose items may sit inside cluster nodes: it takes `<re-name>` itself and
 * hands every other selected element to `onItem`, with `this.nodes.node` telling the node.
 */
export abstract class NodeScopedExtractor<T> implements Extractor<T> {
  readonly items: ReadonlySet<string>;
  protected readonly nodes = new NodeTracker();

  constructor(items: readonly string[]) {
    this.items = new Set([...items, ...NodeTracker.ITEMS]);
  }

  onOpen(name: string): void {
    this.nodes.open(name);
  }

  onClose(name: string): void {
    this.nodes.close(name);
  }

  onElement(el: XmlNode): void {
    if (!this.nodes.take(el)) this.onItem(el);
  }

  protected abstract onItem(el: XmlNode): void;
  abstract result(): T;
}
