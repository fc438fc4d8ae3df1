#!/usr/bin/python3
"""Reads a (lab) SRX with ncclient, the standard Python NETCONF client, and prints JSON.

  RUNBOOK_LAB_PASSWORD=... /usr/bin/python3 ncclient_probe.py --host 127.0.0.1 --port N \
      --user lab --known-hosts FILE [--clear-peer ADDRESS]

Host keys are verified (hostkey_verify=True) against --known-hosts only: ncclient 0.6
takes a known_hosts file through an ssh_config's UserKnownHostsFile, so a throwaway
ssh_config naming it is written to a temp dir. No agent, no ~/.ssh keys.

With --clear-peer, after the reads it clears that peer's IKE SA (m.rpc with an lxml
element) and each of its tunnels' IPsec SAs (m.dispatch), then reads everything again
into "after".
"""

import os
import tempfile
import time

from lxml import etree

import ncclient
from ncclient import manager
from ncclient.transport.session import NetconfBase

import probe_common as pc

BASE_11 = 'urn:ietf:params:netconf:base:1.1'


def element(name, **children):
    el = etree.Element(name)
    for key, value in children.items():
        etree.SubElement(el, key.replace('_', '-')).text = str(value)
    return el


def reply_text(reply):
    return etree.tostring(reply.xpath('/*')[0], encoding='unicode').strip()


def read_all(m, timings):
    out = {}
    t = time.monotonic()
    flow = m.rpc(element('get-flow-session-information', protocol='ah'))
    timings['flow_s'] = round(time.monotonic() - t, 3)
    # The junos handler gives an NCElement with namespaces stripped; xpath('/*') is its root.
    out.update(pc.summarize_flow(flow.xpath('/*')[0]))
    t = time.monotonic()
    ipsec = m.rpc(element('get-security-associations-information'))
    timings['ipsec_s'] = round(time.monotonic() - t, 3)
    out.update(pc.summarize_ipsec(ipsec.xpath('/*')[0]))
    ike = m.rpc(element('get-ike-security-associations-information'))
    out.update(pc.summarize_ike(ike.xpath('/*')[0]))
    return out


def main():
    p = pc.arg_parser(__doc__)
    p.add_argument('--clear-peer', help='clear this peer\'s IKE SA and IPsec SAs after reading')
    args = p.parse_args()
    pw = pc.password(args)

    with tempfile.TemporaryDirectory(prefix='ncclient-probe-') as tmp:
        ssh_config = os.path.join(tmp, 'ssh_config')
        with open(ssh_config, 'w') as f:
            f.write('Host *\n    UserKnownHostsFile %s\n' % os.path.abspath(args.known_hosts))
        m = manager.connect(
            host=args.host,
            port=args.port,
            username=args.user,
            password=pw,
            hostkey_verify=True,
            ssh_config=ssh_config,
            look_for_keys=False,
            allow_agent=False,
            timeout=args.timeout,
            device_params={'name': 'junos'},
            manager_params={'timeout': args.timeout},
        )
    try:
        m.huge_tree = True
        timings = {}
        result = {
            'client': 'ncclient',
            'client_version': getattr(ncclient, '__version__', None),
            'session_id': str(m.session_id),
            'server_offers_base11': BASE_11 in m.server_capabilities,
            'base11': m._session._base == NetconfBase.BASE_11,
        }
        result.update(read_all(m, timings))
        if args.clear_peer:
            peer = args.clear_peer
            tunnels = dict((g, idx) for g, idx in result['tunnels_by_peer']).get(peer, [])
            # Manager's default raise mode turns any <rpc-error> into an RPCError, so a reply
            # that comes back at all is a success; keep its text for the report.
            ike = m.rpc(element('clear-ike-security-association', peer_address=peer))
            replies = [{'rpc': 'clear-ike-security-association', 'reply': reply_text(ike)}]
            for index in tunnels:
                r = m.dispatch(element('clear-ipsec-security-association', index=index))
                replies.append({'rpc': 'clear-ipsec-security-association', 'index': index, 'reply': reply_text(r)})
            result['cleared'] = {'peer': peer, 'tunnels': tunnels, 'replies': replies}
            result['after'] = read_all(m, {})
        result['timings'] = timings
        return result
    finally:
        m.close_session()


if __name__ == '__main__':
    pc.run(main)
