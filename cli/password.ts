// Where the archive password comes from: --password-file, STRATA_PASSWORD, or a hidden prompt on a TTY.
import { readFileSync } from 'node:fs';
import type { PasswordSource } from '../core/archive.ts';

/** Asks for a line on the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A password source for the CLI options; `confirm` asks twice on a TTY (for init). */
export function cliPassword(opts: { passwordFile?: string }, confirm = false): PasswordSource {
  let cached: string | undefined;
  return async () => {
    if (cached !== undefined) return cached;
    if (opts.passwordFile) cached = readFileSync(opts.passwordFile, 'utf8').replace(/\r?\n$/, '');
    else if (process.env.STRATA_PASSWORD !== undefined) cached = process.env.STRATA_PASSWORD;
    else if (process.stdin.isTTY) {
      const first = await promptHidden('Archive password: ');
      if (confirm && (await promptHidden('Repeat password: ')) !== first) throw new Error('the passwords do not match');
      cached = first;
    } else throw new Error('this archive needs a password: set STRATA_PASSWORD, pass --password-file FILE, or run on a terminal');
    return cached;
  };
}
