/*
 * unitwatch dashboard: the overview of every unit, a page per unit and the drift view.
 * Plain JS and SVG, no dependencies. Every value from the daemon reaches the page through
 * textContent or setAttribute (the h() helper below), never as markup: unit names and
 * descriptions may hold anything, '<', quotes and backslashes included.
 */
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /* ------------------------------------------------------------------ DOM helpers */

  /* Elements with attributes and children; strings become text nodes, never markup. */
  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    setAttrs(e, attrs);
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : String(k));
    }
    return e;
  }

  function setAttrs(e, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.setAttribute('class', v);
      else if (k === 'text') e.textContent = String(v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function s(tag, attrs, ...kids) {
    const e = document.createElementNS(SVG_NS, tag);
    setAttrs(e, attrs);
    for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

  const view = () => document.getElementById('view');

  /* ------------------------------------------------------------------ formatting */

  const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

  /* 52428800 -> "50.0 MiB"; round limits drop the ".0" ("100 MiB"). */
  function fmtBytes(b, round) {
    if (b === null || b === undefined || Number.isNaN(b)) return '—';
    b = Number(b);
    if (b < 1024) return Math.round(b) + ' B';
    let i = 0;
    while (b >= 1024 && i < IEC.length - 1) {
      b /= 1024;
      i++;
    }
    let t = b.toFixed(1);
    if (round && t.endsWith('.0')) t = t.slice(0, -2);
    return t + ' ' + IEC[i];
  }
  const fmtRate = (v) => (v === null || v === undefined ? '—' : fmtBytes(v) + '/s');
  function fmtCores(c) {
    if (c === null || c === undefined) return '—';
    if (c === 0) return '0';
    return c < 0.01 ? c.toFixed(3) : c.toFixed(2);
  }
  const fmtPct = (p) =>
    p === null || p === undefined ? '—' : (p < 10 ? p.toFixed(1) : p.toFixed(0)) + '%';
  const fmtPsi = (p) => (p === null || p === undefined ? '—' : p.toFixed(2) + '%');
  function fmtTime(sec) {
    if (!sec) return '—';
    const d = new Date(sec * 1000);
    return d.toLocaleString(undefined, { hour12: false });
  }
  function fmtClock(sec) {
    return new Date(sec * 1000).toLocaleTimeString(undefined, { hour12: false });
  }
  function fmtAgo(sec) {
    const d = Math.max(0, Date.now() / 1000 - sec);
    if (d < 60) return Math.round(d) + ' s ago';
    if (d < 3600) return Math.round(d / 60) + ' min ago';
    if (d < 86400) return (d / 3600).toFixed(1) + ' h ago';
    return (d / 86400).toFixed(1) + ' days ago';
  }
  const fmtExposure = (tenths) => (tenths / 10).toFixed(1);
  function exposureLabel(tenths) {
    const t = [
      [100, 'DANGEROUS'],
      [90, 'UNSAFE'],
      [75, 'EXPOSED'],
      [50, 'MEDIUM'],
      [10, 'OK'],
      [1, 'SAFE'],
    ];
    for (const [min, label] of t) if (tenths >= min) return label;
    return 'PERFECT';
  }
  const unitHref = (name) => '#/unit/' + encodeURIComponent(name);
  const unitApi = (name) => 'api/v1/units/' + encodeURIComponent(name);

  /* ------------------------------------------------------------------ data */

  async function getJSON(path) {
    const r = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    let body = null;
    try {
      body = await r.json();
    } catch (e) {
      body = null;
    }
    return { status: r.status, ok: r.ok, body };
  }

  /* /api/v1/alerts may not exist (an older daemon): a 404 means "no alerts". */
  async function getAlerts() {
    try {
      const r = await getJSON('api/v1/alerts');
      if (r.ok && r.body && Array.isArray(r.body.alerts))
        return { available: true, list: r.body.alerts };
      return { available: false, list: [] };
    } catch (e) {
      return { available: false, list: [] };
    }
  }

  function activeAlertsByUnit(alerts) {
    const m = new Map();
    for (const a of alerts.list) {
      if (a.state === 'resolved') continue;
      const unit = a.labels && a.labels.unit;
      if (!unit) continue;
      if (!m.has(unit)) m.set(unit, []);
      m.get(unit).push(a);
    }
    return m;
  }

  /* ------------------------------------------------------------------ page chrome */

  let lastOk = 0;

  function setStatus(ok, text) {
    const st = document.getElementById('status');
    if (ok) lastOk = Date.now();
    st.textContent = text;
    st.classList.toggle('stale', !ok);
  }

  function setBanner(text, isError) {
    const b = document.getElementById('banner');
    b.hidden = !text;
    b.textContent = text || '';
    b.classList.toggle('error', !!isError);
  }

  function bannerForSource(source) {
    if (source === 'cgroup-tree')
      return (
        'This daemon runs without the system bus (--no-bus): units come from the cgroup ' +
        'tree, so there are no unit states, descriptions, limits as systemd sees them, ' +
        'hardening scores or drift. Resource use is complete.'
      );
    if (source === 'bus-stale')
      return (
        'The daemon lost the system bus: unit states are the last ones known; ' +
        'it is reconnecting.'
      );
    return '';
  }

  function failed(err) {
    const when = lastOk ? ' (last good data ' + fmtClock(lastOk / 1000) + ')' : '';
    setStatus(false, 'daemon unreachable' + when);
    setBanner(
      'Cannot reach the daemon: ' +
        (err && err.message ? err.message : err) +
        '. Retrying every ' +
        REFRESH_MS / 1000 +
        ' s.',
      true,
    );
  }

  function meter(frac) {
    const pct = Math.max(0, Math.min(1, frac)) * 100;
    const cls = frac >= 0.9 ? 'meter bad' : frac >= 0.75 ? 'meter warn' : 'meter';
    const m = h('span', { class: cls, role: 'img', 'aria-label': pct.toFixed(0) + '%' }, h('span'));
    m.firstChild.style.width = pct.toFixed(1) + '%';
    return m;
  }

  function stateBadge(state) {
    const a = state && state.active;
    if (!a) return h('span', { class: 'muted', title: 'no state without the bus' }, '—');
    return h('span', { class: 'badge st-' + a }, a);
  }

  function exposureBadge(exposure, label) {
    if (exposure === null || exposure === undefined)
      return h('span', { class: 'muted', title: 'no score' }, '—');
    return h(
      'span',
      { class: 'badge ex-' + label, title: 'exposure 0 (sandboxed) to 10 (none)' },
      exposure + ' ' + label,
    );
  }

  function alertBadge(a) {
    const name = (a.labels && a.labels.alertname) || 'alert';
    const title = (a.annotations && (a.annotations.summary || a.annotations.description)) || '';
    return h(
      'span',
      { class: 'badge al-' + a.state, title },
      name + (a.state === 'pending' ? ' (pending)' : ''),
    );
  }

  /* ------------------------------------------------------------------ overview */

  const ov = { q: '', show: 'all', sort: 'unit', asc: true, doc: null, alerts: null, key: '' };

  const COLUMNS = [
    { key: 'unit', label: 'Unit', asc: true },
    { key: 'state', label: 'State', asc: true },
    { key: 'cpu', label: 'CPU (cores, % of quota)' },
    { key: 'memory', label: 'Memory (of limit)' },
    { key: 'io', label: 'IO read / write' },
    { key: 'tasks', label: 'Tasks (of max)' },
    { key: 'psi', label: 'Pressure (avg10)' },
    { key: 'exposure', label: 'Exposure' },
    { key: 'alerts', label: 'Alerts' },
  ];

  const STATE_ORDER = {
    failed: 0,
    activating: 1,
    deactivating: 2,
    reloading: 3,
    active: 4,
    inactive: 5,
  };
  const memFrac = (u) => (u.memory_limit ? u.memory_current / u.memory_limit : null);
  const cpuFrac = (u) =>
    u.cpu_quota_cores && u.cpu_usage_cores !== undefined
      ? u.cpu_usage_cores / u.cpu_quota_cores
      : null;
  const taskFrac = (u) => (u.pids_max ? u.pids_current / u.pids_max : null);
  const psiMax = (u) =>
    Math.max(u.psi_cpu_some_avg10 || 0, u.psi_memory_some_avg10 || 0, u.psi_io_some_avg10 || 0);

  function sortValue(u, key, alerts) {
    switch (key) {
      case 'unit':
        return u.unit;
      case 'state':
        return u.state && u.state.active in STATE_ORDER ? STATE_ORDER[u.state.active] : 9;
      case 'cpu':
        return cpuFrac(u) !== null ? 1000 + cpuFrac(u) : u.cpu_usage_cores || 0;
      case 'memory':
        return memFrac(u) !== null ? 1e18 + memFrac(u) : u.memory_current || 0;
      case 'io':
        return (u.io_read_bytes_per_second || 0) + (u.io_write_bytes_per_second || 0);
      case 'tasks':
        return u.pids_current || 0;
      case 'psi':
        return psiMax(u);
      case 'exposure':
        return u.exposure === undefined ? -1 : Number(u.exposure);
      case 'alerts': {
        const l = alerts.get(u.unit) || [];
        return l.filter((a) => a.state === 'firing').length * 1000 + l.length;
      }
    }
    return 0;
  }

  function nearLimit(u) {
    return [memFrac(u), cpuFrac(u), taskFrac(u)].some((f) => f !== null && f >= 0.8);
  }

  function shown(u, alerts) {
    if (
      ov.q &&
      !u.unit.toLowerCase().includes(ov.q) &&
      !(u.description || '').toLowerCase().includes(ov.q)
    )
      return false;
    const a = u.state && u.state.active;
    switch (ov.show) {
      case 'all':
        return true;
      case 'running':
        return !!u.cgroup;
      case 'alerts':
        return alerts.has(u.unit);
      case 'near-limit':
        return nearLimit(u);
      case 'exposed':
        return u.exposure !== undefined && Number(u.exposure) >= 7.5;
      case 'transitioning':
        return a === 'activating' || a === 'deactivating' || a === 'reloading';
      default:
        return a === ov.show;
    }
  }

  function cpuCell(u) {
    if (u.cpu_usage_cores === undefined)
      return [h('span', { class: 'muted' }, u.cgroup ? '…' : '—')];
    const f = cpuFrac(u);
    const out = [h('span', null, fmtCores(u.cpu_usage_cores) + ' cores')];
    if (f !== null)
      out.unshift(meter(f)),
        out.push(
          h(
            'span',
            { class: 'sub' },
            fmtPct(f * 100) + ' of ' + fmtCores(u.cpu_quota_cores) + ' quota',
          ),
        );
    else out.push(h('span', { class: 'sub' }, 'no quota'));
    return out;
  }

  function memoryCell(u) {
    if (u.memory_current === undefined) return [h('span', { class: 'muted' }, '—')];
    const f = memFrac(u);
    if (f === null)
      return [h('span', null, fmtBytes(u.memory_current)), h('span', { class: 'sub' }, 'no limit')];
    return [
      meter(f),
      h('span', null, fmtBytes(u.memory_current) + ' of ' + fmtBytes(u.memory_limit, true)),
      h('span', { class: 'sub' }, fmtPct(f * 100)),
    ];
  }

  function tasksCell(u) {
    if (u.pids_current === undefined) return [h('span', { class: 'muted' }, '—')];
    const f = taskFrac(u);
    if (f === null)
      return [h('span', null, String(u.pids_current)), h('span', { class: 'sub' }, 'no TasksMax')];
    return [meter(f), h('span', null, u.pids_current + ' of ' + u.pids_max)];
  }

  function psiCell(u) {
    if (
      u.psi_cpu_some_avg10 === undefined &&
      u.psi_memory_some_avg10 === undefined &&
      u.psi_io_some_avg10 === undefined
    )
      return [h('span', { class: 'muted' }, '—')];
    const m = psiMax(u);
    const cls = m >= 40 ? 'hot' : m >= 10 ? 'warm' : null;
    const parts = [
      ['cpu', u.psi_cpu_some_avg10],
      ['mem', u.psi_memory_some_avg10],
      ['io', u.psi_io_some_avg10],
    ]
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => k + ' ' + v.toFixed(1));
    return [
      h(
        'span',
        { class: cls, title: 'share of time some tasks stalled, last 10 s' },
        fmtPsi(m) + ' stalled',
      ),
      h('span', { class: 'sub' }, parts.join(' · ')),
    ];
  }

  /* A cell that says nothing ("—") is hidden in the phone layout. */
  function td(label, cls, kids) {
    const c = h('td', { 'data-label': label, class: cls }, h('div', { class: 'cell' }, kids));
    if (c.textContent === '—' || c.textContent === '') c.classList.add('none');
    return c;
  }

  function unitRow(u, alerts) {
    const st = u.state || {};
    const stateKids = [stateBadge(u.state)];
    if (st.sub)
      stateKids.push(
        h(
          'span',
          { class: 'sub' },
          st.sub + (st.result && st.result !== 'success' ? ', ' + st.result : ''),
        ),
      );
    if (u.restarts)
      stateKids.push(h('span', { class: 'sub warm' }, 'restarted ' + u.restarts + '×'));
    const exKids = [exposureBadge(u.exposure, u.exposure_label)];
    if (u.failed_checks) exKids.push(h('span', { class: 'sub' }, u.failed_checks + ' checks fail'));
    const al = alerts.get(u.unit) || [];
    return h(
      'tr',
      { 'data-unit': u.unit },
      td('Unit', null, [
        h('a', { class: 'unit-name', href: unitHref(u.unit) }, u.unit),
        u.description ? h('span', { class: 'desc' }, u.description) : null,
      ]),
      td('State', null, stateKids),
      td('CPU', 'num', cpuCell(u)),
      td('Memory', 'num', memoryCell(u)),
      td(
        'IO',
        'num',
        u.io_read_bytes_per_second === undefined && u.io_write_bytes_per_second === undefined
          ? [h('span', { class: 'muted' }, '—')]
          : [
              h('span', null, 'R ' + fmtRate(u.io_read_bytes_per_second || 0)),
              h('span', { class: 'sub' }, 'W ' + fmtRate(u.io_write_bytes_per_second || 0)),
            ],
      ),
      td('Tasks', 'num', tasksCell(u)),
      td('Pressure', 'num', psiCell(u)),
      td('Exposure', null, exKids),
      td(
        'Alerts',
        null,
        al.length ? al.map(alertBadge) : [h('span', { class: 'muted' }, al.length ? '' : '—')],
      ),
    );
  }

  /* A count; with show, a click lists just those units. */
  function tile(label, value, cls, title, show) {
    const t = h(
      show ? 'button' : 'div',
      { class: 'tile ' + (cls || ''), title, type: show ? 'button' : null, 'data-show': show },
      h('b', null, String(value)),
      label,
    );
    if (show)
      t.addEventListener('click', () => {
        ov.show = ov.show === show ? 'all' : show;
        document.getElementById('show').value = ov.show;
        renderTable();
      });
    return t;
  }

  function renderTiles(doc, alerts) {
    const units = doc.units;
    const failedN = units.filter((u) => u.state && u.state.active === 'failed').length;
    const firing = alerts.list.filter((a) => a.state === 'firing').length;
    const near = units.filter(nearLimit).length;
    const scored = units.filter((u) => u.exposure !== undefined);
    const exposed = scored.filter((u) => Number(u.exposure) >= 7.5).length;
    const box = document.getElementById('tiles');
    box.replaceChildren(
      tile('units', units.length, '', 'every unit: click to list all', 'all'),
      doc.source === 'cgroup-tree'
        ? tile('failed', 'n/a', '', 'no states without the bus')
        : tile(
            'failed',
            failedN,
            failedN ? 'bad' : 'good',
            'units whose ActiveState is failed: click to list them',
            'failed',
          ),
      alerts.available
        ? tile(
            'alerts firing',
            firing,
            firing ? 'bad' : 'good',
            'alerts in state firing: click to list their units',
            'alerts',
          )
        : tile('alerts firing', 'n/a', '', 'this daemon has no /api/v1/alerts'),
      tile(
        'near a limit (≥80%)',
        near,
        near ? 'warn' : 'good',
        'memory, CPU quota or tasks at 80% or more of the limit: click to list them',
        'near-limit',
      ),
      scored.length
        ? tile(
            'exposed (≥7.5)',
            exposed,
            exposed ? 'warn' : 'good',
            'hardening exposure 7.5 or more (EXPOSED, UNSAFE, DANGEROUS): click to list them',
            'exposed',
          )
        : tile('exposed (≥7.5)', 'n/a', '', 'no hardening scores without the bus'),
    );
    for (const t of box.querySelectorAll('[data-show]'))
      t.classList.toggle('current', t.dataset.show === ov.show && ov.show !== 'all');
  }

  function renderTable() {
    if (!ov.doc) return;
    const t0 = performance.now();
    const alerts = activeAlertsByUnit(ov.alerts);
    const units = ov.doc.units.filter((u) => shown(u, alerts));
    const dir = ov.asc ? 1 : -1;
    units.sort((a, b) => {
      const x = sortValue(a, ov.sort, alerts),
        y = sortValue(b, ov.sort, alerts);
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0;
    });
    const table = document.getElementById('units');
    if (!table) return;
    for (const th of table.tHead.rows[0].cells) {
      th.classList.toggle('sorted', th.dataset.key === ov.sort);
      th.classList.toggle('asc', th.dataset.key === ov.sort && ov.asc);
      th.setAttribute(
        'aria-sort',
        th.dataset.key === ov.sort ? (ov.asc ? 'ascending' : 'descending') : 'none',
      );
    }
    // TODO: reuse the rows (keyed by unit) if hosts with 10,000 units need it; 1,000 rows are
    // rebuilt in well under a second, and only when a new snapshot or a filter asks for it.
    const frag = document.createDocumentFragment();
    for (const u of units) frag.append(unitRow(u, alerts));
    if (!units.length)
      frag.append(
        h(
          'tr',
          null,
          h(
            'td',
            { colspan: COLUMNS.length, class: 'empty' },
            ov.doc.units.length ? 'No unit matches the filter.' : 'No units yet.',
          ),
        ),
      );
    table.tBodies[0].replaceChildren(frag);
    table.dataset.time = String(ov.doc.time);
    table.dataset.renderMs = (performance.now() - t0).toFixed(1);
    document.getElementById('count').textContent =
      units.length === ov.doc.units.length
        ? units.length + ' units'
        : units.length + ' of ' + ov.doc.units.length + ' units';
    renderTiles(ov.doc, ov.alerts);
  }

  function overviewSkeleton() {
    let timer = 0;
    const search = h('input', {
      type: 'search',
      id: 'filter',
      placeholder: 'Filter by name or description',
      value: ov.q,
      'aria-label': 'filter units by name',
      oninput: (e) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          ov.q = e.target.value.trim().toLowerCase();
          renderTable();
        }, 120);
      },
    });
    const opts = [
      ['all', 'all units'],
      ['active', 'active'],
      ['failed', 'failed'],
      ['inactive', 'inactive'],
      ['transitioning', 'activating / deactivating'],
      ['running', 'with a cgroup'],
      ['alerts', 'with active alerts'],
      ['near-limit', 'near a limit (≥80%)'],
      ['exposed', 'exposed (≥7.5)'],
    ];
    const show = h(
      'select',
      {
        id: 'show',
        'aria-label': 'show units',
        onchange: (e) => {
          ov.show = e.target.value;
          renderTable();
        },
      },
      opts.map(([v, t]) => h('option', { value: v, selected: v === ov.show }, t)),
    );
    const sortSel = h(
      'select',
      {
        id: 'sort',
        'aria-label': 'sort by',
        onchange: (e) => {
          ov.sort = e.target.value;
          ov.asc = !!COLUMNS.find((c) => c.key === ov.sort).asc;
          renderTable();
        },
      },
      COLUMNS.map((c) =>
        h('option', { value: c.key, selected: c.key === ov.sort }, 'sort: ' + c.label),
      ),
    );
    const head = h(
      'tr',
      null,
      COLUMNS.map((c) =>
        h(
          'th',
          {
            class: 'sortable',
            'data-key': c.key,
            scope: 'col',
            title: 'sort by ' + c.label,
            onclick: () => {
              if (ov.sort === c.key) ov.asc = !ov.asc;
              else {
                ov.sort = c.key;
                ov.asc = !!c.asc;
              }
              sortSel.value = ov.sort;
              renderTable();
            },
          },
          c.label,
        ),
      ),
    );
    view().replaceChildren(
      h('div', { class: 'tiles', id: 'tiles' }),
      h(
        'div',
        { class: 'controls' },
        search,
        show,
        sortSel,
        h('span', { id: 'count', class: 'muted' }),
      ),
      h('table', { id: 'units', class: 'cards' }, h('thead', null, head), h('tbody')),
    );
  }

  async function refreshOverview(first) {
    const [r, alerts] = await Promise.all([getJSON('api/v1/units'), getAlerts()]);
    if (!r.ok || !r.body)
      throw new Error(r.body && r.body.error ? r.body.error : 'HTTP ' + r.status);
    const key = r.body.time + '/' + JSON.stringify(alerts.list);
    ov.doc = r.body;
    ov.alerts = alerts;
    setBanner(bannerForSource(r.body.source));
    setStatus(
      true,
      'data of ' + fmtClock(r.body.time) + ' · refreshes every ' + REFRESH_MS / 1000 + ' s',
    );
    if (first || key !== ov.key) renderTable();
    ov.key = key;
  }

  /* ------------------------------------------------------------------ charts */

  /* The next 1, 2, 2.5 or 5 times a power of ten (of 1024 for bytes) at or above v. */
  function niceCeil(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * 0.999) return m * p;
    return 10 * p;
  }

  /*
   * A line chart of points (oldest first) as SVG. series: [{key, label, color}];
   * fmt formats an axis or legend value; limit: {value, label} drawn dashed; bytes: the
   * axis steps in powers of 1024.
   */
  function lineChart(title, points, series, fmt, limit, floorMax, bytes) {
    const W = 480,
      H = 150,
      L = 76,
      R = 8,
      T = 12,
      B = 20;
    const card = h('div', { class: 'card chart', 'data-chart': title }, h('h3', null, title));
    if (!points.length) {
      card.append(
        h(
          'p',
          { class: 'muted' },
          'No samples yet: the first arrive after one collection interval.',
        ),
      );
      return card;
    }
    const t0 = points[0].time,
      t1 = Math.max(points[points.length - 1].time, t0 + 1);
    let max = floorMax || 0;
    for (const p of points)
      for (const sr of series) if (p[sr.key] !== null && p[sr.key] > max) max = p[sr.key];
    if (limit && limit.value > max) max = limit.value;
    if (max <= 0) max = 1;
    const unit = bytes
      ? Math.pow(1024, Math.max(0, Math.floor(Math.log(max) / Math.log(1024))))
      : 1;
    max = niceCeil(max / unit) * unit * 1.1;
    const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - v / max) * (H - T - B);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
    for (const f of [0, 0.5, 1]) {
      const v = (max / 1.1) * f;
      svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#dde2e8' }));
      const lab = s('text', {
        x: L - 6,
        y: y(v) + 4,
        'text-anchor': 'end',
        'font-size': 12,
        fill: '#5f6b7a',
      });
      lab.textContent = fmt(v);
      svg.append(lab);
    }
    for (const [t, anchor] of [
      [t0, 'start'],
      [points[points.length - 1].time, 'end'],
    ]) {
      const lab = s('text', {
        x: x(t),
        y: H - 6,
        'text-anchor': anchor,
        'font-size': 12,
        fill: '#5f6b7a',
      });
      lab.textContent = fmtClock(t);
      svg.append(lab);
    }
    if (limit && limit.value) {
      svg.append(
        s('line', {
          x1: L,
          x2: W - R,
          y1: y(limit.value),
          y2: y(limit.value),
          stroke: '#c62828',
          'stroke-dasharray': '6 4',
          'stroke-width': 1.5,
          class: 'limit',
        }),
      );
      const lab = s('text', {
        x: W - R - 4,
        y: y(limit.value) - 4,
        'text-anchor': 'end',
        'font-size': 12,
        fill: '#c62828',
      });
      lab.textContent = limit.label + ' ' + fmt(limit.value);
      svg.append(lab);
    }
    const legend = h('div', { class: 'legend' });
    for (const sr of series) {
      let d = '',
        pen = false,
        last = null;
      for (const p of points) {
        const v = p[sr.key];
        if (v === null || v === undefined) {
          pen = false;
          continue;
        }
        d += (pen ? 'L' : 'M') + x(p.time).toFixed(1) + ',' + y(v).toFixed(1);
        pen = true;
        last = v;
      }
      if (d)
        svg.append(
          s('path', {
            d,
            fill: 'none',
            stroke: sr.color,
            'stroke-width': 2,
            'data-series': sr.key,
          }),
        );
      const sw = h('i');
      sw.style.background = sr.color;
      legend.append(h('span', null, sw, sr.label + ': ' + (last === null ? '—' : fmt(last))));
    }
    if (limit && limit.value)
      legend.append(h('span', { class: 'muted' }, limit.label + ': ' + fmt(limit.value)));
    card.append(svg, legend);
    return card;
  }

  /* ------------------------------------------------------------------ unit page */

  /* What to write in the unit file to pass a check, by its systemd-analyze id. */
  const FIXES = {
    'User=/DynamicUser=': 'DynamicUser=yes (or User= a dedicated user)',
    'SupplementaryGroups=': 'SupplementaryGroups= (none)',
    'ProtectSystem=': 'ProtectSystem=strict',
    'ProtectHome=': 'ProtectHome=yes',
    'RootDirectory=/RootImage=': 'RootDirectory= or RootImage=',
    'UMask=': 'UMask=0077',
    'KeyringMode=': 'KeyringMode=private',
    'ProtectProc=': 'ProtectProc=invisible',
    'ProcSubset=': 'ProcSubset=pid',
    'NotifyAccess=': 'NotifyAccess=main',
    'Delegate=': 'Delegate=no',
    'SystemCallArchitectures=': 'SystemCallArchitectures=native',
    'IPAddressDeny=': 'IPAddressDeny=any (then IPAddressAllow= what it needs)',
    'DeviceAllow=': 'DevicePolicy=closed (DeviceAllow= only what it needs)',
    'AmbientCapabilities=': 'AmbientCapabilities= (empty)',
    'CapabilityBoundingSet=': 'CapabilityBoundingSet= only what it needs',
    'RestrictAddressFamilies=~…': 'RestrictAddressFamilies= only what it needs',
  };

  function fixFor(c) {
    if (FIXES[c.id]) return FIXES[c.id];
    if (c.id.includes('=~')) {
      const [key, what] = c.id.split('=~');
      if (key === 'RestrictNamespaces') return 'RestrictNamespaces=yes (or ~' + what + ')';
      if (key === 'RestrictAddressFamilies') return 'RestrictAddressFamilies= without ' + what;
      if (key === 'CapabilityBoundingSet') return 'CapabilityBoundingSet=~' + what;
      return c.id;
    }
    if (c.id.endsWith('=')) return c.id + 'yes';
    return c.id;
  }

  const up = { name: null, openPassing: false, openFailing: false };

  function limitsBlock(d) {
    const lim = d.limits || {};
    const mem = d.memory || {},
      cpu = d.cpu || {},
      pids = d.pids || {};
    const bytesOr = (bus, cg) =>
      bus !== undefined
        ? bus === null
          ? 'unlimited'
          : fmtBytes(bus, true)
        : cg !== undefined
          ? cg === null
            ? 'unlimited'
            : fmtBytes(cg, true)
          : '—';
    let quota = '—';
    if (lim.CPUQuotaPerSecUSec !== undefined)
      quota =
        lim.CPUQuotaPerSecUSec === null
          ? 'unlimited'
          : fmtCores(lim.CPUQuotaPerSecUSec / 1e6) + ' cores';
    else if (cpu.max)
      quota =
        cpu.max.quota_usec === null
          ? 'unlimited'
          : fmtCores(cpu.max.quota_usec / cpu.max.period_usec) + ' cores';
    const tasks = lim.TasksMax !== undefined ? lim.TasksMax : pids.max;
    const rows = [
      ['MemoryMax', bytesOr(lim.MemoryMax, mem.max)],
      ['MemoryHigh', bytesOr(lim.MemoryHigh, mem.high)],
      ['MemoryLow', bytesOr(lim.MemoryLow, mem.low)],
      ['MemoryMin', bytesOr(lim.MemoryMin, mem.min)],
      ['MemorySwapMax', bytesOr(lim.MemorySwapMax, mem.swap_max)],
      ['CPUQuota', quota],
      [
        'CPUWeight',
        lim.CPUWeight !== undefined
          ? lim.CPUWeight === null
            ? 'default'
            : lim.CPUWeight
          : cpu.weight !== undefined
            ? cpu.weight
            : '—',
      ],
      ['TasksMax', tasks === undefined ? '—' : tasks === null ? 'unlimited' : String(tasks)],
    ];
    for (const io of lim.io || [])
      rows.push([
        io.property + ' ' + io.device,
        io.property.includes('IOPS') ? String(io.value) + ' ops/s' : fmtRate(io.value),
      ]);
    return h(
      'div',
      { class: 'card' },
      h('h3', null, 'Limits'),
      h(
        'dl',
        { class: 'kv' },
        rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
      ),
    );
  }

  function factsBlock(d) {
    const st = d.state || {};
    const rows = [
      [
        'State',
        st.active ? [st.active, st.sub, st.result].filter(Boolean).join(' / ') : 'unknown (no bus)',
      ],
      ['Restarts', d.restarts !== undefined ? String(d.restarts) : '—'],
      [
        'Active since',
        d.active_enter_time
          ? fmtTime(d.active_enter_time) + ' (' + fmtAgo(d.active_enter_time) + ')'
          : '—',
      ],
      ['Main PID', d.main_pid ? String(d.main_pid) : '—'],
      ['cgroup', d.cgroup || 'none now'],
      ['Unit file', d.fragment_path || '—'],
      ['Drop-ins', d.drop_in_paths && d.drop_in_paths.length ? d.drop_in_paths.join(', ') : '—'],
    ];
    /* IPAccounting=yes only: absent, not zero, where systemd counts nothing. */
    if (d.ip) {
      const ipText = (bytes, packets) =>
        bytes === undefined
          ? '—'
          : fmtBytes(bytes) + (packets === undefined ? '' : ' (' + packets + ' packets)');
      rows.push(['IP in', ipText(d.ip.ingress_bytes, d.ip.ingress_packets)]);
      rows.push(['IP out', ipText(d.ip.egress_bytes, d.ip.egress_packets)]);
    }
    return h(
      'div',
      { class: 'card' },
      h('h3', null, 'Unit'),
      h(
        'dl',
        { class: 'kv' },
        rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
      ),
    );
  }

  function checkRow(c) {
    return h(
      'tr',
      { 'data-check': c.json_field, 'data-state': c.state },
      td('Check', 'mono', [c.id]),
      td('Result', 'state-' + c.state, [
        c.state === 'fail' ? 'fails' : c.state === 'pass' ? 'passes' : 'n/a',
      ]),
      td('Now', null, [c.value || '—']),
      td('Set', null, c.state === 'fail' ? [h('span', { class: 'fix' }, fixFor(c))] : ['—']),
      td('Exposure', 'num', [c.state === 'fail' ? '+' + c.exposure : '0.0']),
      td('Why', null, [c.explanation || '']),
    );
  }

  function checksTable(list) {
    return h(
      'table',
      { class: 'checks cards' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Check', 'Result', 'Now', 'What to set', 'Adds', 'Why'].map((t) => h('th', null, t)),
        ),
      ),
      h('tbody', null, list.map(checkRow)),
    );
  }

  function hardeningBlock(r) {
    const box = h('section', { id: 'hardening' }, h('h2', null, 'Hardening'));
    if (!r.ok) {
      box.append(
        h(
          'p',
          { class: 'muted' },
          r.status === 404
            ? 'No hardening score for this unit (' +
                ((r.body && r.body.error) || 'not scored') +
                ').'
            : 'Cannot load the hardening checks (HTTP ' + r.status + ').',
        ),
      );
      return box;
    }
    const hd = r.body;
    const fails = hd.checks.filter((c) => c.state === 'fail');
    const rest = hd.checks.filter((c) => c.state !== 'fail');
    box.append(
      h(
        'p',
        null,
        'Exposure ',
        exposureBadge(hd.exposure, hd.label),
        ' — ',
        fails.length + ' of ' + hd.checks.length + ' checks fail. ',
        h(
          'span',
          { class: 'muted' },
          '0 is fully sandboxed, 10 is no sandbox at all (as systemd-analyze security ' +
            'scores it). Failing checks first, costliest first.',
        ),
      ),
    );
    /* The costliest failures first; a long tail stays one click away. */
    const TOP = 12;
    if (fails.length) box.append(checksTable(fails.slice(0, TOP)));
    if (fails.length > TOP) {
      const more = h(
        'details',
        {
          ontoggle: (e) => {
            up.openFailing = e.target.open;
          },
        },
        h('summary', null, fails.length - TOP + ' more failing checks'),
        checksTable(fails.slice(TOP)),
      );
      more.open = up.openFailing;
      box.append(more);
    }
    const det = h(
      'details',
      {
        ontoggle: (e) => {
          up.openPassing = e.target.open;
        },
      },
      h('summary', null, rest.length + ' passing or not applicable checks'),
      checksTable(rest),
    );
    det.open = up.openPassing;
    box.append(det);
    return box;
  }

  function driftRows(events, withUnit) {
    return events.map((e) => {
      const delta = e.exposure_new - e.exposure_old;
      return h(
        'tr',
        { 'data-kind': e.kind },
        td('When', 'num', [fmtTime(e.time), h('span', { class: 'sub' }, fmtAgo(e.time))]),
        withUnit
          ? td('Unit', null, [h('a', { class: 'unit-name', href: unitHref(e.unit) }, e.unit)])
          : null,
        td('Check', 'mono', [e.check]),
        td('Change', 'mono', [
          (e.old === null ? '(unset)' : e.old) + ' → ' + (e.new === null ? '(unset)' : e.new),
        ]),
        td('Exposure', 'num', [
          fmtExposure(e.exposure_old) + ' → ' + fmtExposure(e.exposure_new),
          h(
            'span',
            { class: 'sub ' + (delta > 0 ? 'hot' : 'muted') },
            (delta > 0 ? '+' : '') + fmtExposure(delta),
          ),
        ]),
        td('Kind', null, [h('span', { class: 'badge kind-' + e.kind }, e.kind)]),
      );
    });
  }

  function driftTable(events, withUnit) {
    const cols = [
      'When',
      withUnit ? 'Unit' : null,
      'Check',
      'Old → new setting',
      'Exposure',
      'Kind',
    ].filter(Boolean);
    return h(
      'table',
      { class: 'drift cards' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          cols.map((t) => h('th', null, t)),
        ),
      ),
      h('tbody', null, driftRows(events, withUnit)),
    );
  }

  function driftBlock(r) {
    const box = h('section', { id: 'drift' }, h('h2', null, 'Drift timeline'));
    if (!r.ok) {
      box.append(
        h(
          'p',
          { class: 'muted' },
          'No drift timeline (' + ((r.body && r.body.error) || 'HTTP ' + r.status) + ').',
        ),
      );
      return box;
    }
    if (!r.body.events.length)
      box.append(
        h('p', { class: 'muted' }, "No change of this unit's hardening since its baseline."),
      );
    else box.append(driftTable(r.body.events, false));
    return box;
  }

  /* The settings of the unit's files that systemd ignored or does not apply. */
  function configBlock(r) {
    const box = h('section', { id: 'config' }, h('h2', null, 'Settings not in effect'));
    if (!r.ok) {
      box.append(
        h(
          'p',
          { class: 'muted' },
          'Not checked (' + ((r.body && r.body.error) || 'HTTP ' + r.status) + ').',
        ),
      );
      return box;
    }
    const list = r.body.findings || [];
    if (!r.body.checked) box.append(h('p', { class: 'muted' }, 'Not checked yet.'));
    else if (!list.length)
      box.append(h('p', { class: 'muted' }, "systemd applies every setting of the unit's files."));
    else
      box.append(
        h(
          'table',
          { class: 'cards alerts' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Where', 'Setting', 'Kind', 'Why'].map((t) => h('th', null, t)),
            ),
          ),
          h(
            'tbody',
            null,
            list.map((f) =>
              h(
                'tr',
                null,
                td('Where', null, [(f.file || '?') + (f.line ? ':' + f.line : '')]),
                td('Setting', null, [(f.key || '') + (f.value != null ? '=' + f.value : '')]),
                td('Kind', null, [f.kind || '']),
                td('Why', null, [f.reason || '']),
              ),
            ),
          ),
        ),
      );
    return box;
  }

  function alertsBlock(alerts, name) {
    const mine = alerts.list.filter((a) => a.labels && a.labels.unit === name);
    const box = h('section', { id: 'alerts' }, h('h2', null, 'Alerts'));
    if (!alerts.available) box.append(h('p', { class: 'muted' }, 'This daemon serves no alerts.'));
    else if (!mine.length) box.append(h('p', { class: 'muted' }, 'No alerts for this unit.'));
    else
      box.append(
        h(
          'table',
          { class: 'cards alerts' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Alert', 'State', 'Since', 'Summary'].map((t) => h('th', null, t)),
            ),
          ),
          h(
            'tbody',
            null,
            mine.map((a) =>
              h(
                'tr',
                null,
                td('Alert', null, [
                  alertBadge(a),
                  h('span', { class: 'sub' }, (a.labels && a.labels.severity) || ''),
                ]),
                td('State', null, [a.state]),
                td('Since', 'num', [a.fired_at || a.active_at || '—']),
                td('Summary', null, [
                  (a.annotations && a.annotations.summary) || '',
                  h('span', { class: 'sub' }, (a.annotations && a.annotations.description) || ''),
                ]),
              ),
            ),
          ),
        ),
      );
    return box;
  }

  function memoryLimitOf(d) {
    const m = d.memory || {};
    const v = [m.high, m.max].filter((x) => x !== null && x !== undefined);
    return v.length ? Math.min(...v) : null;
  }

  function chartsBlock(d, series) {
    const p = series.points;
    const quota =
      d.cpu && d.cpu.max && d.cpu.max.quota_usec
        ? d.cpu.max.quota_usec / d.cpu.max.period_usec
        : null;
    const mlim = memoryLimitOf(d);
    const span = p.length > 1 ? p[p.length - 1].time - p[0].time : 0;
    return h(
      'section',
      { id: 'charts' },
      h(
        'h2',
        null,
        'Recent samples: last ' +
          (span < 120 ? Math.round(span) + ' s' : Math.round(span / 60) + ' min') +
          ' (' +
          p.length +
          ' points)',
      ),
      h(
        'div',
        { class: 'grid' },
        lineChart(
          'CPU (cores)',
          p,
          [{ key: 'cpu_cores', label: 'used', color: '#2f5fb3' }],
          fmtCores,
          quota ? { value: quota, label: 'quota' } : null,
          0.05,
        ),
        lineChart(
          'Memory',
          p,
          [
            { key: 'memory_current', label: 'current', color: '#7b3fb3' },
            { key: 'memory_working_set', label: 'working set', color: '#1a7f37' },
          ],
          (v) => fmtBytes(v, true),
          mlim ? { value: mlim, label: 'limit' } : null,
          1024 * 1024,
          true,
        ),
        lineChart(
          'IO (bytes/s)',
          p,
          [
            { key: 'io_read_bytes_per_second', label: 'read', color: '#2f5fb3' },
            { key: 'io_write_bytes_per_second', label: 'write', color: '#b76e00' },
          ],
          fmtRate,
          null,
          1024,
          true,
        ),
        lineChart(
          'Pressure (% of time stalled, avg10)',
          p,
          [
            { key: 'psi_cpu_some_avg10', label: 'cpu', color: '#2f5fb3' },
            { key: 'psi_memory_some_avg10', label: 'memory', color: '#7b3fb3' },
            { key: 'psi_io_some_avg10', label: 'io', color: '#b76e00' },
          ],
          fmtPsi,
          null,
          1,
        ),
        lineChart(
          'Tasks',
          p,
          [{ key: 'pids_current', label: 'tasks', color: '#1a7f37' }],
          (v) => String(Math.round(v)),
          d.pids && d.pids.max ? { value: d.pids.max, label: 'TasksMax' } : null,
          1,
        ),
      ),
    );
  }

  async function refreshUnit(first) {
    const name = up.name;
    const [ur, sr, hr, dr, alerts, cr] = await Promise.all([
      getJSON(unitApi(name)),
      getJSON(unitApi(name) + '/series'),
      getJSON(unitApi(name) + '/hardening'),
      getJSON('api/v1/drift?unit=' + encodeURIComponent(name)),
      getAlerts(),
      getJSON(unitApi(name) + '/config'),
    ]);
    if (name !== up.name) return;
    if (ur.status === 404) {
      view().replaceChildren(
        h(
          'p',
          null,
          'No unit ',
          h('span', { class: 'unit-name' }, name),
          ' here (it may have been unloaded). ',
          h('a', { href: '#/' }, 'Back to all units'),
        ),
      );
      setStatus(true, 'unit not found');
      return;
    }
    if (!ur.ok) throw new Error('HTTP ' + ur.status);
    const d = ur.body;
    setStatus(
      true,
      'updated ' + fmtClock(Date.now() / 1000) + ' · refreshes every ' + REFRESH_MS / 1000 + ' s',
    );
    setBanner(d.state ? '' : bannerForSource('cgroup-tree'));
    const head = h(
      'div',
      { id: 'unit-head' },
      h('p', null, h('a', { href: '#/' }, '← all units')),
      h('h1', { class: 'unit-name', id: 'unit-title' }, d.unit),
      d.description ? h('p', { class: 'desc', id: 'unit-description' }, d.description) : null,
      d.state || hr.ok
        ? h(
            'p',
            null,
            stateBadge(d.state),
            ' ',
            hr.ok ? exposureBadge(hr.body.exposure, hr.body.label) : null,
          )
        : null,
    );
    const y = window.scrollY;
    view().replaceChildren(
      head,
      alertsBlock(alerts, name),
      chartsBlock(d, sr.ok ? sr.body : { points: [] }),
      h(
        'section',
        null,
        h('h2', null, 'Limits and unit'),
        h('div', { class: 'grid' }, limitsBlock(d), factsBlock(d)),
      ),
      hardeningBlock(hr),
      configBlock(cr),
      driftBlock(dr),
    );
    if (!first) window.scrollTo(0, y);
  }

  /* ------------------------------------------------------------------ drift view */

  const dv = { kind: '', q: '' };

  async function refreshDrift() {
    const r = await getJSON('api/v1/drift?limit=1000' + (dv.kind ? '&kind=' + dv.kind : ''));
    const box = h('div');
    if (!r.ok) {
      box.append(
        h(
          'p',
          { class: 'muted' },
          'No drift journal (' +
            ((r.body && r.body.error) || 'HTTP ' + r.status) +
            '). Drift needs the system bus and systemd-analyze.',
        ),
      );
    } else {
      const ev = r.body.events.filter(
        (e) => !dv.q || e.unit.toLowerCase().includes(dv.q) || e.check.toLowerCase().includes(dv.q),
      );
      const reg = ev.filter((e) => e.kind === 'regression').length;
      box.append(
        h(
          'div',
          { class: 'tiles' },
          tile('changes', ev.length, ''),
          tile('regressions', reg, reg ? 'bad' : 'good', 'a check got worse'),
          tile('improvements', ev.length - reg, 'good', 'a check got better'),
          tile('units affected', new Set(ev.map((e) => e.unit)).size, ''),
        ),
      );
      box.append(
        ev.length
          ? driftTable(ev, true)
          : h(
              'p',
              { class: 'empty' },
              'No hardening changes recorded: every unit still matches its baseline.',
            ),
      );
      if (r.body.dropped)
        box.append(
          h(
            'p',
            { class: 'muted' },
            r.body.dropped + ' older events were dropped from the journal.',
          ),
        );
    }
    const old = document.getElementById('drift-body');
    if (old) old.replaceWith(h('div', { id: 'drift-body' }, box));
    setStatus(true, 'updated ' + fmtClock(Date.now() / 1000));
    setBanner('');
  }

  function driftSkeleton() {
    let timer = 0;
    view().replaceChildren(
      h('h1', null, 'Hardening drift'),
      h(
        'p',
        { class: 'muted' },
        "Every change of a unit's sandboxing since its baseline, newest first. " +
          'A regression raises the exposure (worse).',
      ),
      h(
        'div',
        { class: 'controls' },
        h('input', {
          type: 'search',
          placeholder: 'Filter by unit or check',
          value: dv.q,
          'aria-label': 'filter drift',
          oninput: (e) => {
            clearTimeout(timer);
            timer = setTimeout(() => {
              dv.q = e.target.value.trim().toLowerCase();
              tick();
            }, 150);
          },
        }),
        h(
          'select',
          {
            'aria-label': 'kind',
            onchange: (e) => {
              dv.kind = e.target.value;
              tick();
            },
          },
          [
            ['', 'all changes'],
            ['regression', 'regressions'],
            ['improvement', 'improvements'],
          ].map(([v, t]) => h('option', { value: v, selected: v === dv.kind }, t)),
        ),
      ),
      h('div', { id: 'drift-body' }),
    );
  }

  /* ------------------------------------------------------------------ routing */

  let route = null,
    timer = 0,
    busy = false;

  function parseRoute() {
    const hash = location.hash || '#/';
    if (hash.startsWith('#/unit/')) {
      try {
        return { view: 'unit', name: decodeURIComponent(hash.slice(7)) };
      } catch (e) {
        return { view: 'units' };
      }
    }
    if (hash === '#/drift') return { view: 'drift' };
    return { view: 'units' };
  }

  async function tick(first) {
    clearTimeout(timer);
    if (busy) {
      timer = setTimeout(tick, 500);
      return;
    }
    busy = true;
    try {
      if (route.view === 'units') await refreshOverview(first);
      else if (route.view === 'unit') await refreshUnit(first);
      else await refreshDrift();
      document.body.dataset.ready = '1';
    } catch (e) {
      failed(e);
    } finally {
      busy = false;
      timer = setTimeout(tick, REFRESH_MS);
    }
  }

  function navigate() {
    route = parseRoute();
    for (const a of document.querySelectorAll('[data-nav]'))
      a.classList.toggle('current', a.dataset.nav === (route.view === 'drift' ? 'drift' : 'units'));
    document.body.dataset.ready = '';
    if (route.view === 'units') {
      document.title = 'unitwatch';
      overviewSkeleton();
      ov.key = '';
    } else if (route.view === 'unit') {
      document.title = route.name + ' · unitwatch';
      up.name = route.name;
      view().replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    } else {
      document.title = 'drift · unitwatch';
      driftSkeleton();
    }
    window.scrollTo(0, 0);
    tick(true);
  }

  window.addEventListener('hashchange', navigate);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) tick();
  });
  navigate();
})();
