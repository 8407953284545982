// Known-answer tests of the SMB server's cryptography: NTLMv2 ([MS-NLMP] 4.2.4), AES-CMAC (RFC 4493),
// the SMB 3.x KDF (cross-checked with impacket 0.10's KDF_CounterMode), RC4, and transform round trips.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ntHash } from '../../core/auth/md4.ts';
import { aesCmac, Cipher, decryptMessage, deriveKeys, encryptMessage, kdf, Rc4 } from '../../protocols/smb/crypto.ts';
import { NtlmServer, parseAuthenticate } from '../../protocols/smb/ntlm.ts';
import { Writer, utf16 } from '../../protocols/smb/wire.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const s = suite('smb: crypto');

s('AES-CMAC: RFC 4493 examples 1-4', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const msg = hex('6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710');
  assert.is(aesCmac(key, msg.subarray(0, 0)).toString('hex'), 'bb1d6929e95937287fa37d129b756746');
  assert.is(aesCmac(key, msg.subarray(0, 16)).toString('hex'), '070a16b46b4d4144f79bdd9dd04a287c');
  assert.is(aesCmac(key, msg.subarray(0, 40)).toString('hex'), 'dfa66747de9ae63030ca32611497c827');
  assert.is(aesCmac(key, msg).toString('hex'), '51f0bebf7e3b9d92fc49741779363cfe');
});

s('AES-CMAC over parts equals AES-CMAC of the joined message, wherever the parts are cut', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const msg = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
  for (const len of [0, 1, 15, 16, 17, 32, 40, 64, 100]) {
    const whole = aesCmac(key, msg.subarray(0, len)).toString('hex');
    for (let a = 0; a <= len; a += 3) {
      for (const b of [a, Math.min(len, a + 1), Math.min(len, a + 16), len]) {
        const parts = [msg.subarray(0, a), msg.subarray(a, b), Buffer.alloc(0), msg.subarray(b, len)];
        assert.is(aesCmac(key, parts).toString('hex'), whole, `len ${len} cut at ${a}/${b}`);
      }
    }
  }
});

s('SMB 3.x KDF: 3.0 and 3.1.1 keys match impacket', () => {
  const sk = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
  const pre = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 7 + 3) & 0xff));
  assert.is(kdf(sk, 'SMB2AESCMAC', Buffer.from('SmbSign\0')).toString('hex'), '6234814cbb8ea9227440ebfeb5eacbe1');
  const k311 = deriveKeys(sk, 0x0311, pre);
  assert.is(k311.signing.toString('hex'), '0d7397f04f5b71669de08840381d59b1');
  assert.is(k311.serverIn.toString('hex'), 'e37a6bfd85488a5cfa19cc95a1e539b0');
  assert.is(k311.serverOut.toString('hex'), 'b959d667ab5217e2c86da8baf25c6b40');
  assert.is(deriveKeys(sk, 0x0300, null).serverIn.toString('hex'), '8e21f3cae16d07d84c03d74467f57878');
});

s('RC4: RFC 6229 key 0102030405 first bytes', () => {
  assert.is(new Rc4(hex('0102030405')).update(Buffer.alloc(16)).toString('hex'), 'b2396305f03dc027ccc3524a0a1118a8');
});

/** The AUTHENTICATE message of [MS-NLMP] 4.2.4 (User/Domain/Password, KEY_EXCH), built from its parts. */
function authenticateMessage(ntResponse: Buffer, encryptedKey: Buffer): Buffer {
  const payload = [Buffer.alloc(24), ntResponse, utf16('Domain'), utf16('User'), utf16('COMPUTER'), encryptedKey];
  const w = new Writer().bytes(Buffer.from('NTLMSSP\0', 'latin1')).u32(3);
  let off = 72;
  for (const p of payload) {
    w.u16(p.length).u16(p.length).u32(off);
    off += p.length;
  }
  w.u32(0xe2888235).bytes(hex('0501280a0000000f'));
  for (const p of payload) w.bytes(p);
  return Buffer.from(w.done());
}

s('NTLMv2: [MS-NLMP] 4.2.4 NTProofStr, session base key and KEY_EXCH session key', () => {
  const server = new NtlmServer({ netbiosName: 'Server', dnsName: 'server' }, false, { challenge: hex('0123456789abcdef'), now: () => 0 });
  server.challenge(Buffer.from(new Writer().bytes(Buffer.from('NTLMSSP\0', 'latin1')).u32(1).u32(0xe2888235).done()));
  const avPairs = Buffer.concat([hex('02000c00'), utf16('Domain'), hex('01000c00'), utf16('Server'), hex('00000000')]);
  const temp = Buffer.concat([hex('0101000000000000'), Buffer.alloc(8), hex('aaaaaaaaaaaaaaaa'), Buffer.alloc(4), avPairs, Buffer.alloc(4)]);
  const ntResponse = Buffer.concat([hex('68cd0ab851e51c96aabc927bebef6a1c'), temp]);
  const msg = authenticateMessage(ntResponse, hex('c5dad2544fc9799094ce1ce90bc9d03e'));
  const auth = parseAuthenticate(msg);
  assert.is(auth.user, 'User');
  assert.is(auth.domain, 'Domain');
  const ok = server.authenticate(msg, auth, ntHash('Password'));
  assert.ok(ok);
  assert.is(ok!.sessionKey.toString('hex'), '55555555555555555555555555555555');
  assert.is(server.authenticate(msg, auth, ntHash('password')), null);
});

s('transform header: AES-128-GCM and AES-128-CCM round trip, tampering detected', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f');
  const msg = Buffer.from('an SMB2 message of some length '.repeat(5));
  for (const c of [Cipher.AES_128_GCM, Cipher.AES_128_CCM]) {
    const sealed = Buffer.concat(encryptMessage(c, key, 7n, msg, Buffer.alloc(16, 9)));
    assert.ok(decryptMessage(c, key, sealed).equals(msg));
    sealed[sealed.length - 1]! ^= 1;
    assert.throws(() => decryptMessage(c, key, sealed));
    const parts = [msg.subarray(0, 7), msg.subarray(7, 7), msg.subarray(7, 100), msg.subarray(100)];
    assert.ok(Buffer.concat(encryptMessage(c, key, 7n, parts, Buffer.alloc(16, 9))).equals(Buffer.concat(encryptMessage(c, key, 7n, msg, Buffer.alloc(16, 9)))), 'parts seal like the whole');
  }
});

s.run();
