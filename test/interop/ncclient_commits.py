#!/usr/bin/python3
"""Reads a (lab) SRX's commit history with ncclient (`show system commit`,
<get-commit-information>) and prints it as JSON: one entry per commit, newest first.

  RUNBOOK_LAB_PASSWORD=... /usr/bin/python3 ncclient_commits.py --host 127.0.0.1 --port N \
      --user lab --known-hosts FILE

Connects as ncclient_probe.py does: host keys verified against --known-hosts only.
"""

import os
import tempfile

from lxml import etree

from ncclient import manager

import probe_common as pc


def main():
    args = pc.arg_parser(__doc__).parse_args()
    pw = pc.password(args)
    with tempfile.TemporaryDirectory(prefix='ncclient-commits-') as tmp:
        ssh_config = os.path.join(tmp, 'ssh_config')
        with open(ssh_config, 'w') as f:
            f.write('Host *\n    UserKnownHostsFile %s\n' % os.path.abspath(args.known_hosts))
        m = manager.connect(
            host=args.host, port=args.port, username=args.user, password=pw,
            hostkey_verify=True, ssh_config=ssh_config, look_for_keys=False, allow_agent=False,
            timeout=args.timeout, device_params={'name': 'junos'}, manager_params={'timeout': args.timeout},
        )
    try:
        reply = m.rpc(etree.Element('get-commit-information'))
        root = reply.xpath('/*')[0]
        commits = [
            {name: pc.child_text(c, name) for name in ('sequence-number', 'user', 'client', 'date-time', 'comment', 'log')}
            for c in pc.elements(root, 'commit-history')
        ]
        return {'client': 'ncclient', 'commits': commits}
    finally:
        m.close_session()


if __name__ == '__main__':
    pc.run(main)
