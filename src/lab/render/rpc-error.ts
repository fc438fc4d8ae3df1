import type { LabRpcError } from '../lab-rpc-error.ts';
import { el } from './xml.ts';

/**
 * One `<rpc-error>` in the order Junos writes its children (rpc-error-get-configuration-
 * permission-denied.xml): type, tag, severity, message, then error-info/bad-element.
 * Unindented at its top, as the server places it directly inside `<rpc-reply>`.
 */
export function renderRpcError(e: LabRpcError): string {
  return (
    '<rpc-error>\n' +
    el('    ', 'error-type', e.type) +
    el('    ', 'error-tag', e.tag) +
    el('    ', 'error-severity', e.severity) +
    el('    ', 'error-message', e.message) +
    (e.badElement === undefined ? '' : `    <error-info>\n${el('        ', 'bad-element', e.badElement)}    </error-info>\n`) +
    '</rpc-error>\n'
  );
}
