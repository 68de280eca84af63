// A calsync server in a child process, built exactly like `npm start` (loadConfig + composeAppOptions), for
// tests that kill it with SIGKILL. Prints `LISTENING <url>` once it accepts requests.
import { createApp } from '../../../src/app.js';
import { composeAppOptions } from '../../../src/compose.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';

const config = loadConfig(process.env);
const log = createLogger({ level: config.logLevel, personalData: false, destination: process.stderr });
const app = await createApp(config, composeAppOptions(config, log));
const url = await app.listen();
process.stdout.write(`LISTENING ${url}\n`);
