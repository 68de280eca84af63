// The baseline for bench/intake and bench/latency: a bare Fastify route that does only what any receiver
// must (take the raw body, check the signature, parse the JSON) and answers 200. No validation, no store.
import { startBareServer } from './bare-route.js';

await startBareServer();
