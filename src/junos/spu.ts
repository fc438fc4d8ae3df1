import type { XmlNode } from '../xml/node.ts';
import { nonEmpty } from './values.ts';

/**
 * Which SPU (services processing unit, "FPC0 PIC1") the part of a flow reply being read
 * belongs to. Multi-SPU devices answer with one block per SPU and name the SPU in an
 * element that comes BEFORE the block's data:
 *  - `<flow-fpc-pic-id> on FPC0 PIC1:</flow-fpc-pic-id>` (most releases),
 *  - `<fpc-pic-id>` (some 15.1 high-end captures), `<dcp-flow-fpc-pic-id>` (cp-session),
 *  - `<flow-fpc-id>6</flow-fpc-id><flow-pic-id>1</flow-pic-id>` (20.3 per-pic summary).
 * In the 15.1X49 summary the id even sits in a block of its own that closes before the
 * `<flow-session-summary-information>` it labels, so the id is kept until the next block opens.
 */
export class SpuTracker {
  static readonly ITEMS: readonly string[] = ['flow-fpc-pic-id', 'fpc-pic-id', 'dcp-flow-fpc-pic-id', 'flow-fpc-id', 'flow-pic-id'];
  /** The current SPU, undefined on single-SPU devices. */
  spu: string | undefined;
  private fpc: string | undefined;

  open(name: string): void {
    if (name === 'flow-session-information' || name === 'flow-session-per-pic' || name === 'multi-routing-engine-item') {
      this.spu = undefined;
      this.fpc = undefined;
    }
  }

  /** Takes an SPU id element; false for any other element. */
  take(el: XmlNode): boolean {
    switch (el.name) {
      case 'flow-fpc-pic-id':
      case 'fpc-pic-id':
      case 'dcp-flow-fpc-pic-id':
        this.spu = normaliseSpu(el.text);
        return true;
      case 'flow-fpc-id':
        this.fpc = nonEmpty(el.text);
        return true;
      case 'flow-pic-id': {
        const pic = el.text.trim();
        this.spu = this.fpc !== undefined && pic ? `FPC${this.fpc} PIC${pic}` : undefined;
        return true;
      }
      default:
        return false;
    }
  }
}

/** " on FPC0 PIC1:" → "FPC0 PIC1"; undefined when nothing is left. */
export function normaliseSpu(text: string): string | undefined {
  return nonEmpty(text.trim().replace(/^on\s+/i, '').replace(/:$/, '').replace(/\s+/g, ' '));
}
