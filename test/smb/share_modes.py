#!/usr/bin/python3
# Share modes and delete-pending across two connections through impacket: prints one "name status" line per
# step (status as 0x%08x, 0 for success) for share-modes.test.ts to compare with what Windows answers.
import sys

from impacket import smb3, smb3structs as s3
from impacket.smbconnection import SMBConnection, SessionError

host, port, user, password, share = sys.argv[1:6]


def connect():
    c = SMBConnection(host, host, sess_port=int(port), preferredDialect=s3.SMB2_DIALECT_21)
    c.login(user, password)
    return c, c.getSMBServer(), c.connectTree(share)


c1, a, ta = connect()
c2, b, tb = connect()
R, W, D = s3.FILE_SHARE_READ, s3.FILE_SHARE_WRITE, s3.FILE_SHARE_DELETE
READ, WRITE, DELETE, ATTRS = s3.FILE_READ_DATA, s3.FILE_WRITE_DATA, s3.DELETE, s3.FILE_READ_ATTRIBUTES


def step(name, fn):
    try:
        r = fn()
        print(name, '0x00000000', flush=True)
        return r
    except (SessionError, smb3.SessionError) as e:
        code = e.getErrorCode() if isinstance(e, SessionError) else e.get_error_code()
        print(name, '0x%08x' % code, flush=True)
        return None


def op(smb, tid, access, share_mode, disposition=s3.FILE_OPEN, options=0):
    return lambda: smb.create(tid, 'f.txt', access, share_mode, options, disposition, 0)


f1 = step('create-exclusive', op(a, ta, READ | WRITE, 0, s3.FILE_OVERWRITE_IF))
step('read-while-exclusive', op(b, tb, READ, R | W | D))
g = step('attrs-while-exclusive', op(b, tb, ATTRS, R | W | D))
if g is not None:
    b.close(tb, g)
a.close(ta, f1)
f1 = step('open-share-read', op(a, ta, READ, R))
g = step('second-reader', op(b, tb, READ, R | W | D))
if g is not None:
    b.close(tb, g)
step('writer-denied', op(b, tb, WRITE, R | W | D))
step('reader-without-share-read', op(b, tb, READ, W | D))
a.close(ta, f1)
f1 = step('open-no-share-delete', op(a, ta, READ, R | W))
step('delete-denied', op(b, tb, DELETE, R | W | D, options=s3.FILE_DELETE_ON_CLOSE))
a.close(ta, f1)
f1 = step('open-share-all', op(a, ta, READ, R | W | D))
g = step('delete-on-close', op(b, tb, DELETE | READ, R | W | D, options=s3.FILE_DELETE_ON_CLOSE))
if g is not None:
    b.close(tb, g)
step('open-after-delete-pending', op(b, tb, READ, R | W | D))
a.close(ta, f1)
step('open-after-last-close', op(b, tb, READ, R | W | D))
f1 = step('recreate', op(a, ta, READ | WRITE, R | W | D, s3.FILE_CREATE))
step('disposition-without-delete', lambda: a.setInfo(ta, f1, b'\x01', s3.SMB2_0_INFO_FILE, s3.SMB2_FILE_DISPOSITION_INFO))
a.close(ta, f1)
f1 = step('open-with-delete', op(a, ta, READ | DELETE, R | W | D))
step('set-disposition', lambda: a.setInfo(ta, f1, b'\x01', s3.SMB2_0_INFO_FILE, s3.SMB2_FILE_DISPOSITION_INFO))
step('open-while-disposition', op(b, tb, READ, R | W | D))
a.close(ta, f1)
step('gone-after-disposition', op(b, tb, READ, R | W | D))
c1.logoff()
c2.logoff()
