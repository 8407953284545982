// Every FTP command the server understands, by verb; anything else is answered 502.
import { DATA_SETUP_COMMANDS } from './data-setup.ts';
import { INFO_COMMANDS } from './info.ts';
import { LIST_COMMANDS } from './list.ts';
import { LOGIN_COMMANDS } from './login.ts';
import { MANAGE_COMMANDS } from './manage.ts';
import { NAVIGATE_COMMANDS } from './navigate.ts';
import { RETRIEVE_COMMANDS } from './retrieve.ts';
import { STORE_COMMANDS } from './store.ts';
import type { CommandTable } from './types.ts';

/** The command table the session dispatches on. */
export const COMMANDS: CommandTable = {
  ...LOGIN_COMMANDS,
  ...INFO_COMMANDS,
  ...NAVIGATE_COMMANDS,
  ...DATA_SETUP_COMMANDS,
  ...LIST_COMMANDS,
  ...RETRIEVE_COMMANDS,
  ...STORE_COMMANDS,
  ...MANAGE_COMMANDS,
};
