"""Shared by ncclient_probe.py and pyez_probe.py: read Junos replies the way a careful
script would, and print one JSON document the node test compares with our client.

Every element is matched by its local name, so a reply read with namespaces (ncclient's
raw tree) and one with namespaces stripped (PyEZ, ncclient's junos handler) give the
same answer. Sessions are counted over every <flow-session> of the whole reply: all SPU
blocks and, on a chassis cluster, all nodes (a findtext of the first
<displayed-session-count>, as the on-box script does, sees only the first block; it is
reported separately as displayed_counts so the test can show the difference).
"""

import argparse
import json
import os
import sys
import traceback

from lxml import etree


def local(tag):
    """Local name of an element tag, None for comments and processing instructions."""
    if not isinstance(tag, str):
        return None
    return etree.QName(tag).localname


def child_text(el, name):
    if el is None:
        return None
    for c in el:
        if local(c.tag) == name:
            return (c.text or '').strip()
    return None


def elements(root, name):
    return [el for el in root.iter() if local(el.tag) == name]


def field(el, name):
    """Text of a child of the SA element, else of its enclosing block (detail output)."""
    value = child_text(el, name)
    if value:
        return value
    parent = el.getparent()
    if parent is not None and local(parent.tag) in ('ipsec-security-associations-block', 'ike-security-associations-block'):
        value = child_text(parent, name)
    return value or None


def summarize_flow(root):
    """AH sessions in the whole reply, and per peer (the In wing's source address)."""
    total = 0
    by_peer = {}
    for fs in elements(root, 'flow-session'):
        total += 1
        wings = [c for c in fs if local(c.tag) == 'flow-information']
        main = next((w for w in wings if child_text(w, 'direction') == 'In'), wings[0] if wings else None)
        src = child_text(main, 'source-address')
        if src:
            by_peer[src] = by_peer.get(src, 0) + 1
    displayed = []
    for d in elements(root, 'displayed-session-count'):
        try:
            displayed.append(int((d.text or '').strip()))
        except ValueError:
            pass
    return {
        'ah_sessions': total,
        # A list of pairs keeps the order of first appearance through any JSON reader.
        'ah_by_peer': [[peer, n] for peer, n in by_peer.items()],
        'flow_blocks': len(elements(root, 'flow-session-information')),
        'displayed_counts': displayed,
        'nodes': [(e.text or '').strip() for e in elements(root, 're-name')],
    }


def summarize_ipsec(root):
    """Distinct sa-tunnel-index per sa-remote-gateway, both in order of first appearance."""
    by_peer = {}
    sas = 0
    for sa in elements(root, 'ipsec-security-associations'):
        index = field(sa, 'sa-tunnel-index')
        gateway = field(sa, 'sa-remote-gateway')
        if not index or not gateway:
            continue
        sas += 1
        indexes = by_peer.setdefault(gateway, [])
        if int(index) not in indexes:
            indexes.append(int(index))
    return {'ipsec_sas': sas, 'tunnels_by_peer': [[peer, idx] for peer, idx in by_peer.items()]}


def summarize_ike(root):
    peers = []
    for sa in elements(root, 'ike-security-associations'):
        address = field(sa, 'ike-sa-remote-address')
        if address:
            peers.append(address)
    return {'ike_peers': peers}


def reply_root(el):
    """The <rpc-reply> (or whatever the document root is) an element belongs to."""
    return el.getroottree().getroot()


def rpc_errors(root):
    out = []
    for err in elements(root, 'rpc-error'):
        out.append({
            'severity': child_text(err, 'error-severity'),
            'tag': child_text(err, 'error-tag'),
            'message': child_text(err, 'error-message'),
        })
    return out


def arg_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--host', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--user', required=True)
    p.add_argument('--password-env', default='RUNBOOK_LAB_PASSWORD',
                   help='name of the environment variable holding the password (never on the command line)')
    p.add_argument('--known-hosts', required=True, help='OpenSSH known_hosts file with the server key')
    p.add_argument('--timeout', type=int, default=120, help='seconds per RPC')
    return p


def password(args):
    pw = os.environ.get(args.password_env)
    if pw is None:
        raise SystemExit('%s is not set' % args.password_env)
    return pw


def run(main):
    """Runs main() -> dict, prints it as JSON; on failure prints {"error": ...} and exits 2."""
    try:
        result = main()
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001 - the node test reports whatever went wrong
        traceback.print_exc(file=sys.stderr)
        json.dump({'error': '%s: %s' % (type(err).__name__, err)}, sys.stdout)
        sys.stdout.write('\n')
        sys.exit(2)
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')
