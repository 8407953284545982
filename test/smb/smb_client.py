#!/usr/bin/python3
# A line-oriented JSON bridge from the conformance driver to impacket's SMB client, signed SMB 2.1 by default.
# Why not 3.x: impacket 0.10 signs 3.x messages with an AES-CMAC written in Python (~4 s per MiB written), and
# its NTLM login never seeds the 3.1.1 session preauth hash from the connection's, so its 3.1.1 signing keys
# are wrong against any server that follows [MS-SMB2] 3.3.5.5. An optional 6th argument picks the dialect (hex).
# Reads {"id", "op", ...} per line on stdin; answers {"id", "ok", "result"} or {"id", "ok": false, "status"}.
import base64
import json
import struct
import sys

from impacket import smb3structs as s3
from impacket import smb3
from impacket.smbconnection import SMBConnection, SessionError

ERRORS = (SessionError, smb3.SessionError)


def status_of(e):
    return e.getErrorCode() if isinstance(e, SessionError) else e.get_error_code()

host, port, user, password, share = sys.argv[1:6]
dialect = int(sys.argv[6], 16) if len(sys.argv) > 6 else s3.SMB2_DIALECT_21
conn = SMBConnection(host, host, sess_port=int(port), preferredDialect=dialect)
conn.login(user, password)
smb = conn.getSMBServer()
tid = conn.connectTree(share)

# Characters Windows forbids in names travel as Services-for-Mac private-use code points, as macOS does.
SFM = {'"': '\uf020', '*': '\uf021', ':': '\uf022', '<': '\uf023', '>': '\uf024', '?': '\uf025', '|': '\uf027'}


def smb_path(p):
    return '\\'.join(''.join(SFM.get(ch, ch) for ch in part) for part in p.split('/') if part)


def from_smb(name):
    back = {v: k for k, v in SFM.items()}
    return ''.join(back.get(ch, ch) for ch in name)


def open_file(path, access, disposition=s3.FILE_OPEN, options=0):
    return smb.create(tid, smb_path(path), access, s3.FILE_SHARE_READ | s3.FILE_SHARE_WRITE | s3.FILE_SHARE_DELETE,
                      options, disposition, 0)


def write_file(a):
    data = base64.b64decode(a['data'])
    fid = open_file(a['path'], s3.FILE_WRITE_DATA | s3.FILE_READ_ATTRIBUTES, s3.FILE_OVERWRITE_IF, s3.FILE_NON_DIRECTORY_FILE)
    try:
        step = 1024 * 1024
        for off in range(0, len(data), step):
            smb.write(tid, fid, data[off:off + step], off, len(data[off:off + step]))
    finally:
        smb.close(tid, fid)


def read_file(a):
    fid = open_file(a['path'], s3.FILE_READ_DATA | s3.FILE_READ_ATTRIBUTES, options=s3.FILE_NON_DIRECTORY_FILE)
    out = b''
    try:
        while True:
            try:
                chunk = smb.read(tid, fid, len(out), 1024 * 1024)
            except ERRORS as e:
                if status_of(e) == 0xC0000011:
                    break
                raise
            if not chunk:
                break
            out += chunk
    finally:
        smb.close(tid, fid)
    return base64.b64encode(out).decode()


def stat(a):
    fid = open_file(a['path'], s3.FILE_READ_ATTRIBUTES)
    try:
        info = smb.queryInfo(tid, fid, fileInfoClass=34)
    finally:
        smb.close(tid, fid)
    _c, _a, mtime, _ch, _alloc, eof, attrs = struct.unpack('<QQQQQQI', info[:52])
    return {'kind': 'dir' if attrs & 0x10 else 'file', 'size': eof, 'mtimeMs': (mtime - 116444736000000000) / 10000}


def write_at(a):
    fid = open_file(a['path'], s3.FILE_WRITE_DATA, options=s3.FILE_NON_DIRECTORY_FILE)
    try:
        data = base64.b64decode(a['data'])
        smb.write(tid, fid, data, a['offset'], len(data))
    finally:
        smb.close(tid, fid)


def truncate(a):
    fid = open_file(a['path'], s3.FILE_WRITE_DATA, options=s3.FILE_NON_DIRECTORY_FILE)
    try:
        smb.setInfo(tid, fid, inputBlob=struct.pack('<q', a['size']), fileInfoClass=20)
    finally:
        smb.close(tid, fid)


def interleave(a):
    pieces = [base64.b64decode(p) for p in a['pieces']]
    fa = open_file(a['a'], s3.FILE_WRITE_DATA, s3.FILE_OVERWRITE_IF, s3.FILE_NON_DIRECTORY_FILE)
    fb = open_file(a['b'], s3.FILE_WRITE_DATA, s3.FILE_OVERWRITE_IF, s3.FILE_NON_DIRECTORY_FILE)
    oa = ob = 0
    for p, q in zip(pieces, reversed(pieces)):
        smb.write(tid, fa, p, oa, len(p))
        oa += len(p)
        smb.write(tid, fb, q, ob, len(q))
        ob += len(q)
    smb.close(tid, fa)
    smb.close(tid, fb)


OPS = {
    'writeFile': write_file,
    'readFile': read_file,
    'mkdir': lambda a: conn.createDirectory(share, smb_path(a['path'])),
    'rmdir': lambda a: conn.deleteDirectory(share, smb_path(a['path'])),
    'unlink': lambda a: conn.deleteFile(share, smb_path(a['path'])),
    'rename': lambda a: conn.rename(share, smb_path(a['from']), smb_path(a['to'])),
    'list': lambda a: [from_smb(f.get_longname()) for f in conn.listPath(share, smb_path(a['path']) + '\\*')
                       if f.get_longname() not in ('.', '..')],
    'stat': stat,
    'writeAt': write_at,
    'truncate': truncate,
    'interleave': interleave,
}

print(json.dumps({'ready': True}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    try:
        res = OPS[req['op']](req)
        print(json.dumps({'id': req['id'], 'ok': True, 'result': res if res is not True else None}), flush=True)
    except ERRORS as e:
        print(json.dumps({'id': req['id'], 'ok': False, 'status': status_of(e), 'error': str(e)}), flush=True)
    except Exception as e:  # a client-side failure: report it, keep serving
        print(json.dumps({'id': req['id'], 'ok': False, 'status': 0, 'error': repr(e)}), flush=True)
