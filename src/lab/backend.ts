import { createDeviceState, type DeviceState } from './device-state.ts';
import { handleRpc, renderRpcError, renderRpcErrors } from './dispatch.ts';
import type { LabHostSpec } from './lab.ts';
import type { LabBackend } from './netconf-server-session.ts';
import { resolveScenario, scenarioDescriptions } from './scenarios.ts';

/** A lab backend with its device state in view, for tests that check what changed. */
export interface DeviceBackend extends LabBackend {
  readonly device: DeviceState;
}

/** The simulated SRX behind one lab host: its scenario, built from the host's seed. */
export function createLabBackend(spec: LabHostSpec): DeviceBackend {
  const device = createDeviceState(resolveScenario(spec.scenario, { ...spec.overrides, seed: spec.seed }), {
    hostName: spec.name,
    rejectCommit: spec.faults?.rejectCommit ?? false,
    ...(spec.confirmMinuteMs !== undefined ? { confirmMinuteMs: spec.confirmMinuteMs } : {}),
  });
  return {
    device,
    junosVersion: device.nsVersion,
    summary: device.describe(),
    answer(rpc, session) {
      const reply = handleRpc(device, rpc, session);
      return reply.kind === 'content' ? reply : { kind: 'error', xml: renderRpcErrors(reply.errors) };
    },
    sessionEnded(sessionId) {
      device.config.sessionEnded(sessionId);
    },
    close() {
      device.dispose();
    },
    rpcError(message, badElement) {
      return renderRpcError({ type: 'protocol', tag: 'operation-failed', severity: 'error', message, ...(badElement ? { badElement } : {}) });
    },
  };
}

export const describeScenarios = scenarioDescriptions;
