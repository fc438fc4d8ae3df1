#!/usr/bin/python3
"""Reads a (lab) SRX with Juniper's PyEZ (junos-eznc) and prints JSON, the same shape
as ncclient_probe.py.

  RUNBOOK_LAB_PASSWORD=... /usr/bin/python3 pyez_probe.py --host 127.0.0.1 --port N \
      --user lab --known-hosts FILE

PyEZ 2.1 opens its ncclient session with hostkey_verify=False whatever it is told, so
--known-hosts is checked here, before PyEZ connects, with paramiko (the server's key
must be the one listed for [host]:port). ssh_config points at an empty temp file so
~/.ssh/config is not read; facts are not gathered (they need RPCs the lab may not have).

PyEZ hands back the first element inside <rpc-reply>; on a reply with several
top-level blocks (one per SPU, or a cluster's per-node results) that is not all of it,
so the summaries walk up to the reply root.
"""

import os
import socket
import tempfile
import time

import paramiko

from jnpr.junos import Device
from jnpr.junos import __version__ as pyez_version

import probe_common as pc


def check_host_key(host, port, known_hosts, timeout):
    keys = paramiko.HostKeys(known_hosts)
    wanted = keys.lookup('[%s]:%d' % (host, port)) or keys.lookup(host)
    if not wanted:
        raise RuntimeError('no key for [%s]:%d in %s' % (host, port, known_hosts))
    sock = socket.create_connection((host, port), timeout=timeout)
    t = paramiko.Transport(sock)
    try:
        t._preferred_keys = list(wanted.keys())
        t.start_client(timeout=timeout)
        key = t.get_remote_server_key()
    finally:
        t.close()
    if wanted.get(key.get_name()) != key:
        raise RuntimeError('host key of [%s]:%d does not match %s' % (host, port, known_hosts))
    return key.get_name()


def root_of(rsp):
    # execute() returns True for an empty reply, else the first child of <rpc-reply>.
    if rsp is True or rsp is None:
        raise RuntimeError('empty reply')
    return pc.reply_root(rsp)


def main():
    args = pc.arg_parser(__doc__).parse_args()
    pw = pc.password(args)
    key_type = check_host_key(args.host, args.port, args.known_hosts, args.timeout)

    with tempfile.TemporaryDirectory(prefix='pyez-probe-') as tmp:
        ssh_config = os.path.join(tmp, 'ssh_config')
        open(ssh_config, 'w').close()
        dev = Device(host=args.host, port=args.port, user=args.user, passwd=pw,
                     ssh_config=ssh_config, gather_facts=False)
        dev.open()
    try:
        dev.timeout = args.timeout
        result = {
            'client': 'pyez',
            'client_version': pyez_version,
            'host_key_type': key_type,
            'session_id': str(dev._conn.session_id),
        }
        timings = {}
        t = time.monotonic()
        flow = dev.rpc.get_flow_session_information(protocol='ah')
        timings['flow_s'] = round(time.monotonic() - t, 3)
        result.update(pc.summarize_flow(root_of(flow)))
        # What a PyEZ script that trusts the element it is handed would count.
        result['ah_sessions_first_element'] = len(pc.elements(flow, 'flow-session'))
        result.update(pc.summarize_ipsec(root_of(dev.rpc.get_security_associations_information())))
        result.update(pc.summarize_ike(root_of(dev.rpc.get_ike_security_associations_information())))
        result['timings'] = timings
        return result
    finally:
        dev.close()


if __name__ == '__main__':
    pc.run(main)
