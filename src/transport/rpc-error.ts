import { childText, pathText, type XmlNode } from '../xml/node.ts';
import type { RpcErrorInfo } from '../contracts/session.ts';

/**
 * Reads an `<rpc-error>` element. Junos wraps error-message text in newlines and
 * sometimes omits error-type/error-tag (warnings); missing severity means error (RFC 6241).
 */
export function readRpcError(node: XmlNode): RpcErrorInfo {
  const severity = childText(node, 'error-severity') === 'warning' ? 'warning' : 'error';
  const message = collapse(childText(node, 'error-message')) || collapse(childText(node, 'error-tag')) || 'unspecified error';
  return {
    severity,
    message,
    ...opt('type', childText(node, 'error-type')),
    ...opt('tag', childText(node, 'error-tag')),
    ...opt('path', collapse(childText(node, 'error-path'))),
    ...opt('badElement', pathText(node, ['error-info', 'bad-element'])),
    ...opt('sourceDaemon', collapse(childText(node, 'source-daemon'))),
  };
}

function collapse(s: string | undefined): string | undefined {
  return s?.replace(/\s+/g, ' ').trim();
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
