// End-to-end tests of the dashboard in Debian's headless Chromium, driven by playwright-core,
// against a running unitwatchd serving real data.
//
// usage: node e2e.mjs            (settings from the environment)
//   UNITWATCH_URL        the daemon, e.g. http://127.0.0.1:9839/
//   UNITWATCH_WEB_MODE   "bus" (real systemd: states, scores, drift) or "nobus" (--no-bus)
//   UNITWATCH_XSS_UNIT   a unit whose name (and, with the bus, Description) holds markup
//   UNITWATCH_CHECK_UNIT a unit to open: with the bus, one with failing hardening checks
//   UNITWATCH_LIMIT_UNIT a unit with a memory limit (its chart draws the limit line)
//   UNITWATCH_ARTIFACTS  where screenshots go (default build/web-artifacts)
//   CHROMIUM             the browser (default /usr/bin/chromium)
//
// Prints "PASS name" or "FAIL name: why" per test and "N passed, M failed"; exits 1 on failure.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BASE = (process.env.UNITWATCH_URL || 'http://127.0.0.1:9839/').replace(/\/?$/, '/');
const MODE = process.env.UNITWATCH_WEB_MODE || 'nobus';
const XSS_UNIT = process.env.UNITWATCH_XSS_UNIT || 'quote"and<angle>.service';
const CHECK_UNIT = process.env.UNITWATCH_CHECK_UNIT || 'nginx.service';
const LIMIT_UNIT = process.env.UNITWATCH_LIMIT_UNIT || 'nginx.service';
const ARTIFACTS = process.env.UNITWATCH_ARTIFACTS || 'build/web-artifacts';
const PREFIX = MODE === 'bus' ? 'vm-' : 'host-';

let passed = 0,
  failed = 0;
const problems = []; // page errors and console errors (a CSP violation is one)

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`PASS web-${MODE}-${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    passed++;
  } catch (e) {
    console.log(`FAIL web-${MODE}-${name}: ${e.message.split('\n')[0]}`);
    failed++;
  }
}

async function api(p) {
  const r = await fetch(BASE + p);
  return { status: r.status, body: r.status === 200 ? await r.json() : null };
}

// The test's own formatting, independent of the page's: 52428800 -> "50.0 MiB".
function bytes(b, round) {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  if (b < 1024) return `${b} B`;
  let i = 0;
  while (b >= 1024 && i < u.length - 1) {
    b /= 1024;
    i++;
  }
  const t = b.toFixed(1);
  return `${round && t.endsWith('.0') ? t.slice(0, -2) : t} ${u[i]}`;
}

const unitHash = (name) => '#/unit/' + encodeURIComponent(name);

async function shot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, PREFIX + name + '.png'), fullPage: true });
}

// A fresh load each time: a hash-only change would keep the previous view's state.
async function openView(page, hash) {
  await page.goto('about:blank');
  await page.goto(BASE + hash);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'unitwatch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  // A 404 is an answer the page expects (no scores without the bus, no alerts API yet).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404/.test(m.text()))
      problems.push('console: ' + m.text());
  });
  page.on('dialog', (d) => {
    problems.push('a dialog opened: ' + d.message());
    d.dismiss();
  });
  // Every /api/v1/units document the page received, by its time: what it must show.
  const seen = new Map();
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname.endsWith('/api/v1/units') && r.status() === 200) {
      try {
        const j = await r.json();
        seen.set(String(j.time), j);
      } catch (e) {
        /* page left */
      }
    }
  });

  await test('overview-matches-api', async () => {
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const rendered = await page.evaluate(() => ({
      time: document.getElementById('units').dataset.time,
      rows: [...document.querySelectorAll('#units tbody tr[data-unit]')].map((tr) => ({
        unit: tr.dataset.unit,
        name: tr.querySelector('.unit-name').textContent,
        cells: Object.fromEntries([...tr.cells].map((td) => [td.dataset.label, td.textContent])),
      })),
    }));
    const doc = seen.get(rendered.time);
    expect(doc, 'the table shows no /api/v1/units document the page received');
    // The same document straight from the daemon has the same units.
    const direct = await api('api/v1/units');
    expect(
      direct.body.units.map((u) => u.unit).join('\n') === doc.units.map((u) => u.unit).join('\n'),
      'the page and /api/v1/units list different units',
    );
    expect(
      rendered.rows.length === doc.units.length,
      `${rendered.rows.length} rows for ${doc.units.length} units`,
    );
    const byName = new Map(rendered.rows.map((r) => [r.name, r]));
    for (const u of doc.units) {
      const r = byName.get(u.unit);
      expect(r, `no row shows the name ${JSON.stringify(u.unit)} literally`);
      if (u.memory_current !== undefined) {
        const want = u.memory_limit
          ? `${bytes(u.memory_current)} of ${bytes(u.memory_limit, true)}`
          : bytes(u.memory_current);
        expect(
          r.cells.Memory.includes(want),
          `${u.unit}: memory cell '${r.cells.Memory}' lacks '${want}'`,
        );
      }
      if (u.pids_current !== undefined) {
        const want = u.pids_max ? `${u.pids_current} of ${u.pids_max}` : String(u.pids_current);
        expect(
          r.cells.Tasks.includes(want),
          `${u.unit}: tasks cell '${r.cells.Tasks}' lacks '${want}'`,
        );
      }
      if (u.state)
        expect(
          r.cells.State.startsWith(u.state.active),
          `${u.unit}: state '${r.cells.State}' is not ${u.state.active}`,
        );
      if (u.exposure !== undefined)
        expect(
          r.cells.Exposure.includes(`${u.exposure} ${u.exposure_label}`),
          `${u.unit}: exposure '${r.cells.Exposure}'`,
        );
      if (u.cpu_quota_cores && u.cpu_usage_cores !== undefined)
        expect(
          r.cells.CPU.includes('quota'),
          `${u.unit}: CPU cell '${r.cells.CPU}' does not show the quota`,
        );
      if (u.io_read_bytes_per_second !== undefined)
        expect(r.cells.IO.startsWith('R '), `${u.unit}: IO cell '${r.cells.IO}'`);
    }
    if (MODE === 'bus')
      expect(
        doc.units.some((u) => u.exposure !== undefined),
        'no unit has an exposure with the bus',
      );
    await shot(page, 'overview');
  });

  await test('overview-filter-and-sort', async () => {
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const all = await page.locator('#units tbody tr[data-unit]').count();
    await page.fill('#filter', XSS_UNIT.slice(0, 6));
    await page.waitForFunction(
      (n) => document.querySelectorAll('#units tbody tr[data-unit]').length < n,
      all,
    );
    const names = await page.$$eval('#units tbody tr[data-unit]', (trs) =>
      trs.map((t) => t.dataset.unit),
    );
    expect(names.includes(XSS_UNIT), 'filtering by the start of its name lost ' + XSS_UNIT);
    await page.fill('#filter', '');
    await page.waitForFunction(
      (n) => document.querySelectorAll('#units tbody tr[data-unit]').length === n,
      all,
    );
    await page.click('#units th[data-key="unit"]'); // sorted by name already: now descending
    const desc = await page.$$eval('#units tbody tr[data-unit]', (trs) =>
      trs.map((t) => t.dataset.unit),
    );
    const want = [...desc].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    expect(desc.join('\n') === want.join('\n'), 'clicking "Unit" did not sort by name descending');
    await page.click('#units th[data-key="unit"]');
  });

  await test('overview-1000-units-fast', async () => {
    // 1,000 units shaped like the daemon's own first ones, served in place of the real list.
    const real = (await api('api/v1/units')).body;
    const units = [];
    for (let i = 0; i < 1000; i++) {
      const u = { ...real.units[i % real.units.length] };
      u.unit = `bulk-${String(i).padStart(4, '0')}-${u.unit}`;
      units.push(u);
    }
    await page.route('**/api/v1/units', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ ...real, units }),
      }),
    );
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const n = await page.$$eval('#units tbody tr[data-unit]', (t) => t.length);
    const ms = Number(await page.getAttribute('#units', 'data-render-ms'));
    expect(n === 1000, `${n} rows for 1000 units`);
    expect(ms < 1000, `rendering 1000 rows took ${ms} ms`);
    const t0 = Date.now();
    await page.fill('#filter', 'bulk-0999');
    await page.waitForFunction(
      () => document.querySelectorAll('#units tbody tr[data-unit]').length === 1,
    );
    expect(Date.now() - t0 < 2000, `filtering 1000 rows took ${Date.now() - t0} ms`);
    console.log(`  1000 rows rendered in ${ms} ms`);
    await page.unroute('**/api/v1/units');
  });

  await test('alerts-shown-from-api', async () => {
    // The alerts API may not exist on this daemon: serve a known document in its place.
    const target = CHECK_UNIT;
    await page.route('**/api/v1/alerts', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          alerts: [
            {
              labels: { alertname: 'UnitMemoryNearLimit', unit: target, severity: 'warning' },
              state: 'firing',
              value: 0.93,
              active_at: '2026-01-01T00:00:00Z',
              fired_at: '2026-01-01T00:01:00Z',
              resolved_at: null,
              annotations: { summary: 'memory at 93% of its limit', description: 'x' },
            },
          ],
        }),
      }),
    );
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const cell = await page.evaluate((u) => {
      const tr = [...document.querySelectorAll('#units tbody tr[data-unit]')].find(
        (t) => t.dataset.unit === u,
      );
      return tr ? tr.querySelector('td[data-label="Alerts"]').textContent : null;
    }, target);
    expect(
      cell && cell.includes('UnitMemoryNearLimit'),
      `the alert is not in ${target}'s row: '${cell}'`,
    );
    await page.unroute('**/api/v1/alerts');
    // Without the mock: whatever the daemon answers (404 = no alerts) renders without errors.
    await openView(page, '#/');
  });

  await test('unit-page-charts-and-checks', async () => {
    await openView(page, unitHash(CHECK_UNIT));
    expect(
      (await page.textContent('#unit-title')) === CHECK_UNIT,
      'the title is not the unit name',
    );
    // Rates need two samples: wait for a line in the CPU chart (the page refreshes itself).
    await page.waitForSelector('[data-chart="CPU (cores)"] path[data-series="cpu_cores"]', {
      state: 'attached',
      timeout: 30000,
    });
    const charts = await page.$$eval('[data-chart]', (cs) =>
      cs.map((c) => [c.dataset.chart, c.querySelectorAll('path').length]),
    );
    expect(charts.length === 5, 'expected 5 charts, got ' + JSON.stringify(charts));
    expect(
      charts.every(([, n]) => n > 0),
      'a chart has no line: ' + JSON.stringify(charts),
    );
    const hard = await api('api/v1/units/' + encodeURIComponent(CHECK_UNIT) + '/hardening');
    if (MODE === 'bus') {
      expect(hard.status === 200, 'no hardening document for ' + CHECK_UNIT);
      const fails = hard.body.checks.filter((c) => c.state === 'fail');
      expect(fails.length > 0, CHECK_UNIT + ' fails no check: pick a careless unit');
      const rows = await page.$$eval('#hardening table.checks tbody tr[data-state="fail"]', (trs) =>
        trs.map((t) => ({
          state: t.dataset.state,
          check: t.cells[0].textContent,
          fix: t.cells[3].textContent,
        })),
      );
      // The costliest failures are shown at once, outside the collapsed lists.
      const first = await page.$$eval('#hardening > table.checks tbody tr', (trs) =>
        trs.map((t) => t.dataset.state),
      );
      expect(
        first.length > 0 && first.every((st) => st === 'fail'),
        'the open checks table is not failing checks',
      );
      expect(
        rows.length === fails.length,
        `${rows.length} failing rows shown, ${fails.length} in the API`,
      );
      expect(
        rows.every((r) => r.state === 'fail' && r.fix && r.fix !== '—'),
        'a failing row lacks what to set',
      );
      expect(
        rows[0].check === fails[0].id,
        `first failing check shown is ${rows[0].check}, not ${fails[0].id}`,
      );
    } else {
      expect(hard.status === 404, 'a hardening document without the bus');
      expect(
        (await page.textContent('#hardening')).includes('No hardening score'),
        'no word on the missing score',
      );
    }
    await shot(page, 'unit');
    await page.screenshot({ path: path.join(ARTIFACTS, PREFIX + 'unit-top.png') });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide <= 1440, `the unit page is ${wide}px wide in a 1440px window`);
  });

  await test('unit-page-memory-limit-line', async () => {
    await openView(page, unitHash(LIMIT_UNIT));
    await page.waitForSelector('[data-chart="Memory"] path[data-series="memory_current"]', {
      state: 'attached',
      timeout: 30000,
    });
    const limit = await page.$$eval('[data-chart="Memory"] line.limit', (l) => l.length);
    expect(limit === 1, 'the memory chart of ' + LIMIT_UNIT + ' has no limit line');
    if (LIMIT_UNIT !== CHECK_UNIT) await shot(page, 'unit-limit');
  });

  await test('markup-in-names-is-text', async () => {
    const before = problems.length;
    await page.addInitScript(() => {
      window.__xss = 0;
    });
    await openView(page, unitHash(XSS_UNIT));
    expect(
      (await page.textContent('#unit-title')) === XSS_UNIT,
      'the name was not rendered literally',
    );
    const doc = (await api('api/v1/units/' + encodeURIComponent(XSS_UNIT))).body;
    if (MODE === 'bus') {
      expect(
        doc.description && doc.description.includes('<script>') && doc.description.includes('\\'),
        "the test unit's Description lacks <script> or a backslash: " +
          JSON.stringify(doc.description),
      );
      expect(
        (await page.textContent('#unit-description')) === doc.description,
        'the Description was not rendered literally',
      );
    }
    const scripts = await page.$$eval('script', (s) => s.length);
    expect(scripts === 1, `${scripts} script elements in the page (only app.js belongs there)`);
    expect(
      (await page.$$('#view img, #view iframe, #view b')).length === 0,
      'markup from the data became elements',
    );
    expect((await page.evaluate(() => window.__xss)) === 0, 'a script from the data ran');
    await shot(page, 'markup-unit');
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const rowName = await page.evaluate((u) => {
      const tr = [...document.querySelectorAll('#units tbody tr[data-unit]')].find(
        (t) => t.dataset.unit === u,
      );
      return (
        tr &&
        tr.querySelector('.unit-name').textContent +
          '|' +
          (tr.querySelector('.desc') || { textContent: '' }).textContent
      );
    }, XSS_UNIT);
    expect(
      rowName === XSS_UNIT + '|' + (doc.description || ''),
      'the overview row is not literal: ' + rowName,
    );
    expect((await page.evaluate(() => window.__xss)) === 0, 'a script from the data ran');
    expect(problems.length === before, problems.slice(before).join('; '));
  });

  await test('drift-view', async () => {
    await openView(page, '#/drift');
    const d = await api('api/v1/drift?limit=1000');
    if (MODE === 'bus') {
      expect(d.status === 200, 'no drift journal with the bus');
      const rows = await page.$$eval('#drift-body table.drift tbody tr', (t) => t.length);
      expect(
        rows === d.body.events.length,
        `${rows} drift rows shown, ${d.body.events.length} in the API`,
      );
      expect(rows > 0, 'no drift events: the VM run makes one');
    } else {
      expect(
        (await page.textContent('#drift-body')).includes('No drift journal'),
        'no word on the missing journal',
      );
    }
    await shot(page, 'drift');
  });

  if (MODE === 'nobus')
    await test('no-bus-banner', async () => {
      await openView(page, '#/');
      const b = await page.textContent('#banner');
      expect(
        b.includes('--no-bus') && (await page.isVisible('#banner')),
        'no banner about running without the bus',
      );
    });

  await test('phone-layout', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openView(page, '#/');
    await page.waitForSelector('#units[data-time]');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide <= 400, `the page is ${wide}px wide on a 390px phone`);
    await shot(page, 'overview-phone');
    await openView(page, unitHash(CHECK_UNIT));
    const uwide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(uwide <= 400, `the unit page is ${uwide}px wide on a 390px phone`);
    await shot(page, 'unit-phone');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await test('no-page-errors', async () => {
    expect(problems.length === 0, problems.join('; '));
  });

  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

main()
  .catch((e) => {
    console.log('FAIL web-' + MODE + ': ' + e.message);
    failed++;
  })
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
