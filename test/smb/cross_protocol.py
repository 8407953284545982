#!/usr/bin/python3
# An SMB client for cross-protocol.test.ts, driven line by line on stdin (impacket for the session, raw SMB2
# for what impacket lacks: CHANGE_NOTIFY, granted oplock/lease levels, break notifications and their acks).
#   notify DIR FILTER TREE   -> (DIR / for the share root) "pending" once the server pended it, then "notify STATUS ACTION:NAME ..."
#   open NAME batch|LEASE    -> "granted OPLOCKLEVEL LEASESTATE" (LEASE: a lease state such as 7 for RWH)
#   write NAME DATA / flush NAME / close NAME -> "ok"
#   break                    -> waits for one break: "oplock-break LEVEL" or "lease-break FROM TO FLAGS" (acknowledged)
#   breaks                   -> "breaks N": break notifications that arrived while answering other requests
import struct
import sys
import uuid

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

host, port, user, password, share = sys.argv[1:6]
ALL_ONES = 0xFFFFFFFFFFFFFFFF
STATUS_PENDING = 0x103

conn = SMBConnection(host, host, sess_port=int(port), preferredDialect=s3.SMB2_DIALECT_21)
conn.login(user, password)
smb = conn.getSMBServer()
tid = conn.connectTree(share)
handles = {}
lease_keys = {}
stray = []


def out(*words):
    print(*words, flush=True)


def packet(command, body):
    p = smb.SMB_PACKET()
    p['Command'] = command
    p['TreeID'] = tid
    p['Data'] = body
    return p


def receive(message_id, on_pending=None):
    """Reads packets until the final response to message_id; keeps break notifications for later."""
    while True:
        p = s3.SMB2Packet(smb._NetBIOSSession.recv_packet(30).get_trailer())
        if p['MessageID'] == ALL_ONES and p['Command'] == s3.SMB2_OPLOCK_BREAK:
            stray.append(p)
        elif p['MessageID'] == message_id and p['Status'] == STATUS_PENDING:
            if on_pending:
                on_pending()
        elif p['MessageID'] == message_id:
            return p


def call(command, body, on_pending=None):
    return receive(smb.sendSMB(packet(command, body)), on_pending)


def lease_context(key, state):
    data = key + struct.pack('<IIQ', state, 0, 0)
    ctx = s3.SMB2CreateContext()
    ctx['NameOffset'] = 16
    ctx['NameLength'] = 4
    ctx['DataOffset'] = 24
    ctx['DataLength'] = len(data)
    ctx['Buffer'] = b'RqLs' + b'\0' * 4 + data
    return ctx


def create(name, oplock, contexts, directory=False):
    c = s3.SMB2Create()
    c['RequestedOplockLevel'] = oplock
    c['ImpersonationLevel'] = s3.SMB2_IL_IMPERSONATION
    c['DesiredAccess'] = s3.FILE_READ_DATA | s3.FILE_WRITE_DATA | s3.FILE_READ_ATTRIBUTES | (s3.FILE_LIST_DIRECTORY if directory else 0)
    c['ShareAccess'] = s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE
    c['CreateDisposition'] = s3.FILE_OPEN if directory else s3.FILE_OPEN_IF
    c['CreateOptions'] = s3.FILE_DIRECTORY_FILE if directory else s3.FILE_NON_DIRECTORY_FILE
    c['NameLength'] = len(name) * 2
    c['Buffer'] = name.encode('utf-16le') if name else b'\0'
    if contexts:
        blob = b''.join(x.getData() for x in contexts)
        offset = 64 + s3.SMB2Create.SIZE + len(c['Buffer'])
        c['Buffer'] += b'\0' * ((8 - offset % 8) % 8)
        c['CreateContextsOffset'] = 64 + s3.SMB2Create.SIZE + len(c['Buffer'])
        c['CreateContextsLength'] = len(blob)
        c['Buffer'] += blob
    r = call(s3.SMB2_CREATE, c)
    if r['Status'] != 0:
        raise SystemExit('create %s failed: 0x%08x' % (name, r['Status']))
    resp = s3.SMB2Create_Response(r['Data'])
    state = 0
    if resp['CreateContextsLength']:
        raw = r.getData()[resp['CreateContextsOffset']:resp['CreateContextsOffset'] + resp['CreateContextsLength']]
        state = struct.unpack_from('<I', raw, raw[10] + 16)[0]  # DataOffset, then LeaseKey(16) + LeaseState
    return resp['FileID'], resp['OplockLevel'], state


def notify(name, completion_filter, tree):
    name = '' if name == '/' else name
    if name not in handles:
        handles[name] = create(name, 0, None, directory=True)[0]
    n = s3.SMB2ChangeNotify()
    n['Flags'] = 1 if tree else 0
    n['OutputBufferLength'] = 65536
    n['FileID'] = handles[name]
    n['CompletionFilter'] = completion_filter
    r = call(s3.SMB2_CHANGE_NOTIFY, n, lambda: out('pending'))
    words = ['notify', '0x%08x' % r['Status']]
    if r['Status'] == 0:
        resp = s3.SMB2ChangeNotify_Response(r['Data'])
        buf, off = resp['Buffer'], 0
        while off < len(buf):
            nxt, action, length = struct.unpack_from('<III', buf, off)
            words.append('%d:%s' % (action, buf[off + 12:off + 12 + length].decode('utf-16le')))
            if not nxt:
                break
            off += nxt
    out(*words)


def handle_break(p):
    body = p['Data']
    if len(body) >= 44 and struct.unpack_from('<H', body)[0] == 44:
        flags, key, current, new = struct.unpack_from('<I16sII', body, 4)
        out('lease-break', current, new, flags)
        if flags & 1:
            ack = struct.pack('<HHI16sIQ', 36, 0, 0, key, new, 0)
            call(s3.SMB2_OPLOCK_BREAK, ack)
    else:
        level = body[2]
        out('oplock-break', level)
        call(s3.SMB2_OPLOCK_BREAK, struct.pack('<HBBI', 24, level, 0, 0) + body[8:24])


def next_break():
    if stray:
        return handle_break(stray.pop(0))
    while True:
        p = s3.SMB2Packet(smb._NetBIOSSession.recv_packet(30).get_trailer())
        if p['MessageID'] == ALL_ONES and p['Command'] == s3.SMB2_OPLOCK_BREAK:
            return handle_break(p)


out('ready')
for line in sys.stdin:
    cmd, *args = line.split()
    if cmd == 'notify':
        notify(args[0], int(args[1], 16), args[2] == '1')
    elif cmd == 'open':
        if args[1] == 'batch':
            fid, level, state = create(args[0], s3.SMB2_OPLOCK_LEVEL_BATCH, None)
        else:
            lease_keys[args[0]] = uuid.uuid4().bytes
            fid, level, state = create(args[0], s3.SMB2_OPLOCK_LEVEL_LEASE, [lease_context(lease_keys[args[0]], int(args[1]))])
        handles[args[0]] = fid
        out('granted', level, state)
    elif cmd == 'write':
        w = s3.SMB2Write()
        w['Length'] = len(args[1])
        w['Offset'] = 0
        w['FileID'] = handles[args[0]]
        w['DataOffset'] = len(s3.SMB2Packet()) + s3.SMB2Write.SIZE
        w['Buffer'] = args[1].encode()
        out('ok' if call(s3.SMB2_WRITE, w)['Status'] == 0 else 'failed')
    elif cmd == 'flush':
        f = s3.SMB2Flush()
        f['FileID'] = handles[args[0]]
        out('ok' if call(s3.SMB2_FLUSH, f)['Status'] == 0 else 'failed')
    elif cmd == 'close':
        c = s3.SMB2Close()
        c['FileID'] = handles.pop(args[0])
        out('ok' if call(s3.SMB2_CLOSE, c)['Status'] == 0 else 'failed')
    elif cmd == 'break':
        next_break()
    elif cmd == 'breaks':
        out('breaks', len(stray))
    else:
        raise SystemExit('unknown command ' + cmd)
