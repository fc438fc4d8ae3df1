import type { EventSink } from '../../engine/events.ts';

/**
 * Progress while a run goes on. The engine only emits events; a renderer turns them
 * into a live terminal view (listr2) or plain lines (CI, pipes, NO_COLOR terminals alike).
 */
export interface ProgressRenderer {
  readonly sink: EventSink;
  /** Resolves when the renderer has drawn its last frame. */
  end(): Promise<void>;
}
