// The layer rules (.dependency-cruiser.cjs, docs/ARCHITECTURE.md "Layers") hold for src/, and the rule set
// catches what it is meant to: a fixture tree that breaks each rule once is reported rule by rule.
import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDialectChecks } from './dialect-checks.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const FIXTURE = path.join(import.meta.dirname, 'fixtures/back-arrows');
/** Both cruises together take a few seconds; a loaded machine may need many times that. */
const CRUISE_TIMEOUT_MS = 55_000;

type Violation = Pick<IViolation, 'from' | 'to' | 'rule' | 'cycle'>;

/** Cruises `baseDir`/src with the project's rules and returns the violations. */
async function cruiseSrc(baseDir: string): Promise<Violation[]> {
  const options = await extractDepcruiseOptions(CONFIG);
  const result = await cruise(['src'], { ...options, validate: true, baseDir }, {}, { tsConfig: extractTSConfig(path.join(ROOT, 'tsconfig.json')) });
  const output = result.output as ICruiseResult;
  if (output.summary.totalCruised === 0) throw new Error(`nothing was cruised under ${baseDir}`);
  return output.summary.violations;
}

const describeViolation = (v: Violation) =>
  `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

describe('layer rules', () => {
  // One after the other in this process (the second reuses the loaded TypeScript), started before the tests.
  let cruised: Promise<[Violation[], Violation[]]>;
  beforeAll(() => {
    cruised = (async () => [await cruiseSrc(ROOT), await cruiseSrc(FIXTURE)] as [Violation[], Violation[]])();
    cruised.catch(() => {});
  });

  it('src/ has no import that breaks a layer rule', { timeout: CRUISE_TIMEOUT_MS }, async () => {
    const [violations] = await cruised;
    expect(violations.map(describeViolation)).toEqual([]);
  });

  it('every rule catches what it is meant to (a fixture tree that breaks each rule once)', { timeout: CRUISE_TIMEOUT_MS }, async () => {
    const [, violations] = await cruised;
    const found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\/(pg)\/.*$/, 'node_modules/$1')}`);
    // Each rule of the config is exercised, so a rule that stops matching (a typo in a path) fails here.
    const ruleNames = (require('../../.dependency-cruiser.cjs') as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);
    expect(new Set(violations.map((v) => v.rule.name))).toEqual(new Set(ruleNames));
    expect(found.sort()).toEqual(
      [
        'appointments-does-no-io: src/appointments/clock.ts → fs',
        'appointments-is-pure: src/appointments/lifecycle.ts → src/store/rows.ts',
        'calcom-is-the-wire-format-only: src/calcom/parse.ts → src/intake/pool.ts',
        'drivers-only-in-store: src/intake/pool.ts → node_modules/pg',
        'feature-types-stay-below-http: src/feature.ts → src/sinks/wiring.ts',
        'features-below-http: src/sinks/wiring.ts → src/http/routes/notion-handler.ts',
        'http-reaches-features-through-the-interface: src/http/server.ts → src/features/notion.ts',
        'metrics-below-http-and-sinks: src/metrics.ts → src/http/routes/list.ts',
        'no-circular: src/intake/cycle.ts → src/intake/pool.ts',
        'routes-do-not-import-routes: src/http/routes/notion-handler.ts → src/http/routes/list.ts',
        'store-is-the-bottom: src/store/hook.ts → src/sinks/wiring.ts',
      ].sort(),
    );
  });
});

describe('database differences stay in src/store/', () => {
  it('no module outside src/store/ asks which database it is', () => {
    expect(findDialectChecks(path.join(ROOT, 'src'), { except: path.join(ROOT, 'src/store') })).toEqual([]);
  });

  it('the check finds a dialect comparison (the fixture has one)', () => {
    const found = findDialectChecks(path.join(FIXTURE, 'src'), { except: path.join(FIXTURE, 'src/store') });
    expect(found).toEqual([expect.stringMatching(/^calcom\/parse\.ts:5: .*quirks\.name === 'postgres'/)]);
  });
});
